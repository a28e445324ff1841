"""Candidates and staff: search, accommodations, voiding attempts, creating users."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from quiz.audit import record
from quiz.auth.passwords import check_password_strength, hash_password, normalise_email
from quiz.models import Attempt, CandidateApplication, User
from quiz.models.users import ROLES

MIN_FACTOR, MAX_FACTOR = Decimal("1.00"), Decimal("4.00")


class PeopleError(ValueError):
    pass


def search_candidates(session: Session, text: str = "", page: int = 1, per_page: int = 25) -> tuple[list[User], int]:
    query = select(User).outerjoin(CandidateApplication).where(User.role == "candidate")
    if text.strip():
        like = f"%{text.strip().lower()}%"
        query = query.where(or_(func.lower(User.email).like(like), func.lower(CandidateApplication.full_name).like(like)))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    users = session.scalars(query.order_by(User.created_at.desc(), User.id.desc())
                            .offset((max(page, 1) - 1) * per_page).limit(per_page)
                            .options(selectinload(User.application))).all()
    return list(users), int(total or 0)


def candidate_attempts(session: Session, user: User) -> list[Attempt]:
    return list(session.scalars(select(Attempt).where(Attempt.user_id == user.id).order_by(Attempt.started_at)
                                .options(selectinload(Attempt.signals), selectinload(Attempt.assessment))))


def set_accommodation(session: Session, admin: User, candidate: User, factor: str | Decimal, reason: str,
                      now: datetime) -> None:
    """Extra time for attempts started from now on; the reason stays private to admins."""
    try:
        value = Decimal(str(factor)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise PeopleError("The factor must be a number such as 1.25, 1.5 or 2.") from None
    if not MIN_FACTOR <= value <= MAX_FACTOR:
        raise PeopleError(f"The factor must be between {MIN_FACTOR} and {MAX_FACTOR}.")
    if value != MIN_FACTOR and not (reason or "").strip():
        raise PeopleError("Give the reason for the accommodation (kept private).")
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
        raise PeopleError("Describe the technical failure (at least 10 characters): it is kept with the attempt.")
    if attempt.status == "voided":
        raise PeopleError("This attempt is already void.")
    before = {"status": attempt.status, "decision": attempt.decision}
    attempt.status, attempt.voided_at, attempt.voided_reason, attempt.voided_by_id = "voided", now, reason, admin.id
    record(session, admin, "attempt.void", "attempt", attempt.id, before=before,
           after={"status": "voided", "reason": reason}, at=now)
    session.flush()


def create_user(session: Session, email: str, password: str, role: str, actor: User | None = None) -> User:
    if role not in ROLES:
        raise PeopleError(f"role must be one of {', '.join(ROLES)}")
    email = normalise_email(email)
    check_password_strength(password, email)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise PeopleError(f"a user with the email {email} already exists")
    user = User(email=email, password_hash=hash_password(password), role=role)
    session.add(user)
    session.flush()
    record(session, actor, "user.create", "user", user.id, after={"email": email, "role": role})
    return user
