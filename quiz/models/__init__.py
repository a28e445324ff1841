"""SQLAlchemy models, one module per aggregate. Import from here."""

from quiz.models.accounts import AccountSignal, LoginSession
from quiz.models.attempts import Attempt, AttemptItem, AttemptSignal
from quiz.models.audit import AuditEntry
from quiz.models.banks import Question, QuestionVersion
from quiz.models.mail import OutboxMail
from quiz.models.base import Base, utcnow
from quiz.models.code_runs import CodeRun
from quiz.models.psychometrics import AttemptAbility, Calibration, PsychometricSettings
from quiz.models.tracks import DEFAULT_REVIEW_POLICY, Assessment, Tier, Track
from quiz.models.users import CandidateApplication, User

__all__ = [
    "AccountSignal", "LoginSession",
    "Assessment", "Attempt", "AttemptAbility", "AttemptItem", "AttemptSignal", "AuditEntry", "Base", "Calibration",
    "CandidateApplication", "CodeRun", "DEFAULT_REVIEW_POLICY", "OutboxMail", "PsychometricSettings", "Question",
    "QuestionVersion", "Tier", "Track", "User", "utcnow",
]
