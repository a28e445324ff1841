"""Users (candidates, graders, admins) and the candidate's application."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from quiz.auth.identity import canonical_email, name_country_key

from quiz.models.base import Base, utcnow

ROLES = ("candidate", "grader", "admin")


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IN {ROLES!r}", name="role"),
        CheckConstraint("accommodation_factor >= 1 AND accommodation_factor <= 4", name="accommodation_factor"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored normalised (trimmed, lower case) so uniqueness holds whatever the user typed.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="candidate")
    is_active: Mapped[bool] = mapped_column(default=True)
    accommodation_factor: Mapped[Decimal] = mapped_column(Numeric(4, 2), default=Decimal("1.00"))
    accommodation_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the owner opened the verification link (or a reset link); staff made by an admin
    # count as verified. Candidates cannot start an assessment before it is set.
    email_verified_at: Mapped[datetime | None]
    # The address as its mailbox most likely delivers it (quiz.auth.identity): a duplicate signal,
    # never a uniqueness rule. Kept in step with `email` by `_canonical`.
    email_canonical: Mapped[str | None] = mapped_column(String(254), index=True)

    application: Mapped[CandidateApplication | None] = relationship(back_populates="user")

    @validates("email")
    def _canonical(self, _key: str, email: str) -> str:
        self.email_canonical = canonical_email(email)
        return email

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    # The interface Flask-Login expects, written out so models need no Flask import.
    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        return str(self.id)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


class CandidateApplication(Base):
    """Background and availability; required before any assessment."""

    __tablename__ = "candidate_applications"
    __table_args__ = (CheckConstraint("hours_per_week >= 0 AND hours_per_week <= 168", name="hours_per_week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(100))
    time_zone: Mapped[str] = mapped_column(String(64))
    education: Mapped[str] = mapped_column(String(100))
    expertise: Mapped[list[str]] = mapped_column(JSON, default=list)
    # [{"language": "Spanish", "proficiency": "native"}, ...]
    languages: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    hours_per_week: Mapped[int]
    # "Same name in the same country", folded (quiz.auth.identity): a duplicate signal only.
    name_country_key: Mapped[str | None] = mapped_column(String(320), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(back_populates="application")

    @validates("full_name", "country")
    def _identity(self, key: str, value: str) -> str:
        name = value if key == "full_name" else self.full_name
        country = value if key == "country" else self.country
        self.name_country_key = name_country_key(name, country)
        return value
