"""An item whose pinned version no longer passes its type's rules: finalising, scoring and sweeping go on,
on both engines; the item waits for a person and the attempt is not decided on a wrong score."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from quiz.assessment.grading import GRADING_FAILED, grade_item
from quiz.assessment.services import save_answer, start_attempt, sweep_expired
from tests.services.conftest import GRACE, T0, assessment, candidate


def test_a_version_that_no_longer_parses_waits_for_a_person(bank: Session) -> None:
    session = bank
    attempt = start_attempt(session, candidate(session), assessment(session, "alpha-starter"), T0)
    for item in attempt.items:
        save_answer(session, attempt, item.position, "a", 1, T0, GRACE)
    broken = attempt.items[0]
    # As stored before RE2: a backreference, which Python's re took.
    broken.question_version.type = "short_text"
    broken.question_version.definition = {"prompt": "p", "explanation": "e", "accepted": [], "case_sensitive": False,
                                          "regex": r"(a)\1", "max_length": 200}
    broken.answer, broken.option_order = "aa", None
    session.commit()

    assert sweep_expired(session, T0 + timedelta(hours=2), GRACE) == [attempt.id]
    session.commit()
    session.refresh(attempt)
    assert attempt.status == "submitted" and attempt.decision is None
    assert broken.pending and "RE2" in grade_item(broken).detail[GRADING_FAILED]
    assert [item.pending for item in attempt.items[1:]] == [False] * (len(attempt.items) - 1)
