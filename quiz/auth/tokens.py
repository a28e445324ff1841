"""Signed, expiring, single-use tokens for the links in account mail (verification, password reset).

No table: each token is signed (itsdangerous, with the app's SECRET_KEY and a salt per purpose)
over the user's id and a fingerprint of the state the link is meant to change. Using the link
changes that state (the address becomes verified; the password hash changes), so the same token
never works twice, and a token made for one user names that user and no other. Time comes from the
caller's `now` (the app's one clock), not from the system clock, so tests freeze it.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from quiz.models import User

VERIFY_EMAIL = "verify-email"
RESET_PASSWORD = "reset-password"


class InvalidToken(ValueError):
    """The link is malformed, forged, for another purpose, already used, or expired (`expired`)."""

    def __init__(self, message: str, *, expired: bool = False):
        super().__init__(message)
        self.expired = expired


def _fingerprint(purpose: str, user: User) -> str:
    if purpose == VERIFY_EMAIL:
        state = f"{user.email}|{user.email_verified_at.isoformat() if user.email_verified_at else 'unverified'}"
    elif purpose == RESET_PASSWORD:
        state = f"{user.email}|{user.password_hash}|{user.is_active}"
    else:
        raise ValueError(f"unknown token purpose {purpose!r}")
    return hashlib.sha256(f"{purpose}|{user.id}|{state}".encode()).hexdigest()[:32]


def _serializer(secret: str, purpose: str, now: datetime) -> URLSafeTimedSerializer:
    class ClockSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(now.timestamp())

    return URLSafeTimedSerializer(secret, salt=f"quiz.{purpose}", signer=ClockSigner)


def make_token(secret: str, purpose: str, user: User, now: datetime) -> str:
    return _serializer(secret, purpose, now).dumps({"u": user.id, "f": _fingerprint(purpose, user)})


def token_user_id(secret: str, purpose: str, token: str, now: datetime, max_age: timedelta) -> tuple[int, str]:
    """The user id and fingerprint a genuine, unexpired token carries (check the fingerprint with `matches`)."""
    try:
        data = _serializer(secret, purpose, now).loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired:
        raise InvalidToken("This link has expired.", expired=True) from None
    except BadSignature:
        raise InvalidToken("This link is not valid.") from None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("f"), str):
        raise InvalidToken("This link is not valid.")
    return data["u"], data["f"]


def matches(purpose: str, user: User, fingerprint: str) -> bool:
    return _fingerprint(purpose, user) == fingerprint
