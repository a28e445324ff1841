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


def shown_by_question(session: Session, assessment: Assessment) -> dict[int, int]:
    """{question id: attempts of this assessment that showed it}."""
    rows = session.execute(
        select(QuestionVersion.question_id, func.count(func.distinct(AttemptItem.attempt_id)))
        .join(AttemptItem, AttemptItem.question_version_id == QuestionVersion.id)
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .where(Attempt.assessment_id == assessment.id)
        .group_by(QuestionVersion.question_id))
    return {question_id: int(count) for question_id, count in rows}


def exposure_for(session: Session, assessment: Assessment, version_ids: list[int]) -> Exposure | None:
    """The exposure state of the pool's versions, or None when the assessment has no cap (plain draw)."""
    settings = session.get(PsychometricSettings, assessment.id)
    if settings is None or settings.exposure_cap is None:
        return None
    question_of = dict(session.execute(select(QuestionVersion.id, QuestionVersion.question_id)
                                       .where(QuestionVersion.id.in_(version_ids))).all())
    shown = shown_by_question(session, assessment)
    counts = {version_id: shown.get(question_id, 0) for version_id, question_id in question_of.items()}
    return Exposure(counts, attempts_started(session, assessment), float(settings.exposure_cap))
