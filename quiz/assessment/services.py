"""Taking an attempt: start, save, flag, signal, submit, and finalising attempts whose time is up.

Services take a session and plain values (`now` comes from the caller's clock), flush but
never commit, and raise the errors of `quiz.assessment.errors`.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, selectinload

from quiz.assessment.errors import AlreadyAttempted, AlreadyStarted, AttemptClosed, NotEligible
from quiz.assessment.exposure import exposure_for
from quiz.assessment.grading import regrade_items, settle
from quiz.assessment.mails import queue_receipt
from quiz.assessment.timing import accepts_answers, deadline_for, seconds_left
from quiz.bank.blueprint import draw_eligible, strata_from_data
from quiz.bank.pools import forget_pools, track_pool
from quiz.coderun.services import queue_graded_runs
from quiz.main.services import is_offered
from quiz.models import Assessment, Attempt, AttemptItem, AttemptSignal, Question, QuestionVersion, User
from quiz.question_types import get_type

SIGNAL_KINDS = ("tab_hidden", "paste")
MAX_SEQ = 2**53  # what a JavaScript number holds exactly
MAX_SIGNALS = 500  # per attempt: enough to tell a story, not a way to fill the database


class AttemptNotFound(LookupError):
    """No such attempt for this candidate (views answer 404: never reveal others' attempts)."""


def passed_starter(session: Session, user: User) -> Attempt | None:
    return session.scalar(select(Attempt).where(
        Attempt.user_id == user.id, Attempt.assessment_kind == "starter", Attempt.decision == "pass",
        Attempt.voided_at.is_(None)))


def live_attempt(session: Session, user: User, assessment: Assessment) -> Attempt | None:
    return session.scalar(select(Attempt).where(
        Attempt.user_id == user.id, Attempt.assessment_id == assessment.id, Attempt.voided_at.is_(None)))


STARTED = "You have already started this assessment; it is in progress (each assessment can be taken once)."


def _refuse_second_attempt(existing: Attempt | None) -> None:
    if existing is None:
        return
    if existing.status == "in_progress":
        raise AlreadyStarted(STARTED, existing.id)
    raise AlreadyAttempted("You have already taken this assessment; each assessment can be taken once.")


def check_can_start(session: Session, user: User, assessment: Assessment, *, offered: bool | None = None) -> None:
    """Every rule a start must pass; the database enforces the once-only ones again.

    `offered`: whether the bank can fill the assessment, when the caller already knows (the
    catalogue computed it for every track); otherwise it is computed here."""
    if user.role != "candidate":
        raise NotEligible("Only candidate accounts take assessments.")
    if user.email_verified_at is None:
        raise NotEligible("Confirm your email address before you take an assessment: open the link we emailed "
                          "you, or ask for a new one on your dashboard.")
    if user.application is None:
        raise NotEligible("Complete your application before you take an assessment.")
    if offered is None:
        offered = is_offered(assessment, track_pool(session, assessment.track))
    if not (assessment.active and assessment.track.active and offered):
        raise NotEligible("This assessment is not open yet.")
    if assessment.kind == "starter":
        # This assessment's attempt and any other starter's, in one query.
        held = session.scalars(select(Attempt).where(
            Attempt.user_id == user.id, Attempt.voided_at.is_(None),
            or_(Attempt.assessment_id == assessment.id, Attempt.assessment_kind == "starter"))).all()
        _refuse_second_attempt(next((a for a in held if a.assessment_id == assessment.id), None))
        taken = next((a for a in held if a.assessment_kind == "starter"), None)
        if taken is not None:
            raise AlreadyAttempted(f"You have already taken a starter assessment ({taken.assessment.title}); "
                                   "a starter assessment can be taken only once.")
        return
    _refuse_second_attempt(live_attempt(session, user, assessment))
    starter = passed_starter(session, user)
    if starter is None:
        raise NotEligible("Specialist assessments open once you pass a starter assessment.")
    if starter.assessment.track_id == assessment.track_id:
        raise NotEligible("Passing a starter opens the specialist assessments of the other tracks.")


_Drawn = aliased(QuestionVersion)


def _drawn_versions(session: Session, drawn: list[int]) -> dict[int, QuestionVersion] | None:
    """The drawn versions, or None if any is no longer current or its question no longer active
    (the pool cached in memory was older than the bank: a change not seen by `bank_revision`)."""
    newer = (select(QuestionVersion.id).where(QuestionVersion.question_id == Question.id)
             .where(QuestionVersion.id > _Drawn.id).exists())
    rows = session.execute(select(_Drawn, Question.status, newer).join(Question, Question.id == _Drawn.question_id)
                           .where(_Drawn.id.in_(drawn))).all()
    if len(rows) != len(set(drawn)) or any(status != "active" or stale for _, status, stale in rows):
        return None
    return {version.id: version for version, _, _ in rows}


def start_attempt(session: Session, user: User, assessment: Assessment, now: datetime,
                  *, seed: int | None = None) -> Attempt:
    """Draw the form by the blueprint from a stored seed, pin versions, shuffle options, fix the deadline."""
    check_can_start(session, user, assessment)
    seed = secrets.randbits(62) if seed is None else seed
    blueprint = strata_from_data(assessment.blueprint)
    # None unless the assessment has an exposure cap (then the draw prefers the least shown).
    exposure = exposure_for(session, assessment)
    versions = None
    for _ in range(2):  # a second time from the database if the cached pool was stale
        draw_rng = random.Random(seed)
        eligible = track_pool(session, assessment.track).eligible(blueprint)
        try:
            drawn = draw_eligible(blueprint, eligible, draw_rng, exposure)
        except ValueError:
            raise NotEligible("This assessment is not open yet.") from None
        versions = _drawn_versions(session, drawn)
        if versions is not None:
            break
        forget_pools()
    if versions is None:
        raise NotEligible("The question bank is changing right now; please start again in a moment.")
    rng = draw_rng
    attempt = Attempt(
        user=user, assessment=assessment, seed=seed, status="in_progress", started_at=now,
        deadline_at=deadline_for(now, assessment.time_limit_minutes, user.accommodation_factor),
        pass_mark=assessment.pass_mark, requires_confirmation=assessment.requires_confirmation,
        review_policy=dict(assessment.review_policy), accommodation_factor=user.accommodation_factor,
        offered_tier=assessment.tier)
    items = []
    for position, version_id in enumerate(drawn, start=1):
        version = versions[version_id]
        question_type = get_type(version.type)
        order = list(question_type.shuffle_ids(question_type.parse_definition(version.definition)))
        rng.shuffle(order)
        items.append({"position": position, "question_version_id": version.id, "option_order": order or None})
    try:
        with session.begin_nested():
            session.add(attempt)
            session.flush()
    except IntegrityError:
        # Another tab, click or server started it first: the unique indexes decided. If that was
        # this very assessment, the candidate goes on with the attempt the other request made.
        _refuse_second_attempt(live_attempt(session, user, assessment))
        raise AlreadyAttempted("This assessment has already been started; each assessment can be taken once.") \
            from None
    # One multi-row INSERT without ORM objects (building and flushing them was a third of a start);
    # `attempt.items` loads from the database when first used.
    session.execute(insert(AttemptItem), [dict(item, attempt_id=attempt.id) for item in items])
    session.expire(attempt, ["items"])
    return attempt


def load_attempt(session: Session, user: User, attempt_id: int, *, for_update: bool = False,
                 versions: bool = True) -> Attempt:
    """The candidate's own attempt with its items; `for_update` locks it so saves and submit never
    interleave. `versions=False` leaves each item's question to load when used: a question page
    shows one of them (and every item's state), and loading all of them was a third of its cost."""
    query = select(Attempt).where(Attempt.id == attempt_id, Attempt.user_id == user.id)
    if for_update:
        query = query.with_for_update()
    items = selectinload(Attempt.items)
    attempt = session.scalar(query.options(items.selectinload(AttemptItem.question_version) if versions else items))
    if attempt is None:
        raise AttemptNotFound(attempt_id)
    return attempt


def _item(attempt: Attempt, position: int) -> AttemptItem:
    for item in attempt.items:
        if item.position == position:
            return item
    raise AttemptNotFound(f"attempt {attempt.id} has no question {position}")


def finalise_if_expired(session: Session, attempt: Attempt, now: datetime, grace_seconds: float,
                        reason: str = "deadline") -> bool:
    """Submit an attempt whose time and grace are over, with every answer saved before. Lazy: called
    by any request that touches the attempt, and by `quiz sweep`."""
    if attempt.status != "in_progress" or accepts_answers(attempt.deadline_at, now, grace_seconds):
        return False
    if not _submit(session, attempt, attempt.deadline_at, reason):
        return False  # another request finalised it a moment ago
    settle(session, attempt, now)
    queue_receipt(session, attempt)
    return True


def _ensure_open(session: Session, attempt: Attempt, now: datetime, grace_seconds: float) -> None:
    if finalise_if_expired(session, attempt, now, grace_seconds):
        raise AttemptClosed("Time is up: the attempt was submitted at its deadline with the answers saved before it.")
    if attempt.status == "voided":
        raise AttemptClosed("This attempt was voided by an administrator; its answers can no longer change.")
    if attempt.status != "in_progress":
        raise AttemptClosed("This attempt has been submitted; its answers can no longer change.")


@dataclass(frozen=True)
class SaveResult:
    saved: bool  # False: an older save arrived after a newer one and was ignored
    seq: int  # the sequence number of the answer now stored
    answer: Any
    saved_at: datetime | None
    seconds_left: int
    notice: str | None = None  # about the stored answer: kept, but not finished (an incomplete order)


def answer_notice(item: AttemptItem) -> str | None:
    """What the question type says about the stored answer (e.g. positions still shared)."""
    question_type = get_type(item.question_version.type)
    return question_type.notice(question_type.parse_definition(item.question_version.definition), item.answer)


def save_answer(session: Session, attempt: Attempt, position: int, raw: Any, seq: int, now: datetime,
                grace_seconds: float) -> SaveResult:
    """Store an answer if it is the newest for its question and arrives before deadline + grace.

    Raises AnswerError (malformed), AttemptClosed (too late or submitted), AttemptNotFound.
    """
    if isinstance(seq, bool) or not isinstance(seq, int) or not 1 <= seq <= MAX_SEQ:
        raise ValueError(f"seq must be a whole number from 1 to {MAX_SEQ}")
    _ensure_open(session, attempt, now, grace_seconds)
    item = _item(attempt, position)
    version = item.question_version
    question_type = get_type(version.type)
    answer = question_type.normalise_answer(question_type.parse_definition(version.definition), raw)
    if seq > item.answer_seq:
        item.answer, item.answer_seq, item.saved_at = answer, seq, now
        session.flush()
        saved = True
    else:
        saved = False
    return SaveResult(saved, item.answer_seq, item.answer, item.saved_at, seconds_left(attempt.deadline_at, now),
                      answer_notice(item))


def set_flag(session: Session, attempt: Attempt, position: int, flagged: bool, now: datetime,
             grace_seconds: float) -> None:
    _ensure_open(session, attempt, now, grace_seconds)
    _item(attempt, position).flagged = bool(flagged)
    session.flush()


def record_signal(session: Session, attempt: Attempt, kind: str, position: int | None, detail: dict | None,
                  now: datetime) -> bool:
    """Record an integrity signal while the attempt runs; afterwards they mean nothing and are dropped."""
    if kind not in SIGNAL_KINDS:
        raise ValueError(f"unknown signal {kind!r} (known: {', '.join(SIGNAL_KINDS)})")
    if attempt.status != "in_progress" or len(attempt.signals) >= MAX_SIGNALS:
        return False
    session.add(AttemptSignal(attempt=attempt, kind=kind, at=now, position=position, detail=detail))
    session.flush()
    return True


def _submit(session: Session, attempt: Attempt, submitted_at: datetime, reason: str) -> bool:
    """Claim the submit with one conditional UPDATE: of two requests (a page, `quiz sweep`, another
    server) finalising the same attempt at once, exactly one grades it and sends the mail."""
    claimed = session.execute(
        update(Attempt).where(Attempt.id == attempt.id, Attempt.status == "in_progress")
        .values(status="submitted", submitted_at=submitted_at, submit_reason=reason)
        .execution_options(synchronize_session=False)).rowcount
    # Only what the UPDATE may have changed: a whole refresh loaded every item and its question again
    # (a fifth of a submit); the row is locked or just claimed, so nothing else changed meanwhile.
    session.refresh(attempt, ["status", "submitted_at", "submit_reason"])
    if claimed != 1:
        return False
    regrade_items(attempt)
    queue_graded_runs(session, attempt, submitted_at)  # code items wait for the runner, like essays for a grader
    session.flush()
    return True


def submit_attempt(session: Session, attempt: Attempt, now: datetime, grace_seconds: float) -> str | None:
    """The candidate's confirmed submit (or the page's own at the deadline). Returns the decision
    if it could be made at once, None while open items wait for a grader or a person confirms."""
    if finalise_if_expired(session, attempt, now, grace_seconds):
        return attempt.decision
    if attempt.status != "in_progress":
        raise AttemptClosed("This attempt has already been submitted.")
    claimed = (_submit(session, attempt, attempt.deadline_at, "deadline") if now >= attempt.deadline_at
               else _submit(session, attempt, now, "candidate"))
    if not claimed:
        raise AttemptClosed("This attempt has already been submitted.")
    decision = settle(session, attempt, now)
    queue_receipt(session, attempt)
    return decision


def sweep_expired(session: Session, now: datetime, grace_seconds: float) -> list[int]:
    """Finalise every attempt whose time and grace are over (for cron: `quiz sweep`)."""
    expired = session.scalars(select(Attempt.id).where(Attempt.status == "in_progress")
                              .where(Attempt.deadline_at < now)).all()
    finalised = []
    for attempt_id in expired:
        attempt = session.scalar(select(Attempt).where(Attempt.id == attempt_id).with_for_update())
        if attempt is not None and finalise_if_expired(session, attempt, now, grace_seconds, reason="sweep"):
            finalised.append(attempt_id)
    return finalised
