"""The pool a track's assessments draw from: the current version of every active question.

Reading it scans the whole bank (100,000 questions take most of a second), and every start and
every catalogue page needs it. Each process therefore keeps the pool of each track in memory, keyed
by the track's `bank_revision`, which every change to the track's questions raises in the same
transaction (quiz.models.banks). A start then costs what it draws, whatever the size of the bank;
`start_attempt` still checks the drawn versions against the database before it pins them.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from threading import Lock

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from quiz.bank.blueprint import eligible_by_stratum
from quiz.bank.specs import Stratum
from quiz.models import Question, QuestionVersion, Track

MAX_CACHED_POOLS = 64  # tracks × databases one process serves (tests open many databases)


@dataclass
class TrackPool:
    revision: int
    versions: tuple[tuple[int, str, int], ...]  # (version id, topic, difficulty)
    cells: Counter[tuple[str, int]]  # questions per (topic, difficulty)
    types_by_cell: dict[tuple[str, int], frozenset[str]]  # the question types of each (topic, difficulty)
    _eligible: dict[tuple[Stratum, ...], list[list[int]]] = field(default_factory=dict)

    def eligible(self, blueprint: Sequence[Stratum]) -> list[list[int]]:
        key = tuple(blueprint)
        if key not in self._eligible:
            self._eligible[key] = eligible_by_stratum(key, self.versions)
        return self._eligible[key]

    def topic_difficulties(self) -> list[tuple[str, int]]:
        return [(topic, difficulty) for _, topic, difficulty in self.versions]


_pools: OrderedDict[tuple[str, int], TrackPool] = OrderedDict()
_lock = Lock()  # gthread workers share one process


def read_pool(session: Session, track_id: int) -> list[tuple[int, str, int, str]]:
    """(version id, topic, difficulty, type) of the current version of every active question."""
    latest = (select(func.max(QuestionVersion.id)).join(Question)
              .where(Question.track_id == track_id, Question.status == "active")
              .group_by(QuestionVersion.question_id))
    rows = session.execute(select(QuestionVersion.id, QuestionVersion.topic, QuestionVersion.difficulty,
                                  QuestionVersion.type).where(QuestionVersion.id.in_(latest)))
    return [(ident, topic, difficulty, type_name) for ident, topic, difficulty, type_name in rows]


def track_pool(session: Session, track: Track) -> TrackPool:
    """The track's pool as of `track.bank_revision` (read from the database when it changed)."""
    key = (session.get_bind().url.render_as_string(hide_password=True), track.id)
    with _lock:
        cached = _pools.get(key)
        if cached is not None and cached.revision == track.bank_revision:
            _pools.move_to_end(key)
            return cached
    rows = read_pool(session, track.id)
    versions = tuple(sorted((ident, topic, difficulty) for ident, topic, difficulty, _ in rows))
    types: dict[tuple[str, int], set[str]] = {}
    for _, topic, difficulty, type_name in rows:
        types.setdefault((topic, difficulty), set()).add(type_name)
    pool = TrackPool(track.bank_revision, versions, Counter((topic, d) for _, topic, d in versions),
                     {cell: frozenset(names) for cell, names in types.items()})
    with _lock:
        _pools[key] = pool
        _pools.move_to_end(key)
        while len(_pools) > MAX_CACHED_POOLS:
            _pools.popitem(last=False)
    return pool


def forget_pools() -> None:
    """Drop every cached pool (a start that finds a drawn version stale calls it, and tests may)."""
    with _lock:
        _pools.clear()
