"""A hash made with other Argon2 parameters still logs in, and is replaced by one with today's."""

from __future__ import annotations

from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from quiz.auth import passwords
from quiz.auth.services import authenticate
from quiz.models import User


def test_an_old_hash_verifies_and_is_rehashed_with_todays_parameters(sqlite_session: Session) -> None:
    old = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=4).hash("correct horse battery")
    user = User(email="old@example.com", password_hash=old, role="candidate")
    sqlite_session.add(user)
    sqlite_session.flush()
    assert authenticate(sqlite_session, "old@example.com", "correct horse battery") is user
    assert user.password_hash != old and not passwords.needs_rehash(user.password_hash)
    assert passwords.verify_password(user.password_hash, "correct horse battery")


def test_a_wrong_password_changes_nothing(sqlite_session: Session) -> None:
    old = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=4).hash("correct horse battery")
    user = User(email="old@example.com", password_hash=old, role="candidate")
    sqlite_session.add(user)
    sqlite_session.flush()
    assert authenticate(sqlite_session, "old@example.com", "wrong horse battery") is None
    assert user.password_hash == old
