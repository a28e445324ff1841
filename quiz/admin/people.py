"""Candidates and staff: search, accommodations, voiding attempts, creating users."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from quiz.assessment.grading import candidate_tier
from quiz.audit import record
from quiz.auth import duplicates
from quiz.clock import SystemClock
from quiz.auth.passwords import check_password_strength, hash_password, normalise_email
from quiz.models import Attempt, CandidateApplication, User
from quiz.models.users import ROLES
from quiz.scoring import TierRef

MIN_FACTOR, MAX_FACTOR = Decimal("1.00"), Decimal("4.00")


class PeopleError(ValueError):
    """A rule about people was broken; `field` names the form field the message belongs next to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def search_candidates(session: Session, text: str = "", page: int = 1, per_page: int = 25, *,
                      with_signals: bool = False) -> tuple[list[User], int]:
    """`with_signals`: only candidates with a possible-duplicate signal (quiz.auth.duplicates)."""
    query = select(User).outerjoin(CandidateApplication).where(User.role == "candidate")
    if with_signals:
        query = query.where(User.id.in_(duplicates.users_with_signals()))
    if text.strip():
        # % and _ typed by the admin are searched for literally, not as wildcards.
        escaped = text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"%{escaped}%"
        query = query.where(or_(func.lower(User.email).like(like, escape="\\"),
                                func.lower(CandidateApplication.full_name).like(like, escape="\\")))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    users = session.scalars(query.order_by(User.created_at.desc(), User.id.desc())
                            .offset((max(page, 1) - 1) * per_page).limit(per_page)
                            .options(selectinload(User.application))).all()
    return list(users), int(total or 0)


@dataclass(frozen=True)
class CandidatesPage:
    users: list[User]
    total: int
    signal_counts: dict[int, int]  # user id -> how many accounts it may duplicate


def candidates_page(session: Session, text: str, page: int, per_page: int, *, with_signals: bool) -> CandidatesPage:
    users, total = search_candidates(session, text, page, per_page, with_signals=with_signals)
    return CandidatesPage(users, total, duplicates.signal_counts(session, [user.id for user in users]))


def candidate_attempts(session: Session, user: User) -> list[Attempt]:
    return list(session.scalars(select(Attempt).where(Attempt.user_id == user.id).order_by(Attempt.started_at)
                                .options(selectinload(Attempt.signals), selectinload(Attempt.assessment))))


def set_accommodation(session: Session, admin: User, candidate: User, factor: str | Decimal, reason: str,
                      now: datetime) -> None:
    """Extra time for attempts started from now on; the reason stays private to admins."""
    try:
        value = Decimal(str(factor).strip())
        if not value.is_finite():  # NaN would otherwise fail the range check with an exception
            raise InvalidOperation
        value = value.quantize(Decimal("0.01"))
    except InvalidOperation:
        raise PeopleError("The factor must be a number such as 1.25, 1.5 or 2.", "factor") from None
    if not MIN_FACTOR <= value <= MAX_FACTOR:
        raise PeopleError(f"The factor must be between {MIN_FACTOR} and {MAX_FACTOR}.", "factor")
    if value != MIN_FACTOR and not (reason or "").strip():
        raise PeopleError("Give the reason for the accommodation (kept private).", "reason")
    before = {"factor": str(candidate.accommodation_factor), "reason": candidate.accommodation_reason}
    candidate.accommodation_factor = value
    candidate.accommodation_reason = (reason or "").strip() or None
    record(session, admin, "candidate.accommodation", "user", candidate.id, before=before,
           after={"factor": str(value), "reason": candidate.accommodation_reason}, at=now)
    session.flush()


def void_attempt(session: Session, admin: User, attempt: Attempt, reason: str, now: datetime) -> None:
    """For a documented technical failure: the attempt is kept, marked void, and the candidate may
    start that assessment once more (the unique indexes ignore void attempts)."""
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise PeopleError("Describe the technical failure (at least 10 characters): it is kept with the attempt.",
                          "reason")
    if attempt.status == "voided":
        raise PeopleError("This attempt is already void.")
    before = {"status": attempt.status, "decision": attempt.decision}
    attempt.status, attempt.voided_at, attempt.voided_reason, attempt.voided_by_id = "voided", now, reason, admin.id
    record(session, admin, "attempt.void", "attempt", attempt.id, before=before,
           after={"status": "voided", "reason": reason}, at=now)
    session.flush()


def load_candidate(session: Session, candidate_id: int) -> User:
    """A candidate account by id; LookupError for anyone else (views answer 404)."""
    user = session.get(User, candidate_id)
    if user is None or user.role != "candidate":
        raise LookupError(candidate_id)
    return user


def load_attempt_for_admin(session: Session, attempt_id: int, *, for_update: bool = False) -> Attempt:
    """Any attempt by id; `for_update` locks it so a void never interleaves with a submit or a grade."""
    query = select(Attempt).where(Attempt.id == attempt_id)
    if for_update:
        query = query.with_for_update()
    attempt = session.scalar(query.options(selectinload(Attempt.assessment), selectinload(Attempt.user)))
    if attempt is None:
        raise LookupError(attempt_id)
    return attempt


@dataclass(frozen=True)
class AttemptRecord:
    attempt: Attempt
    signal_counts: dict[str, int] = field(default_factory=dict)

    @property
    def signal_total(self) -> int:
        return sum(self.signal_counts.values())


@dataclass(frozen=True)
class CandidateOverview:
    """What an admin sees on a candidate's page."""

    user: User
    application: CandidateApplication | None
    attempts: list[AttemptRecord]
    placement: TierRef | None  # the highest tier among non-void passes, at its current rate
    duplicates: list[duplicates.PossibleDuplicate] = field(default_factory=list)  # signals, never verdicts


def candidate_overview(session: Session, candidate: User) -> CandidateOverview:
    records = [AttemptRecord(attempt, dict(Counter(signal.kind for signal in attempt.signals)))
               for attempt in candidate_attempts(session, candidate)]
    return CandidateOverview(candidate, candidate.application, records, candidate_tier(session, candidate),
                             duplicates.possible_duplicates(session, candidate))


def void_consequences(attempt: Attempt) -> list[str]:
    """What voiding this attempt changes, in words, for the confirmation page."""
    title = attempt.assessment.title
    lines = ["The attempt is kept with its answers, scores and signals, and marked void with your reason "
             "(recorded in the audit log). This cannot be undone."]
    if attempt.status == "in_progress":
        lines.append("The attempt is still running: it stops at once and accepts no more answers.")
    elif attempt.status == "submitted":
        lines.append("Its open items leave the grading queue and no decision will be made for it.")
    if attempt.decision == "pass":
        lines.append("Its pass no longer counts: the tier it placed the candidate in is dropped from their placement.")
        if attempt.assessment_kind == "starter":
            lines.append("Specialist assessments close to the candidate until they pass a starter again; "
                         "specialist attempts already taken stay as they are.")
    if attempt.assessment_kind == "starter":
        lines.append(f"The candidate may start a starter assessment once more ({title} again, or the starter "
                     "of another track: the one-starter rule ignores void attempts).")
    else:
        lines.append(f"The candidate may start {title} once more.")
    lines.append("The candidate is not emailed: tell them yourself how and when to retake it.")
    return lines


def create_user(session: Session, email: str, password: str, role: str, actor: User | None = None,
                now: datetime | None = None) -> User:
    """An account made by an admin (or `quiz create-admin`/`create-user`): its address counts as verified."""
    if role not in ROLES:
        raise PeopleError(f"role must be one of {', '.join(ROLES)}")
    email = normalise_email(email)
    check_password_strength(password, email)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise PeopleError(f"a user with the email {email} already exists")
    user = User(email=email, password_hash=hash_password(password), role=role,
                email_verified_at=now or SystemClock().now())
    session.add(user)
    session.flush()
    record(session, actor, "user.create", "user", user.id, after={"email": email, "role": role})
    return user
