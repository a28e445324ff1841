"""The hot paths of a running attempt: the autosave, the question page and the state poll.

Services (take a session, never commit), kept apart from quiz.assessment.services because every
statement here runs for every save or page of every candidate of a start storm: each is built once,
reads only what it needs, and the autosave checks the log-in session in the same query as the
question it saves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, select, update
from sqlalchemy.orm import Session

from quiz.assessment.services import MAX_SEQ, AttemptNotFound, SaveResult, load_attempt, save_answer
from quiz.assessment.timing import accepts_answers, seconds_left
from quiz.auth.sessions import SessionRow
from quiz.models import Attempt, AttemptItem, LoginSession, QuestionVersion, User
from quiz.question_types import get_type


@dataclass(frozen=True)
class SaveTarget:
    """What an autosave needs of one question of an attempt, read in one query (the hot path)."""

    attempt_id: int
    item_id: int
    position: int
    status: str
    deadline_at: datetime
    type_name: str
    definition: dict[str, Any]
    option_order: list[str] | None


@dataclass(frozen=True)
class PageVersion:
    type: str
    definition: dict[str, Any]


@dataclass(frozen=True)
class PageItem:
    """An item as the question page shows it; only the current one carries its question."""

    position: int
    answer: Any
    answer_seq: int
    flagged: bool
    saved_at: datetime | None
    option_order: list[str] | None
    question_version: PageVersion | None


@dataclass(frozen=True)
class QuestionPage:
    """What a question page shows of its attempt: every item's state, and one question."""

    id: int
    status: str
    deadline_at: datetime
    items: list[PageItem]


def load_question_page(session: Session, user_id: int, attempt_id: int,
                       position: int) -> tuple[QuestionPage, PageItem] | None:
    """The candidate's attempt as its question page shows it, with the question at `position`, in
    one query and without ORM objects (the ORM load of the attempt and its items was a third of the
    page's cost). None when the candidate has no such attempt or question."""
    rows = _run(session, _PAGE, {"attempt_id": attempt_id, "user_id": user_id, "position": position}).all()
    items = [PageItem(row.position, row.answer, row.answer_seq, row.flagged, row.saved_at, row.option_order,
                      PageVersion(row.type, row.definition) if row.type is not None else None) for row in rows]
    current = next((item for item in items if item.question_version is not None), None)
    if current is None:
        return None
    return QuestionPage(attempt_id, rows[0].status, rows[0].deadline_at, items), current


def attempt_clock(session: Session, user_id: int, attempt_id: int) -> tuple[str, datetime]:
    """(status, deadline) of the candidate's own attempt: what a state poll needs, in one small query."""
    row = _run(session, _CLOCK, {"attempt_id": attempt_id, "user_id": user_id}).one_or_none()
    if row is None:
        raise AttemptNotFound(attempt_id)
    return row[0], row[1]


# Built once: building a statement cost more than running it.
_CLOCK = select(Attempt.status, Attempt.deadline_at).where(Attempt.id == bindparam("attempt_id"),
                                                           Attempt.user_id == bindparam("user_id"))
_PAGE = (
    select(Attempt.status, Attempt.deadline_at, AttemptItem.position, AttemptItem.answer, AttemptItem.answer_seq,
           AttemptItem.flagged, AttemptItem.saved_at, AttemptItem.option_order, QuestionVersion.type,
           QuestionVersion.definition)
    .select_from(Attempt)
    .join(AttemptItem, AttemptItem.attempt_id == Attempt.id)
    .outerjoin(QuestionVersion, and_(QuestionVersion.id == AttemptItem.question_version_id,
                                     AttemptItem.position == bindparam("position")))
    .where(Attempt.id == bindparam("attempt_id"), Attempt.user_id == bindparam("user_id"))
    .order_by(AttemptItem.position))
_TARGET_COLUMNS = (Attempt.status, Attempt.deadline_at, AttemptItem.id, AttemptItem.option_order,
                   QuestionVersion.type, QuestionVersion.definition)
_SESSION_COLUMNS = (LoginSession.id, LoginSession.user_id, User.role, User.is_active, LoginSession.created_at,
                    LoginSession.last_seen_at, LoginSession.ended_at, LoginSession.end_reason)
# The candidate's question at a position, found through the log-in session's token (its owner is the
# session's user), without the rest of the attempt. Read without a lock: the UPDATE below checks the
# attempt again, under its lock.
_SAVE_TARGET_BY_SESSION = (
    select(*_SESSION_COLUMNS, *_TARGET_COLUMNS)
    .select_from(LoginSession)
    .join(User, User.id == LoginSession.user_id)
    .join(Attempt, Attempt.user_id == LoginSession.user_id)
    .join(AttemptItem, AttemptItem.attempt_id == Attempt.id)
    .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
    .where(LoginSession.token_hash == bindparam("token_hash"), Attempt.id == bindparam("attempt_id"),
           AttemptItem.position == bindparam("position")))
# The answer is written only if it is newer and its attempt still takes answers, checked in the same
# statement: it commits by itself (see `quiz.db.begin_autocommit`). On PostgreSQL the attempt row is
# share-locked while the statement runs: saves of one attempt run side by side, never beside the
# submit that grades it (which locks and updates that row; a save waiting for it then finds the
# attempt submitted and writes nothing), so no acknowledged answer misses its grade. On SQLite the
# statement takes the write lock before it reads.
_ATTEMPT_OPEN = (
    select(Attempt.id)
    .where(Attempt.id == bindparam("open_attempt_id"), Attempt.status == "in_progress",
           Attempt.deadline_at >= bindparam("cutoff", type_=Attempt.deadline_at.type))
    .with_for_update(read=True)
    .exists())
_SAVE_NEWER = (
    update(AttemptItem)
    .where(AttemptItem.id == bindparam("item_id"), AttemptItem.answer_seq < bindparam("seq"), _ATTEMPT_OPEN)
    .values(answer=bindparam("answer", type_=AttemptItem.answer.type), answer_seq=bindparam("seq"),
            saved_at=bindparam("now"))
    .execution_options(synchronize_session=False))


def _run(session: Session, statement: Any, parameters: dict[str, Any]) -> Any:
    """Run a Core statement on the session's connection, in its transaction: these read and write
    columns, never ORM objects, and skipping the ORM's execution layer halved each statement's cost."""
    return session.connection().execute(statement, parameters)


def _target(attempt_id: int, position: int, row: Any) -> SaveTarget:
    status, deadline_at, item_id, option_order, type_name, definition = row
    return SaveTarget(attempt_id, item_id, position, status, deadline_at, type_name, definition, option_order)


def load_save_target_by_session(session: Session, session_token_hash: str, attempt_id: int,
                                position: int) -> tuple[SessionRow, SaveTarget] | None:
    """What an autosave needs of its question, and the log-in session it came with, in one query.

    The session is returned whatever its state: the caller judges it (`session_verdict`). None when
    the token opens no session, or its user has no such attempt or question; the caller then finds
    out which the usual way (the session check, then 404)."""
    row = _run(session, _SAVE_TARGET_BY_SESSION, {"token_hash": session_token_hash, "attempt_id": attempt_id,
                                                  "position": position}).one_or_none()
    if row is None:
        return None
    split = len(_SESSION_COLUMNS)
    return SessionRow(*row[:split]), _target(attempt_id, position, row[split:])


def save_if_newer(session: Session, target: SaveTarget, raw: Any, seq: int, now: datetime,
                  grace_seconds: float) -> SaveResult | None:
    """The autosave's one statement: store the answer if it is newer than the stored one and the
    attempt still takes answers. None when it did not (an older save, or the attempt is closed or
    out of time): `save_in_transaction` then answers, as `save_answer` does."""
    if isinstance(seq, bool) or not isinstance(seq, int) or not 1 <= seq <= MAX_SEQ:
        raise ValueError(f"seq must be a whole number from 1 to {MAX_SEQ}")
    if target.status != "in_progress" or not accepts_answers(target.deadline_at, now, grace_seconds):
        return None
    question_type = get_type(target.type_name)
    spec = question_type.parse_definition(target.definition)
    answer = question_type.normalise_answer(spec, raw)
    saved = _run(session, _SAVE_NEWER, {"item_id": target.item_id, "seq": seq, "answer": answer, "now": now,
                                        "open_attempt_id": target.attempt_id,
                                        "cutoff": now - timedelta(seconds=grace_seconds)}).rowcount == 1
    if not saved:
        return None
    return SaveResult(True, seq, answer, now, seconds_left(target.deadline_at, now),
                      question_type.notice(spec, answer))


def save_in_transaction(session: Session, user_id: int, target: SaveTarget, raw: Any, seq: int, now: datetime,
                        grace_seconds: float) -> SaveResult:
    """`save_answer` with the attempt locked: it finalises an expired attempt and says why it is
    closed, or returns the newer answer already stored."""
    user = session.get(User, user_id)
    if user is None:  # deleted since the target was read: nothing to save for
        raise AttemptNotFound(target.attempt_id)
    attempt = load_attempt(session, user, target.attempt_id, for_update=True)
    return save_answer(session, attempt, target.position, raw, seq, now, grace_seconds)
