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


def read_pool(session: Session, track_id: int) -> list[tuple[int, str, int]]:
    latest = (select(func.max(QuestionVersion.id)).join(Question)
              .where(Question.track_id == track_id, Question.status == "active")
              .group_by(QuestionVersion.question_id))
    rows = session.execute(select(QuestionVersion.id, QuestionVersion.topic, QuestionVersion.difficulty)
                           .where(QuestionVersion.id.in_(latest)))
    return [(ident, topic, difficulty) for ident, topic, difficulty in rows]


def track_pool(session: Session, track: Track) -> TrackPool:
    """The track's pool as of `track.bank_revision` (read from the database when it changed)."""
    key = (session.get_bind().url.render_as_string(hide_password=True), track.id)
    with _lock:
        cached = _pools.get(key)
        if cached is not None and cached.revision == track.bank_revision:
            _pools.move_to_end(key)
            return cached
    versions = tuple(sorted(read_pool(session, track.id)))
    pool = TrackPool(track.bank_revision, versions, Counter((topic, d) for _, topic, d in versions))
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
