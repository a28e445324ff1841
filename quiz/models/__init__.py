"""SQLAlchemy models, one module per aggregate. Import from here."""

from quiz.models.attempts import Attempt, AttemptItem, AttemptSignal
from quiz.models.audit import AuditEntry
from quiz.models.banks import Question, QuestionVersion
from quiz.models.base import Base, utcnow
from quiz.models.code_runs import CodeRun
from quiz.models.tracks import DEFAULT_REVIEW_POLICY, Assessment, Tier, Track
from quiz.models.users import CandidateApplication, User

__all__ = [
    "Assessment", "Attempt", "AttemptItem", "AttemptSignal", "AuditEntry", "Base", "CandidateApplication", "CodeRun",
    "DEFAULT_REVIEW_POLICY", "Question", "QuestionVersion", "Tier", "Track", "User", "utcnow",
]
