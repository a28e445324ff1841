"""Likely duplicate accounts: signals recorded for admins, never acted on automatically.

Three reasons (rules in docs/accounts.md):
- `email`: the same verified address once normalised (quiz.auth.identity.canonical_email);
- `device`: a log-in from the same browser (the same long-lived device cookie);
- `name_country`: the same full name in the same country (folded case, accents and spaces).
Each is stored for both accounts of a pair. Only candidate accounts are compared.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from quiz.models import AccountSignal, CandidateApplication, LoginSession, User

REASON_TEXT = {
    "email": "the same verified email address, once normalised",
    "device": "logged in from the same browser",
    "name_country": "the same full name and country",
}


def _others_by_email(session: Session, user: User) -> set[int]:
    if not user.email_verified or not user.email_canonical:
        return set()
    return set(session.scalars(select(User.id).where(
        User.email_canonical == user.email_canonical, User.email_verified_at.is_not(None),
        User.role == "candidate", User.id != user.id)))


def _others_by_device(session: Session, user: User) -> set[int]:
    mine = select(LoginSession.device_hash).where(LoginSession.user_id == user.id,
                                                  LoginSession.device_hash.is_not(None))
    return set(session.scalars(select(LoginSession.user_id).distinct().join(User).where(
        LoginSession.device_hash.in_(mine), LoginSession.user_id != user.id, User.role == "candidate")))


def _others_by_name_country(session: Session, user: User) -> set[int]:
    key = user.application.name_country_key if user.application is not None else None
    if not key:
        return set()
    return set(session.scalars(select(CandidateApplication.user_id).join(User).where(
        CandidateApplication.name_country_key == key, CandidateApplication.user_id != user.id,
        User.role == "candidate")))


_FINDERS = {"email": _others_by_email, "device": _others_by_device, "name_country": _others_by_name_country}


def refresh_signals(session: Session, user: User, now: datetime, reasons: Iterable[str] = tuple(_FINDERS)) -> int:
    """Record every pair `user` now forms for `reasons`; returns how many new signals were stored."""
    if user.role != "candidate":
        return 0
    session.flush()
    added = 0
    for reason in reasons:
        for other_id in _FINDERS[reason](session, user):
            for a, b in ((user.id, other_id), (other_id, user.id)):
                known = session.scalar(select(AccountSignal.id).where(
                    AccountSignal.user_id == a, AccountSignal.other_user_id == b, AccountSignal.reason == reason))
                if known is not None:
                    continue
                try:
                    with session.begin_nested():  # a concurrent request may record the same pair
                        session.add(AccountSignal(user_id=a, other_user_id=b, reason=reason, detected_at=now))
                        session.flush()
                except IntegrityError:
                    continue
                added += 1
    return added


@dataclass(frozen=True)
class PossibleDuplicate:
    other: User
    reasons: list[str]  # keys of REASON_TEXT
    first_seen: datetime

    @property
    def reason_texts(self) -> list[str]:
        return [REASON_TEXT[reason] for reason in self.reasons]


def possible_duplicates(session: Session, user: User) -> list[PossibleDuplicate]:
    """The accounts `user` may be the same person as, strongest (most reasons) first."""
    rows = session.scalars(select(AccountSignal).where(AccountSignal.user_id == user.id)
                           .options(selectinload(AccountSignal.other).selectinload(User.application))
                           .order_by(AccountSignal.detected_at, AccountSignal.id)).all()
    grouped: dict[int, PossibleDuplicate] = {}
    for row in rows:
        found = grouped.setdefault(row.other_user_id, PossibleDuplicate(row.other, [], row.detected_at))
        found.reasons.append(row.reason)
    return sorted(grouped.values(), key=lambda d: (-len(d.reasons), d.first_seen))


def signal_counts(session: Session, user_ids: Iterable[int]) -> dict[int, int]:
    """How many other accounts each user has a signal with (for the candidates list)."""
    ids = list(user_ids)
    if not ids:
        return {}
    rows = session.execute(select(AccountSignal.user_id, func.count(func.distinct(AccountSignal.other_user_id)))
                           .where(AccountSignal.user_id.in_(ids)).group_by(AccountSignal.user_id))
    return {user_id: int(count) for user_id, count in rows}


def users_with_signals():  # type: ignore[no-untyped-def]
    """A subquery of the ids of every account with at least one signal (the candidates filter)."""
    return select(AccountSignal.user_id).distinct()
