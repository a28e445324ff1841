"""Records: the audit log as admins read it, and the CSV exports (streamed, formula-injection safe).

Services: take a session and plain values, read only.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from quiz.models import (
    Assessment,
    Attempt,
    AttemptItem,
    AttemptSignal,
    AuditEntry,
    CandidateApplication,
    Question,
    QuestionVersion,
    Tier,
    Track,
    User,
)
from quiz.question_types import DefinitionError, get_type

AUDIT_PER_PAGE = 50
SYSTEM = "system"


# --- the audit log -------------------------------------------------------------------------------

@dataclass(frozen=True)
class AuditRow:
    entry: AuditEntry
    actor: str  # the actor's email, or "system"
    before: str  # readable JSON, "" when there was nothing
    after: str


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    total: int


@dataclass(frozen=True)
class AuditChoices:
    """What the log holds, for the filter's menus."""

    actors: list[tuple[int, str]]  # (user id, email) of everyone who appears as an actor
    actions: list[str]
    target_types: list[str]


def readable_json(value: Any) -> str:
    if value is None:
        return ""
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


def audit_filter_choices(session: Session) -> AuditChoices:
    actors = [(ident, email) for ident, email in session.execute(
        select(User.id, User.email).where(User.id.in_(select(AuditEntry.actor_id).distinct()))
        .order_by(User.email))]
    actions = list(session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))
    target_types = list(session.scalars(select(AuditEntry.target_type).distinct().order_by(AuditEntry.target_type)))
    return AuditChoices(actors, actions, target_types)


def audit_log_page(session: Session, *, actor: str | None = None, action: str | None = None,
                   target_type: str | None = None, since: date | None = None, until: date | None = None,
                   page: int = 1, per_page: int = AUDIT_PER_PAGE) -> AuditPage:
    """Newest first. `actor` is a user id (as text) or "system"; the dates are whole UTC days, inclusive."""
    conditions = []
    if actor == SYSTEM:
        conditions.append(AuditEntry.actor_id.is_(None))
    elif actor:
        conditions.append(AuditEntry.actor_id == int(actor))
    if action:
        conditions.append(AuditEntry.action == action)
    if target_type:
        conditions.append(AuditEntry.target_type == target_type)
    if since:
        conditions.append(AuditEntry.at >= _day_start(since))
    if until:
        conditions.append(AuditEntry.at < _day_start(until + timedelta(days=1)))
    total = session.scalar(select(func.count()).select_from(AuditEntry).where(*conditions)) or 0
    found = session.execute(
        select(AuditEntry, User.email).outerjoin(User, User.id == AuditEntry.actor_id).where(*conditions)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .offset((max(page, 1) - 1) * per_page).limit(per_page)).all()
    rows = [AuditRow(entry, email or SYSTEM, readable_json(entry.before), readable_json(entry.after))
            for entry, email in found]
    return AuditPage(rows, int(total))


# --- CSV -----------------------------------------------------------------------------------------

#: Characters that make a spreadsheet treat a cell as a formula (or hide one behind whitespace).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    """One CSV field as text: ISO-8601 UTC times, plain decimals, true/false, and a leading
    apostrophe on anything a spreadsheet would run as a formula."""
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, datetime):
        text = value.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
    elif isinstance(value, Decimal):
        text = format(value, "f")
    else:
        text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Line:
    """A file-like object that hands back what csv.writer writes, one row at a time."""

    def write(self, text: str) -> str:
        return text


def csv_lines(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """The header and each row as one CSV record (RFC 4180 quoting, CRLF), produced as they are read."""
    writer = csv.writer(_Line(), quoting=csv.QUOTE_MINIMAL)
    yield writer.writerow([cell(name) for name in header])
    for row in rows:
        yield writer.writerow([cell(value) for value in row])


ATTEMPT_COLUMNS = (
    "attempt_id", "candidate_email", "candidate_name", "assessment_key", "track", "kind", "status",
    "started_at", "deadline_at", "submitted_at", "submit_reason", "score_points", "score_possible",
    "score_percent", "decision", "decided_at", "tier", "review_opened_at", "voided_reason",
    "signals_tab_hidden", "signals_paste",
)

RESPONSE_COLUMNS = (
    "attempt_id", "candidate_email", "assessment_key", "position", "question_key", "version_number", "type",
    "topic", "difficulty", "points", "points_awarded", "pending", "answer_summary", "flagged", "saved_at",
    "grader_email", "graded_at",
)

_BATCH = 500


def export_counts(session: Session) -> tuple[int, int]:
    """(attempts, item responses): what the two exports hold."""
    attempts = session.scalar(select(func.count()).select_from(Attempt)) or 0
    responses = session.scalar(select(func.count()).select_from(AttemptItem)) or 0
    return int(attempts), int(responses)


def _signal_count(kind: str):  # type: ignore[no-untyped-def]
    return (select(func.count(AttemptSignal.id))
            .where(AttemptSignal.attempt_id == Attempt.id, AttemptSignal.kind == kind)
            .correlate(Attempt).scalar_subquery())


def attempt_rows(session: Session) -> Iterator[tuple[Any, ...]]:
    """One row per attempt (void ones included), oldest first, in the order of ATTEMPT_COLUMNS."""
    query = (select(Attempt.id, User.email, CandidateApplication.full_name, Assessment.key, Track.key,
                    Attempt.assessment_kind, Attempt.status, Attempt.started_at, Attempt.deadline_at,
                    Attempt.submitted_at, Attempt.submit_reason, Attempt.score_points, Attempt.score_possible,
                    Attempt.score_percent, Attempt.decision, Attempt.decided_at, Tier.name,
                    Attempt.review_opened_at, Attempt.voided_reason,
                    _signal_count("tab_hidden"), _signal_count("paste"))
             .join(User, User.id == Attempt.user_id)
             .outerjoin(CandidateApplication, CandidateApplication.user_id == User.id)
             .join(Assessment, Assessment.id == Attempt.assessment_id)
             .join(Track, Track.id == Assessment.track_id)
             .outerjoin(Tier, Tier.id == Attempt.tier_id)
             .order_by(Attempt.started_at, Attempt.id)
             .execution_options(yield_per=_BATCH))
    for row in session.execute(query):
        yield tuple(row)


def response_rows(session: Session) -> Iterator[tuple[Any, ...]]:
    """One row per item response, by attempt then position, in the order of RESPONSE_COLUMNS."""
    grader = aliased(User)
    query = (select(Attempt.id, User.email, Assessment.key, AttemptItem.position, Question.key,
                    QuestionVersion.number, QuestionVersion.type, QuestionVersion.topic, QuestionVersion.difficulty,
                    QuestionVersion.points, AttemptItem.points_awarded, AttemptItem.pending,
                    QuestionVersion.id, QuestionVersion.definition, AttemptItem.answer,
                    AttemptItem.flagged, AttemptItem.saved_at, grader.email, AttemptItem.graded_at)
             .select_from(AttemptItem)
             .join(Attempt, Attempt.id == AttemptItem.attempt_id)
             .join(User, User.id == Attempt.user_id)
             .join(Assessment, Assessment.id == Attempt.assessment_id)
             .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
             .join(Question, Question.id == QuestionVersion.question_id)
             .outerjoin(grader, grader.id == AttemptItem.grader_id)
             .order_by(Attempt.id, AttemptItem.position)
             .execution_options(yield_per=_BATCH))
    specs: dict[int, Any] = {}  # parsed once per question version
    for row in session.execute(query):
        (attempt_id, email, assessment_key, position, question_key, number, type_name, topic, difficulty,
         points, awarded, pending, version_id, definition, answer, flagged, saved_at, grader_email,
         graded_at) = row
        question_type = get_type(type_name)
        if version_id not in specs:
            try:
                specs[version_id] = question_type.parse_definition(definition)
            except DefinitionError:  # stored before a rule tightened: see quiz.assessment.grading.grade_item
                specs[version_id] = None
        spec = specs[version_id]
        summary = question_type.summarise(spec, answer) if spec is not None else json.dumps(answer, ensure_ascii=False)
        yield (attempt_id, email, assessment_key, position, question_key, number, type_name, topic, difficulty,
               points, awarded, pending, summary, flagged, saved_at, grader_email, graded_at)
