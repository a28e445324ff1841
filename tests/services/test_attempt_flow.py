"""Starting, answering and submitting an attempt, with an injected clock (no test sleeps)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from quiz.assessment.errors import AlreadyAttempted, AlreadyStarted, AttemptClosed, NotEligible
from quiz.assessment.services import (
    record_signal,
    save_answer,
    set_flag,
    start_attempt,
    submit_attempt,
    sweep_expired,
)
from quiz.bank.load import load_bank
from quiz.bank.sync import sync_bank
from quiz.models import Attempt, Question, QuestionVersion
from quiz.question_types import AnswerError
from tests.conftest import BANK_DIR
from tests.services.conftest import GRACE, T0, assessment, candidate


def _answer_all(session: Session, attempt: Attempt, right: int, now) -> None:  # type: ignore[no-untyped-def]
    """Answer the first `right` items correctly and the rest wrongly."""
    for item in attempt.items:
        save_answer(session, attempt, item.position, "a" if item.position <= right else "b", 1, now, GRACE)


def test_start_draws_by_blueprint_pins_versions_and_shuffles_options(session: Session, tmp_path) -> None:
    sync_bank(session, load_bank(BANK_DIR))
    general = assessment(session, "general-starter")
    attempt = start_attempt(session, candidate(session), general, T0, seed=1234)
    topics = sorted(item.question_version.topic for item in attempt.items)
    expected = sorted(s["topic"] for s in general.blueprint for _ in range(s["count"]))
    assert topics == expected and len(attempt.items) == general.questions_drawn == 12
    for item in attempt.items:
        stratum = next(s for s in general.blueprint if s["topic"] == item.question_version.topic)
        assert stratum["difficulty"][0] <= item.question_version.difficulty <= stratum["difficulty"][1]
        definition = item.question_version.definition
        if item.question_version.type in ("single_choice", "multiple_choice"):
            assert sorted(item.option_order) == sorted(o["id"] for o in definition["options"])
    assert [i.position for i in attempt.items] == list(range(1, 13))
    assert attempt.seed == 1234 and attempt.pass_mark == general.pass_mark


def test_the_same_seed_draws_the_same_form(session: Session) -> None:
    sync_bank(session, load_bank(BANK_DIR))
    general, coding = assessment(session, "general-starter"), assessment(session, "general-starter")
    one = start_attempt(session, candidate(session, "one@example.com"), general, T0, seed=99)
    two = start_attempt(session, candidate(session, "two@example.com"), coding, T0, seed=99)
    assert [(i.question_version_id, i.option_order) for i in one.items] == \
           [(i.question_version_id, i.option_order) for i in two.items]


def test_deadline_uses_the_accommodation_factor(bank: Session) -> None:
    plain = start_attempt(bank, candidate(bank, "p@example.com"), assessment(bank, "alpha-starter"), T0)
    extra = start_attempt(bank, candidate(bank, "e@example.com", factor="1.25"), assessment(bank, "alpha-starter"), T0)
    assert plain.deadline_at == T0 + timedelta(minutes=60)
    assert extra.deadline_at == T0 + timedelta(minutes=75)
    assert extra.accommodation_factor == Decimal("1.25")


def test_an_edit_after_the_start_does_not_change_the_attempt(bank: Session, tmp_path) -> None:
    from tests.services.conftest import write_small_bank

    attempt = start_attempt(bank, candidate(bank), assessment(bank, "alpha-starter"), T0)
    pinned = {i.position: i.question_version_id for i in attempt.items}
    folder = write_small_bank(tmp_path / "edited")
    text = (folder / "alpha.yaml").read_text().replace("which is right?", "which one is right?")
    (folder / "alpha.yaml").write_text(text)
    report = sync_bank(bank, load_bank(folder))
    assert len(report.new_versions) == 6
    bank.expire_all()
    assert {i.position: i.question_version_id for i in attempt.items} == pinned
    assert all(i.question_version.number == 1 for i in attempt.items)


@pytest.mark.parametrize(("setup", "error", "message"), [
    ("no_application", NotEligible, "Complete your application"),
    ("second_starter", AlreadyAttempted, "starter assessment can be taken only once"),
    ("same_twice", AlreadyStarted, "already started this assessment; it is in progress"),
    ("specialist_without_pass", NotEligible, "once you pass a starter"),
])
def test_who_may_start(bank: Session, setup: str, error: type, message: str) -> None:
    user = candidate(bank, applied=setup != "no_application")
    if setup in ("second_starter", "same_twice"):
        start_attempt(bank, user, assessment(bank, "alpha-starter"), T0)
    target = {"no_application": "alpha-starter", "second_starter": "beta-starter", "same_twice": "alpha-starter",
              "specialist_without_pass": "beta-specialist"}[setup]
    with pytest.raises(error, match=message):
        start_attempt(bank, user, assessment(bank, target), T0)


def test_saves_count_until_deadline_plus_grace_and_not_after(bank: Session) -> None:
    attempt = start_attempt(bank, candidate(bank), assessment(bank, "alpha-starter"), T0)
    deadline = attempt.deadline_at
    result = save_answer(bank, attempt, 1, "a", 1, deadline - timedelta(seconds=1), GRACE)
    assert result.saved and result.seconds_left == 1
    assert save_answer(bank, attempt, 2, "a", 1, deadline + timedelta(seconds=GRACE), GRACE).saved
    with pytest.raises(AttemptClosed, match="Time is up"):
        save_answer(bank, attempt, 3, "a", 1, deadline + timedelta(seconds=GRACE, microseconds=1), GRACE)
    assert attempt.items[2].answer is None
    assert attempt.status == "decided" and attempt.submit_reason == "deadline"  # closed items only: decided at once
    assert attempt.submitted_at == deadline


def test_an_older_save_arriving_late_never_overwrites_a_newer_one(bank: Session) -> None:
    attempt = start_attempt(bank, candidate(bank), assessment(bank, "alpha-starter"), T0)
    assert save_answer(bank, attempt, 1, "b", 2, T0, GRACE).saved
    late = save_answer(bank, attempt, 1, "a", 1, T0 + timedelta(seconds=1), GRACE)
    assert not late.saved and late.answer == "b" and late.seq == 2
    assert attempt.items[0].answer == "b" and attempt.items[0].answer_seq == 2


def test_a_malformed_answer_is_refused_and_changes_nothing(bank: Session) -> None:
    attempt = start_attempt(bank, candidate(bank), assessment(bank, "alpha-starter"), T0)
    save_answer(bank, attempt, 1, "a", 1, T0, GRACE)
    with pytest.raises(AnswerError):
        save_answer(bank, attempt, 1, "zz", 2, T0, GRACE)
    assert attempt.items[0].answer == "a" and attempt.items[0].answer_seq == 1


def test_submit_by_candidate_grades_and_decides_at_once(bank: Session) -> None:
    attempt = start_attempt(bank, candidate(bank), assessment(bank, "alpha-starter"), T0)
    _answer_all(bank, attempt, right=3, now=T0)
    set_flag(bank, attempt, 4, True, T0, GRACE)
    decision = submit_attempt(bank, attempt, T0 + timedelta(minutes=10), GRACE)
    assert decision == "pass" and attempt.status == "decided" and attempt.submit_reason == "candidate"
    assert attempt.score_percent == Decimal("75.00") and attempt.tier.key == "basic"
    assert attempt.items[3].flagged
    with pytest.raises(AttemptClosed):
        submit_attempt(bank, attempt, T0 + timedelta(minutes=11), GRACE)
    with pytest.raises(AttemptClosed):
        save_answer(bank, attempt, 1, "b", 5, T0 + timedelta(minutes=11), GRACE)


def test_open_items_wait_for_a_grader(bank: Session) -> None:
    user = candidate(bank)
    attempt = start_attempt(bank, user, assessment(bank, "beta-starter"), T0)
    for item in attempt.items:
        raw = "a" if item.question_version.type == "single_choice" else "My explanation of it."
        save_answer(bank, attempt, item.position, raw, 1, T0, GRACE)
    decision = submit_attempt(bank, attempt, T0 + timedelta(minutes=5), GRACE)
    essays = [i for i in attempt.items if i.question_version.type == "essay"]
    assert decision is None and attempt.status == "submitted" and attempt.decision is None
    assert essays and all(i.pending for i in essays)
    assert all(not i.pending for i in attempt.items if i.question_version.type != "essay")


def test_lazy_finalisation_and_sweep_submit_with_the_answers_saved_before(bank: Session) -> None:
    first = start_attempt(bank, candidate(bank, "one@example.com"), assessment(bank, "alpha-starter"), T0)
    second = start_attempt(bank, candidate(bank, "two@example.com"), assessment(bank, "alpha-starter"), T0)
    _answer_all(bank, first, right=4, now=T0)
    after = first.deadline_at + timedelta(seconds=GRACE + 1)
    with pytest.raises(AttemptClosed):  # the next request touching it finalises it
        set_flag(bank, first, 1, True, after, GRACE)
    assert first.status == "decided" and first.decision == "pass" and first.submit_reason == "deadline"
    assert sweep_expired(bank, first.deadline_at, GRACE) == []  # not before deadline + grace
    assert sweep_expired(bank, after, GRACE) == [second.id]
    assert second.submit_reason == "sweep" and second.decision == "fail" and second.submitted_at == second.deadline_at


def test_signals_are_recorded_while_the_attempt_runs(bank: Session) -> None:
    attempt = start_attempt(bank, candidate(bank), assessment(bank, "alpha-starter"), T0)
    assert record_signal(bank, attempt, "tab_hidden", 2, None, T0)
    assert record_signal(bank, attempt, "paste", 3, {"length": 800}, T0 + timedelta(seconds=5))
    with pytest.raises(ValueError):
        record_signal(bank, attempt, "webcam", None, None, T0)
    submit_attempt(bank, attempt, T0 + timedelta(minutes=1), GRACE)
    assert not record_signal(bank, attempt, "tab_hidden", 1, None, T0 + timedelta(minutes=2))
    assert [(s.kind, s.position) for s in attempt.signals] == [("tab_hidden", 2), ("paste", 3)]


def test_retired_questions_are_never_drawn(bank: Session) -> None:
    for question in bank.scalars(select(Question).where(Question.key.in_(["a-0", "a-1"]))):
        question.status = "retired"
    bank.flush()
    attempt = start_attempt(bank, candidate(bank), assessment(bank, "alpha-starter"), T0)
    keys = {bank.get(QuestionVersion, i.question_version_id).question.key for i in attempt.items}
    assert keys == {"a-2", "a-3", "a-4", "a-5"}
