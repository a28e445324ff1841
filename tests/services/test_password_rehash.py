"""A hash made with other Argon2 parameters still logs in, and is replaced by one with today's."""

from __future__ import annotations

from datetime import UTC, datetime

from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from quiz.auth import passwords
from quiz.auth.services import authenticate, log_in
from quiz.models import User


def test_an_old_hash_verifies_and_is_rehashed_with_todays_parameters(sqlite_session: Session) -> None:
    old = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=4).hash("correct horse battery")
    user = User(email="old@example.com", password_hash=old, role="candidate")
    sqlite_session.add(user)
    sqlite_session.flush()
    found = authenticate(sqlite_session, "old@example.com", "correct horse battery")
    assert found is not None and found.user is user
    assert user.password_hash == old, "checking a password changes nothing; the log-in stores the new hash"
    assert found.new_hash is not None and not passwords.needs_rehash(found.new_hash)
    log_in(sqlite_session, user, datetime(2026, 1, 1, tzinfo=UTC), None, new_hash=found.new_hash)
    assert user.password_hash == found.new_hash
    assert passwords.verify_password(user.password_hash, "correct horse battery")


def test_a_hash_with_todays_parameters_is_kept(sqlite_session: Session) -> None:
    user = User(email="new@example.com", password_hash=passwords.hash_password("correct horse battery"),
                role="candidate")
    sqlite_session.add(user)
    sqlite_session.flush()
    found = authenticate(sqlite_session, "new@example.com", "correct horse battery")
    assert found is not None and found.new_hash is None


def test_a_wrong_password_changes_nothing(sqlite_session: Session) -> None:
    old = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=4).hash("correct horse battery")
    user = User(email="old@example.com", password_hash=old, role="candidate")
    sqlite_session.add(user)
    sqlite_session.flush()
    assert authenticate(sqlite_session, "old@example.com", "wrong horse battery") is None
    assert user.password_hash == old
