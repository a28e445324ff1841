"""The in-memory pool of a track follows every change to its questions, by any path."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from quiz.admin.questions import get_question, restore_question, retire_question, save_question
from quiz.assessment.services import start_attempt
from quiz.bank.blueprint import draw_form, draw_eligible, eligible_by_stratum, strata_from_data
from quiz.bank.pools import read_pool, track_pool
from quiz.models import Question, QuestionVersion, Track
from tests.services.conftest import T0, assessment, candidate

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _track(session: Session, key: str = "alpha") -> Track:
    return session.scalar(select(Track).where(Track.key == key))


def _drawn_keys(session: Session, email: str) -> set[str]:
    attempt = start_attempt(session, candidate(session, email), assessment(session, "alpha-starter"), T0)
    return {item.question_version.question.key for item in attempt.items}


def test_retiring_restoring_and_editing_raise_the_revision_and_refresh_the_pool(bank: Session) -> None:
    track = _track(bank)
    before = track.bank_revision
    first = track_pool(bank, track)
    question = get_question(bank, "a-0")
    retire_question(bank, None, question, NOW)
    bank.flush()
    assert track.bank_revision == before + 1
    assert len(track_pool(bank, track).versions) == len(first.versions) - 1
    restore_question(bank, None, question, NOW)
    bank.flush()
    assert track.bank_revision == before + 2 and len(track_pool(bank, track).versions) == len(first.versions)
    version = question.current
    save_question(bank, None, track, "a-0", "single_choice", version.topic, version.difficulty, version.points,
                  {**version.definition, "prompt": "A reworded prompt: which is right?"}, NOW)
    bank.flush()
    assert track.bank_revision == before + 3
    newest = bank.scalar(select(QuestionVersion.id).where(QuestionVersion.question_id == question.id)
                         .order_by(QuestionVersion.id.desc()).limit(1))
    assert newest in {ident for ident, _, _ in track_pool(bank, track).versions}


def test_another_tracks_change_leaves_this_tracks_revision(bank: Session) -> None:
    alpha, beta = _track(bank, "alpha"), _track(bank, "beta")
    alpha_before = alpha.bank_revision
    retire_question(bank, None, get_question(bank, "b-0"), NOW)
    bank.flush()
    assert alpha.bank_revision == alpha_before and beta.bank_revision > 0


def test_a_start_never_pins_a_retired_question_even_if_the_cache_missed_the_change(bank: Session) -> None:
    track_pool(bank, _track(bank))  # cached
    # A change that bypasses the ORM (and so the revision): the cached pool is now stale.
    bank.execute(update(Question).where(Question.key.in_(["a-0", "a-1"])).values(status="retired"))
    for n in range(6):
        assert not _drawn_keys(bank, f"c{n}@example.com") & {"a-0", "a-1"}


def test_the_prepared_draw_is_the_plain_draw(bank: Session) -> None:
    blueprint = strata_from_data(assessment(bank, "alpha-starter").blueprint)
    pool = [(ident, topic, difficulty) for ident, topic, difficulty, _ in read_pool(bank, _track(bank).id)]
    for seed in range(20):
        assert draw_eligible(blueprint, eligible_by_stratum(blueprint, pool), random.Random(seed)) == \
            draw_form(blueprint, list(reversed(pool)), random.Random(seed))
