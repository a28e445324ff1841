"""Logging in replaces a password hash made with older Argon2 parameters, for good."""

from __future__ import annotations

from argon2 import PasswordHasher
from flask import Flask
from sqlalchemy import select

from quiz.auth import passwords
from quiz.extensions import session_factory
from quiz.models import User
from tests.web.support import PASSWORD, login, signup


def test_a_log_in_stores_the_rehashed_password(app: Flask) -> None:
    client = app.test_client()
    signup(client, "ada@example.com")
    client.post("/logout")
    old = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=4).hash(PASSWORD)
    with session_factory(app)() as session:
        session.scalar(select(User).where(User.email == "ada@example.com")).password_hash = old
        session.commit()
    assert login(client, "ada@example.com").status_code == 302
    with session_factory(app)() as session:
        stored = session.scalar(select(User.password_hash).where(User.email == "ada@example.com"))
    assert stored != old and not passwords.needs_rehash(stored)
