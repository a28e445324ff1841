"""The question list of the admin area: filters, text search and paging over the current versions.
Services: a session in, nothing written."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, contains_eager

from quiz.models import Question, QuestionVersion, Track
from quiz.models.banks import QUESTION_STATUSES
from quiz.question_types import TYPE_NAMES, get_type

PER_PAGE = 25


@dataclass(frozen=True)
class QuestionFilters:
    track: str = ""
    topic: str = ""
    type: str = ""
    difficulty: int | None = None
    status: str = ""
    text: str = ""
    page: int = 1


@dataclass(frozen=True)
class QuestionRow:
    question: Question
    version: QuestionVersion  # the current one

    @property
    def key(self) -> str:
        return self.question.key


@dataclass(frozen=True)
class QuestionPage:
    rows: list[QuestionRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def _latest_versions():  # type: ignore[no-untyped-def]
    """(question_id, highest version number) of every question."""
    return (select(QuestionVersion.question_id, func.max(QuestionVersion.number).label("number"))
            .group_by(QuestionVersion.question_id).subquery())


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


def matches_text(question: Question, version: QuestionVersion, text: str) -> bool:
    """Case-insensitive search in the key and every piece of text of the definition."""
    needle = text.strip().casefold()
    if not needle:
        return True
    haystack = [question.key, *_strings(version.definition)]
    return any(needle in part.casefold() for part in haystack)


def search_questions(session: Session, filters: QuestionFilters, per_page: int = PER_PAGE) -> QuestionPage:
    """Questions with their current version, filtered, ordered by track then key, one page of them.

    The text is searched in Python, over every string of the current definition: JSON columns
    store text escaped (quotes, newlines, non-ASCII), so a database LIKE would miss matches.
    """
    latest = _latest_versions()
    query = (select(Question, QuestionVersion)
             .join(latest, latest.c.question_id == Question.id)
             .join(QuestionVersion, and_(QuestionVersion.question_id == Question.id,
                                         QuestionVersion.number == latest.c.number))
             .join(Track, Track.id == Question.track_id)
             .options(contains_eager(Question.track)))
    if filters.track:
        query = query.where(Track.key == filters.track)
    if filters.topic:
        query = query.where(QuestionVersion.topic == filters.topic)
    if filters.type:
        query = query.where(QuestionVersion.type == filters.type)
    if filters.difficulty is not None:
        query = query.where(QuestionVersion.difficulty == filters.difficulty)
    if filters.status:
        query = query.where(Question.status == filters.status)
    query = query.order_by(Track.position, Track.key, Question.key)
    page = max(1, filters.page)
    if filters.text.strip():
        rows = [QuestionRow(q, v) for q, v in session.execute(query) if matches_text(q, v, filters.text)]
        total = len(rows)
        page = min(page, max(1, math.ceil(total / per_page)))
        return QuestionPage(rows[(page - 1) * per_page: page * per_page], total, page, per_page)
    total = int(session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0)
    page = min(page, max(1, math.ceil(total / per_page)))
    rows = [QuestionRow(q, v) for q, v in session.execute(query.offset((page - 1) * per_page).limit(per_page))]
    return QuestionPage(rows, total, page, per_page)


def filter_choices(session: Session) -> dict[str, list[Any]]:
    """What the search form offers: tracks, topics in use, types, difficulties, statuses."""
    latest = _latest_versions()
    topics = session.scalars(
        select(QuestionVersion.topic).distinct()
        .join(latest, and_(latest.c.question_id == QuestionVersion.question_id,
                           latest.c.number == QuestionVersion.number))
        .order_by(QuestionVersion.topic)).all()
    return {
        "tracks": list(session.scalars(select(Track).order_by(Track.position, Track.key))),
        "topics": list(topics),
        "types": [(name, get_type(name).label) for name in TYPE_NAMES],
        "difficulties": [1, 2, 3, 4, 5],
        "statuses": list(QUESTION_STATUSES),
    }
