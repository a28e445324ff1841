"""Accounts: sign-up, log-in, email verification, password reset and change. Takes a session, never commits.

Sign-up and the reset request answer the same whether or not the address has an account: the
caller shows one page either way, and the difference goes only to the address's own mailbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from quiz.auth import duplicates, mails, tokens
from quiz.auth.passwords import (
    InvalidCredentialInput,
    check_password_strength,
    hash_password,
    needs_rehash,
    normalise_email,
    verify_password,
)
from quiz.auth.sessions import end_all_sessions, start_session
from quiz.models import User
from quiz.notifications import queue_mail

# Verifying against a real hash when the email is unknown keeps both paths equally slow,
# so timing does not tell which emails have accounts.
_DUMMY_HASH = hash_password("not-a-real-password-0")


class EmailTaken(ValueError):
    pass


@dataclass(frozen=True)
class TokenSettings:
    secret: str
    verify_valid_for: timedelta
    reset_valid_for: timedelta


def create_candidate(session: Session, email: str, password: str, *, verified_at: datetime | None = None) -> User:
    """Raises InvalidCredentialInput (bad email or weak password) or EmailTaken."""
    email = normalise_email(email)
    check_password_strength(password, email)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise EmailTaken("An account with this email already exists.")
    user = User(email=email, password_hash=hash_password(password), role="candidate", email_verified_at=verified_at)
    try:
        with session.begin_nested():
            session.add(user)
            session.flush()
    except IntegrityError:
        raise EmailTaken("An account with this email already exists.") from None
    return user


def _verification(user: User, now: datetime, links: mails.AccountLinks, settings: TokenSettings) -> mails.Mail:
    token = tokens.make_token(settings.secret, tokens.VERIFY_EMAIL, user, now)
    return mails.verification_mail(user.email, links.verify(token), settings.verify_valid_for)


def _reset_link(user: User, now: datetime, links: mails.AccountLinks, settings: TokenSettings) -> str:
    return links.reset(tokens.make_token(settings.secret, tokens.RESET_PASSWORD, user, now))


def sign_up(session: Session, email: str, password: str, now: datetime, links: mails.AccountLinks,
            settings: TokenSettings) -> User | None:
    """A new, unverified candidate with a verification mail; or, when the address already has an
    account, a mail to it saying so with a reset link. Returns the new user, None for the second case:
    the caller must answer both the same way. Raises InvalidCredentialInput for bad input (the same
    for both, since it is checked first)."""
    normalise_email(email)
    check_password_strength(password, normalise_email(email))
    try:
        user = create_candidate(session, email, password)
    except EmailTaken:
        hash_password(password)  # the new-account path hashes once: so does this one
        existing = session.scalar(select(User).where(User.email == normalise_email(email)))
        if existing is not None and existing.is_active:
            queue_mail(session, mails.existing_account_mail(existing.email, links,
                                                            _reset_link(existing, now, links, settings),
                                                            settings.reset_valid_for))
        return None
    queue_mail(session, _verification(user, now, links, settings))
    return user


def resend_verification(session: Session, user: User, now: datetime, links: mails.AccountLinks,
                        settings: TokenSettings) -> bool:
    """False when there is nothing to verify any more."""
    if user.email_verified:
        return False
    queue_mail(session, _verification(user, now, links, settings))
    return True


def _user_of_token(session: Session, purpose: str, token: str, now: datetime, settings: TokenSettings) -> User:
    valid_for = settings.verify_valid_for if purpose == tokens.VERIFY_EMAIL else settings.reset_valid_for
    user_id, fingerprint = tokens.token_user_id(settings.secret, purpose, token, now, valid_for)
    user = session.get(User, user_id)
    if user is None or not user.is_active or not tokens.matches(purpose, user, fingerprint):
        raise tokens.InvalidToken("This link was already used, or is no longer valid.")
    return user


def _mark_verified(session: Session, user: User, now: datetime) -> None:
    if not user.email_verified:
        user.email_verified_at = now
        session.flush()
        duplicates.refresh_signals(session, user, now, ["email"])


def verify_email(session: Session, token: str, now: datetime, settings: TokenSettings) -> User:
    """Raises tokens.InvalidToken (expired, forged, already used)."""
    user = _user_of_token(session, tokens.VERIFY_EMAIL, token, now, settings)
    _mark_verified(session, user, now)
    return user


def request_password_reset(session: Session, email: str, now: datetime, links: mails.AccountLinks,
                           settings: TokenSettings) -> None:
    """Mails a reset link when an active account has this address; does nothing visible otherwise."""
    try:
        address = normalise_email(email)
    except InvalidCredentialInput:
        return
    user = session.scalar(select(User).where(User.email == address))
    if user is not None and user.is_active:
        queue_mail(session, mails.reset_mail(user.email, _reset_link(user, now, links, settings),
                                             settings.reset_valid_for))


def user_for_reset(session: Session, token: str, now: datetime, settings: TokenSettings) -> User:
    """Whom a reset link is for (to show its form); raises tokens.InvalidToken."""
    return _user_of_token(session, tokens.RESET_PASSWORD, token, now, settings)


def reset_password(session: Session, token: str, new_password: str, now: datetime, settings: TokenSettings) -> User:
    """Sets the new password and logs the account out everywhere. The link proves the address is
    the owner's, so it also verifies it. Raises tokens.InvalidToken or InvalidCredentialInput."""
    user = user_for_reset(session, token, now, settings)
    check_password_strength(new_password, user.email)
    user.password_hash = hash_password(new_password)  # changes the fingerprint: the link is spent
    end_all_sessions(session, user, now, "password_reset")
    _mark_verified(session, user, now)
    session.flush()
    return user


def change_password(session: Session, user: User, current: str, new_password: str, now: datetime,
                    links: mails.AccountLinks) -> None:
    """Ends every session of the user (the caller starts a fresh one for this browser)."""
    if not verify_password(user.password_hash, current):
        raise InvalidCredentialInput("The current password is wrong.", field="current_password")
    check_password_strength(new_password, user.email)
    if verify_password(user.password_hash, new_password):
        raise InvalidCredentialInput("The new password is the same as the current one.")
    user.password_hash = hash_password(new_password)
    end_all_sessions(session, user, now, "password_changed")
    queue_mail(session, mails.password_changed_mail(user.email, links))
    session.flush()


@dataclass(frozen=True)
class Authenticated:
    """Who proved their password, and the hash to store instead when the old one was made with other
    Argon2 parameters (computed here, so the write that stores it does no hashing)."""

    user: User
    new_hash: str | None = None


def authenticate(session: Session, email: str, password: str) -> Authenticated | None:
    """The active user whose password this is. Reads only and changes nothing: the Argon2 work (about
    20 ms of CPU) runs before the log-in's writes, which the caller makes after ending this read, so
    on SQLite no other writer waits for the password check (see quiz.auth.views.login)."""
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
    # Today's parameters from now on.
    return Authenticated(user, hash_password(password) if needs_rehash(user.password_hash) else None)


def load_active_user(session: Session, user_id: int | str) -> User | None:
    try:
        user = session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None
    return user if user is not None and user.is_active else None


def log_in(session: Session, user: User, now: datetime, device_token: str | None, *,
           new_hash: str | None = None) -> str:
    """A new server-side session for a browser that just proved who it is (`authenticate`); returns
    its cookie token. `new_hash` replaces a hash made with older parameters. The device it came from is
    compared with other accounts' (a duplicate signal, nothing more)."""
    if new_hash is not None:
        user.password_hash = new_hash
    token = start_session(session, user, now, device_token)
    duplicates.refresh_signals(session, user, now, ["device"])
    return token
