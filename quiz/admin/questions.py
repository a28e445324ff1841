"""Question banks in the admin area: save (a new version when the content changed), history with
diffs, retire and restore. Services: a session in, flush, never commit. The question list's search
and filters are in quiz.admin.question_search."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from quiz.audit import record
from quiz.bank.blueprint import shortfalls, strata_from_data
from quiz.bank.limits import MAX_TOPIC_LENGTH
from quiz.bank.load import QUESTION_KEY
from quiz.bank.specs import content_hash
from quiz.bank.sync import current_content_hash
from quiz.bank.yamlio import dump_readable
from quiz.models import Assessment, Question, QuestionVersion, Track, User
from quiz.question_types import DefinitionError, Problem, get_type

CENT = Decimal("0.01")
MAX_POINTS = Decimal(100)


class QuestionError(ValueError):
    """A request the bank cannot honour (e.g. retiring a retired question)."""


class QuestionConflict(QuestionError):
    """Someone else saved the question meanwhile; nothing was written."""


class QuestionInvalid(QuestionError):
    """The question as given is invalid; nothing was written.

    `problems` have the paths of parse_definition (`options[2].text`), and the common fields
    use their own names (`key`, `topic`, `difficulty`, `points`, `track`, `type`).
    """

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


# --- lookups -----------------------------------------------------------------------------------


def get_question(session: Session, key: str) -> Question:
    question = session.scalar(select(Question).where(Question.key == key))
    if question is None:
        raise LookupError(key)
    return question


def get_track(session: Session, key: str) -> Track:
    track = session.scalar(select(Track).where(Track.key == key))
    if track is None:
        raise LookupError(key)
    return track


def get_version(question: Question, number: int | None = None) -> QuestionVersion:
    if number is None:
        return question.current
    for version in question.versions:
        if version.number == number:
            return version
    raise LookupError(number)


def topics_of_track(session: Session, track: Track) -> list[str]:
    """The topics of the track's blueprints and of its questions, for suggesting a topic."""
    topics = {s["topic"] for a in session.scalars(select(Assessment).where(Assessment.track_id == track.id))
              for s in a.blueprint}
    topics.update(session.scalars(select(QuestionVersion.topic).join(Question)
                                  .where(Question.track_id == track.id).distinct()))
    return sorted(topics)


# --- saving ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SaveResult:
    question: Question
    version: QuestionVersion  # the current version after the save
    created: bool  # a new question (version 1)
    changed: bool  # a new version was written (always true when created)
    warnings: list[str] = field(default_factory=list)


def _difficulty(value: Any, problems: list[Problem]) -> int:
    if isinstance(value, str):
        value = value.strip()
        if value.lstrip("+-").isascii() and value.lstrip("+-").isdecimal():
            value = int(value)
    if value is None or value == "":
        problems.append(Problem(("difficulty",), "is required"))
        return 1
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        problems.append(Problem(("difficulty",), "must be a whole number from 1 to 5"))
        return 1
    return value


def _points(value: Any, problems: list[Problem]) -> Decimal:
    if value is None or (isinstance(value, str) and not value.strip()):
        problems.append(Problem(("points",), "is required"))
        return Decimal(1)
    try:
        number = Decimal(value.strip() if isinstance(value, str) else str(value))
    except (InvalidOperation, ValueError):
        problems.append(Problem(("points",), "must be a number, e.g. 1 or 2.5"))
        return Decimal(1)
    if isinstance(value, bool) or not number.is_finite():
        problems.append(Problem(("points",), "must be a number, e.g. 1 or 2.5"))
        return Decimal(1)
    if not 0 < number <= MAX_POINTS:
        # checked first: quantizing a number like 1e309 to cents overflows Decimal's precision
        problems.append(Problem(("points",), f"must be greater than 0 and at most {MAX_POINTS}"))
        return Decimal(1)
    if number != number.quantize(CENT):
        problems.append(Problem(("points",), "must have at most 2 decimal places"))
    return number.quantize(CENT)


def _topic(value: Any, problems: list[Problem]) -> str:
    topic = value.strip() if isinstance(value, str) else ""
    if not topic:
        problems.append(Problem(("topic",), "is required"))
    elif len(topic) > MAX_TOPIC_LENGTH:
        problems.append(Problem(("topic",), f"must be at most {MAX_TOPIC_LENGTH} characters"))
    return topic


def _blueprint_warning(session: Session, track: Track, topic: str, difficulty: int) -> list[str]:
    strata = [s for a in session.scalars(select(Assessment).where(Assessment.track_id == track.id))
              for s in strata_from_data(a.blueprint)]
    if not strata:
        return []
    if not any(s.topic == topic for s in strata):
        return [f"Topic {topic!r} is in no blueprint of track {track.key!r}: this question is never drawn."]
    if not any(s.admits(topic, difficulty) for s in strata):
        return [f"No blueprint of track {track.key!r} draws topic {topic!r} at difficulty {difficulty}: "
                "this question is never drawn."]
    return []


def save_question(session: Session, actor: User | None, track: Track | str, key: str, type: str, topic: str,
                  difficulty: int | str, points: Decimal | str | int | float, raw_definition: Mapping[str, Any],
                  now: datetime, *, expect_new: bool | None = None, based_on: int | None = None) -> SaveResult:
    """Create a question (version 1), or give it a new version when its content changed.

    The content is validated through the question type and stored in its canonical form; the
    content hash decides whether anything changed (no change: no new version). Versions are
    never updated, so attempts that showed an older version keep showing it.
    `expect_new`: True refuses a key in use, False refuses an unknown key, None accepts either.
    `based_on`: the version number the edit started from; if another version was saved since,
    QuestionConflict is raised instead of silently replacing that version's changes.
    Raises QuestionInvalid (writing nothing) with every problem found.
    """
    problems: list[Problem] = []
    key = (key or "").strip()
    question = session.scalar(select(Question).where(Question.key == key)) if key else None
    if not key or not QUESTION_KEY.match(key):
        problems.append(Problem(("key",), "is required: letters, digits, '.', '-' and '_' (at most 100), "
                                          "starting with a letter or digit"))
    elif question is not None and expect_new:
        problems.append(Problem(("key",), f"{key!r} is already the key of a question"))
    elif question is None and expect_new is False:
        raise LookupError(key)

    if isinstance(track, str):
        track_row = session.scalar(select(Track).where(Track.key == track))
        if track_row is None:
            problems.append(Problem(("track",), f"unknown track {track!r}"))
    else:
        track_row = track
    if question is not None and track_row is not None and question.track_id != track_row.id:
        problems.append(Problem(("track",), "cannot change here: a question moves to another track by import"))

    question_type = None
    try:
        question_type = get_type(type)
    except KeyError as exc:
        problems.append(Problem(("type",), str(exc)))
    if question is not None and question_type is not None and question.current.type != type:
        problems.append(Problem(("type",), f"cannot change from {question.current.type} to {type}: "
                                           "make a new question instead"))

    topic = _topic(topic, problems)
    difficulty = _difficulty(difficulty, problems)
    points = _points(points, problems)
    definition: dict[str, Any] = {}
    if question_type is not None:
        try:
            definition = question_type.to_definition(question_type.parse_definition(raw_definition))
        except DefinitionError as exc:
            problems.extend(exc.problems)
    if problems:
        raise QuestionInvalid(problems)
    assert track_row is not None

    digest = content_hash(type, topic, difficulty, points, definition)
    created = question is None
    previous = None if question is None else question.current
    if previous is not None and current_content_hash(previous) == digest:
        record(session, actor, "question.save_unchanged", "question", question.id,
               before={"version": previous.number}, after={"version": previous.number}, at=now)
        session.flush()
        return SaveResult(question, previous, created=False, changed=False)
    if previous is not None and based_on is not None and previous.number != based_on:
        raise QuestionConflict(f"{key} was changed by someone else while you edited it: it is now at version "
                               f"{previous.number}, and you started from version {based_on}. Nothing was saved. "
                               "Open its history to see what changed, then edit it again.")
    try:
        # Two admins saving at once: the unique key / (question, number) decides, cleanly.
        with session.begin_nested():
            if question is None:
                question = Question(key=key, track=track_row, status="active", created_at=now)
                session.add(question)
            version = QuestionVersion(
                question=question, number=1 if previous is None else previous.number + 1, type=type, topic=topic,
                difficulty=difficulty, points=points, definition=definition, content_hash=digest, created_at=now,
                created_by_id=actor.id if actor else None)
            session.add(version)
            session.flush()
    except IntegrityError:
        raise QuestionConflict(f"{key} was saved by someone else at the same moment; nothing was written. "
                               "Open it again to see the latest version.") from None
    after = {"version": version.number, "version_id": version.id, "type": type, "topic": topic,
             "difficulty": difficulty, "points": str(points), "content_hash": digest}
    before = None if previous is None else {
        "version": previous.number, "version_id": previous.id, "type": previous.type, "topic": previous.topic,
        "difficulty": previous.difficulty, "points": str(previous.points), "content_hash": previous.content_hash}
    record(session, actor, "question.create" if created else "question.new_version", "question", question.id,
           before=before, after=after, at=now)
    session.flush()
    return SaveResult(question, version, created=created, changed=True,
                      warnings=_blueprint_warning(session, track_row, topic, difficulty))


# --- retire and restore ------------------------------------------------------------------------


def _unfillable(session: Session, track: Track) -> list[str]:
    """Titles of the track's active assessments that the bank cannot fill as it is now."""
    latest = (select(func.max(QuestionVersion.id)).join(Question)
              .where(Question.track_id == track.id, Question.status == "active")
              .group_by(QuestionVersion.question_id))
    pool = [(t, d) for t, d in session.execute(select(QuestionVersion.topic, QuestionVersion.difficulty)
                                                  .where(QuestionVersion.id.in_(latest)))]
    return [a.title for a in session.scalars(select(Assessment).where(Assessment.track_id == track.id,
                                                                      Assessment.active).order_by(Assessment.key))
            if shortfalls(strata_from_data(a.blueprint), pool)]


def retire_question(session: Session, actor: User | None, question: Question, now: datetime) -> list[str]:
    """Never drawn again; attempts that showed it keep it. Returns warnings (assessments the
    bank can no longer fill)."""
    if question.status == "retired":
        raise QuestionError(f"{question.key} is already retired.")
    before = _unfillable(session, question.track)
    question.status, question.retired_at = "retired", now
    record(session, actor, "question.retire", "question", question.id,
           before={"status": "active"}, after={"status": "retired"}, at=now)
    session.flush()
    return [f"{title} can no longer be offered: the bank cannot fill its blueprint."
            for title in _unfillable(session, question.track) if title not in before]


def restore_question(session: Session, actor: User | None, question: Question, now: datetime) -> None:
    if question.status == "active":
        raise QuestionError(f"{question.key} is already active.")
    retired_at = question.retired_at
    question.status, question.retired_at = "active", None
    record(session, actor, "question.restore", "question", question.id,
           before={"status": "retired", "retired_at": retired_at.isoformat() if retired_at else None},
           after={"status": "active"}, at=now)
    session.flush()


# --- history -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "added", "removed", "context" or "hunk"
    text: str


@dataclass(frozen=True)
class HistoryEntry:
    version: QuestionVersion
    author: str
    diff: list[DiffLine]  # from the previous version; empty for version 1


def version_document(version: QuestionVersion) -> dict[str, Any]:
    """A version as its bank entry (common fields, then the definition)."""
    points = version.points
    return {"type": version.type, "topic": version.topic, "difficulty": version.difficulty,
            "points": int(points) if points == points.to_integral_value() else float(points),
            **version.definition}


def render_version(version: QuestionVersion) -> str:
    """A stable, readable rendering (the bank file's YAML) for diffs."""
    return dump_readable(version_document(version))


def diff_versions(old: QuestionVersion, new: QuestionVersion) -> list[DiffLine]:
    lines = difflib.unified_diff(render_version(old).splitlines(), render_version(new).splitlines(),
                                 fromfile=f"version {old.number}", tofile=f"version {new.number}", lineterm="", n=2)
    out: list[DiffLine] = []
    for line in lines:
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            out.append(DiffLine("hunk", line))
        elif line.startswith("+"):
            out.append(DiffLine("added", line[1:]))
        elif line.startswith("-"):
            out.append(DiffLine("removed", line[1:]))
        else:
            out.append(DiffLine("context", line[1:]))
    return out


def question_history(session: Session, question: Question) -> list[HistoryEntry]:
    """Every version, newest first, with who made it and the diff from the one before."""
    versions = list(question.versions)
    author_ids = {v.created_by_id for v in versions if v.created_by_id is not None}
    emails = ({ident: email for ident, email in session.execute(select(User.id, User.email)
                                                                .where(User.id.in_(author_ids)))}
              if author_ids else {})
    entries = []
    for previous, version in zip([None, *versions], versions):
        author = emails.get(version.created_by_id, "bank import") if version.created_by_id else "bank import"
        entries.append(HistoryEntry(version, author, [] if previous is None else diff_versions(previous, version)))
    return list(reversed(entries))
