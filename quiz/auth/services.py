"""Accounts: sign-up and log-in. Takes a session, never commits."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from quiz.auth.passwords import (
    InvalidCredentialInput,
    check_password_strength,
    hash_password,
    needs_rehash,
    normalise_email,
    verify_password,
)
from quiz.models import User

# Verifying against a real hash when the email is unknown keeps both paths equally slow,
# so timing does not tell which emails have accounts.
_DUMMY_HASH = hash_password("not-a-real-password-0")


class EmailTaken(ValueError):
    pass


def create_candidate(session: Session, email: str, password: str) -> User:
    """Raises InvalidCredentialInput (bad email or weak password) or EmailTaken."""
    email = normalise_email(email)
    check_password_strength(password, email)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise EmailTaken("An account with this email already exists; log in instead.")
    user = User(email=email, password_hash=hash_password(password), role="candidate")
    try:
        with session.begin_nested():
            session.add(user)
            session.flush()
    except IntegrityError:
        raise EmailTaken("An account with this email already exists; log in instead.") from None
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    try:
        email = normalise_email(email)
    except InvalidCredentialInput:
        verify_password(_DUMMY_HASH, password)
        return None
    user = session.scalar(select(User).where(User.email == email))
    if user is None or not user.is_active:
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)  # today's parameters from now on
    return user


def load_active_user(session: Session, user_id: str) -> User | None:
    try:
        user = session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None
    return user if user is not None and user.is_active else None
