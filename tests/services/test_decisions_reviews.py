"""Decisions, mail after commit, the one-time review, specialist unlock and tier placement."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from quiz.assessment.errors import NotEligible, ReviewOpenElsewhere, ReviewUnavailable
from quiz.assessment.grading import candidate_tier
from quiz.assessment.review import check_review, finish_review, open_review, review_content, review_state
from quiz.assessment.services import save_answer, start_attempt, submit_attempt
from quiz.bank.load import load_bank
from quiz.bank.sync import sync_bank
from quiz.candidates.services import dashboard
from quiz.models import OutboxMail, Tier, User
from tests.services.conftest import GRACE, T0, WINDOW, assessment, candidate, write_small_bank


def _take(session: Session, user: User, key: str, right: int, now=T0):  # type: ignore[no-untyped-def]
    attempt = start_attempt(session, user, assessment(session, key), now)
    for item in attempt.items:
        save_answer(session, attempt, item.position, "a" if item.position <= right else "b", 1, now, GRACE)
    submit_attempt(session, attempt, now + timedelta(minutes=5), GRACE)
    return attempt


def test_a_decision_writes_its_mail_to_the_outbox_in_its_transaction(bank: Session) -> None:
    attempt = _take(bank, candidate(bank), "alpha-starter", right=4)
    [decision] = bank.query(OutboxMail).filter_by(kind="decision").all()  # flushed, not yet committed
    assert decision.to_address == "cand@example.com" and "passed" in decision.body_text
    assert "$20.00" in decision.body_text and decision.status == "queued"
    bank.rollback()
    assert bank.query(OutboxMail).count() == 0  # the decision rolled back, and its mail with it


def test_a_failed_attempt_places_no_tier(bank: Session) -> None:
    user = candidate(bank)
    attempt = _take(bank, user, "alpha-starter", right=1)
    assert attempt.decision == "fail" and attempt.tier is None
    assert candidate_tier(bank, user) is None


def test_passing_a_starter_opens_the_specialists_of_the_other_tracks(bank: Session) -> None:
    user = candidate(bank)
    with pytest.raises(NotEligible):
        start_attempt(bank, user, assessment(bank, "beta-specialist"), T0)
    _take(bank, user, "alpha-starter", right=4)
    with pytest.raises(NotEligible, match="other tracks"):
        start_attempt(bank, user, assessment(bank, "alpha-specialist"), T0)
    board = dashboard(bank, user, T0 + timedelta(hours=1), GRACE, WINDOW)
    assert [o.assessment.key for o in board.specialists] == ["beta-specialist"]
    assert board.specialists[0].can_start
    start_attempt(bank, user, assessment(bank, "beta-specialist"), T0 + timedelta(hours=1))


def test_the_tier_is_the_highest_among_passes_at_its_current_rate(bank: Session) -> None:
    user = candidate(bank)
    _take(bank, user, "alpha-starter", right=4)
    assert candidate_tier(bank, user).key == "basic"
    specialist = start_attempt(bank, user, assessment(bank, "beta-specialist"), T0 + timedelta(hours=1))
    for item in specialist.items:
        raw = "a" if item.question_version.type == "single_choice" else "An explanation."
        save_answer(bank, specialist, item.position, raw, 1, T0 + timedelta(hours=1), GRACE)
    submit_attempt(bank, specialist, T0 + timedelta(hours=1, minutes=5), GRACE)
    if specialist.status == "submitted":  # essays drawn: a grader gives full marks
        from quiz.assessment.grading import regrade_items, settle

        for item in specialist.items:
            if item.pending:
                item.manual_scores = {"content": 2}
        regrade_items(specialist)
        settle(bank, specialist, T0 + timedelta(hours=2))
    assert specialist.decision == "pass"
    tier = candidate_tier(bank, user)
    assert (tier.key, tier.hourly_rate) == ("pro", 50)
    bank.query(Tier).filter_by(key="pro").one().hourly_rate = 55
    bank.flush()
    assert candidate_tier(bank, user).hourly_rate == 55


def test_confirmation_required_means_no_decision_until_a_person_confirms(session: Session, tmp_path: Path) -> None:
    sync_bank(session, load_bank(write_small_bank(tmp_path / "b", confirm_beta=True)))
    user = candidate(session)
    attempt = start_attempt(session, user, assessment(session, "beta-starter"), T0)
    for item in attempt.items:
        save_answer(session, attempt, item.position, None, 1, T0, GRACE)
    assert submit_attempt(session, attempt, T0 + timedelta(minutes=1), GRACE) is None
    assert attempt.status == "submitted" and attempt.score_percent is not None and attempt.decision is None


def test_the_review_opens_once_in_one_tab_until_finished(bank: Session) -> None:
    attempt = _take(bank, candidate(bank), "alpha-starter", right=4)
    now = T0 + timedelta(hours=1)
    assert review_state(attempt, now, WINDOW) == "available"
    token = open_review(bank, attempt, now, WINDOW)
    with pytest.raises(ReviewOpenElsewhere):
        open_review(bank, attempt, now, WINDOW)
    check_review(attempt, token, now + timedelta(minutes=1), WINDOW)  # reload in the same tab
    with pytest.raises(ReviewOpenElsewhere):
        check_review(attempt, "another-tab", now, WINDOW)
    finish_review(bank, attempt, token, now + timedelta(minutes=2), WINDOW)
    assert review_state(attempt, now + timedelta(minutes=3), WINDOW) == "used"
    with pytest.raises(ReviewUnavailable, match="already used"):
        check_review(attempt, token, now + timedelta(minutes=3), WINDOW)
    with pytest.raises(ReviewUnavailable, match="already used"):
        open_review(bank, attempt, now + timedelta(minutes=3), WINDOW)


def test_the_review_closes_by_itself_when_the_window_ends(bank: Session) -> None:
    attempt = _take(bank, candidate(bank), "alpha-starter", right=4)
    now = T0 + timedelta(hours=1)
    token = open_review(bank, attempt, now, WINDOW)
    check_review(attempt, token, now + timedelta(minutes=WINDOW) - timedelta(seconds=1), WINDOW)
    with pytest.raises(ReviewUnavailable, match="already used"):
        check_review(attempt, token, now + timedelta(minutes=WINDOW), WINDOW)


def test_no_review_before_a_decision(bank: Session) -> None:
    attempt = start_attempt(bank, candidate(bank), assessment(bank, "alpha-starter"), T0)
    with pytest.raises(ReviewUnavailable, match="once a decision"):
        open_review(bank, attempt, T0, WINDOW)


def test_default_review_policy_shows_scores_and_topics_but_no_keys(bank: Session) -> None:
    attempt = _take(bank, candidate(bank), "alpha-starter", right=3)
    content = review_content(attempt)
    assert content.percent == 75 and content.decision == "pass" and content.tier.key == "basic"
    assert content.topics == [("a", 3, 4, 75)]
    assert content.items == []  # no answers, keys or explanations leave the server


def test_the_dashboard_walks_the_candidate_through(bank: Session) -> None:
    user = candidate(bank, applied=False)
    assert dashboard(bank, user, T0, GRACE, WINDOW).stage == "apply"
    user = candidate(bank, "ready@example.com")
    board = dashboard(bank, user, T0, GRACE, WINDOW)
    assert board.stage == "choose_starter" and {o.assessment.key for o in board.starters} == {"alpha-starter",
                                                                                               "beta-starter"}
    attempt = start_attempt(bank, user, assessment(bank, "beta-starter"), T0)
    board = dashboard(bank, user, T0 + timedelta(minutes=10), GRACE, WINDOW)
    assert board.stage == "in_progress" and board.in_progress.seconds_left == 50 * 60
    board = dashboard(bank, user, attempt.deadline_at + timedelta(seconds=GRACE + 1), GRACE, WINDOW)
    assert attempt.submit_reason == "deadline"  # finalised lazily by the dashboard itself
    assert board.stage in ("awaiting_decision", "decided")


def test_the_tier_a_pass_places_is_fixed_when_the_attempt_starts(bank: Session) -> None:
    attempt = start_attempt(bank, candidate(bank), assessment(bank, "alpha-starter"), T0)
    assessment(bank, "alpha-starter").tier = bank.query(Tier).filter_by(key="pro").one()  # edited mid-attempt
    bank.flush()
    for item in attempt.items:
        save_answer(bank, attempt, item.position, "a", 1, T0, GRACE)
    submit_attempt(bank, attempt, T0 + timedelta(minutes=5), GRACE)
    assert attempt.decision == "pass" and attempt.tier.key == "basic"
