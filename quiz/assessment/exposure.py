"""How often each question of an assessment has been shown, for the exposure-controlled draw.

A question counts once per attempt that showed any version of it (a voided attempt too:
what was seen was seen). Services: read only.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from quiz.bank.blueprint import Exposure
from quiz.models import Assessment, Attempt, AttemptItem, PsychometricSettings, QuestionVersion


def attempts_started(session: Session, assessment: Assessment) -> int:
    return session.scalar(select(func.count()).select_from(Attempt)
                          .where(Attempt.assessment_id == assessment.id)) or 0


def _shown_per_question(assessment: Assessment):  # type: ignore[no-untyped-def]
    return (select(QuestionVersion.question_id, func.count(func.distinct(AttemptItem.attempt_id)).label("shown"))
            .join(AttemptItem, AttemptItem.question_version_id == QuestionVersion.id)
            .join(Attempt, Attempt.id == AttemptItem.attempt_id)
            .where(Attempt.assessment_id == assessment.id)
            .group_by(QuestionVersion.question_id))


def shown_by_question(session: Session, assessment: Assessment) -> dict[int, int]:
    """{question id: attempts of this assessment that showed it}."""
    return {question_id: int(count) for question_id, count in session.execute(_shown_per_question(assessment))}


def exposure_for(session: Session, assessment: Assessment) -> Exposure | None:
    """The exposure state of the track's versions, or None when the assessment has no cap (plain draw).

    Counts are keyed by version (every version of a shown question carries its question's count)
    and hold only shown questions: what a start reads grows with the assessment's history, never
    with the size of the bank."""
    settings = session.get(PsychometricSettings, assessment.id)
    if settings is None or settings.exposure_cap is None:
        return None
    shown = _shown_per_question(assessment).subquery()
    rows = session.execute(select(QuestionVersion.id, shown.c.shown)
                           .join(shown, shown.c.question_id == QuestionVersion.question_id))
    counts = {version_id: int(count) for version_id, count in rows}
    return Exposure(counts, attempts_started(session, assessment), float(settings.exposure_cap))
