"""Password hashing (Argon2id through argon2-cffi), the strength rule, and email normalisation."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
#: Shown beside every new-password field before the first try (check_password_strength enforces it).
PASSWORD_RULE = (f"At least {MIN_PASSWORD_LENGTH} characters (at most {MAX_PASSWORD_LENGTH}), using at least "
                 "4 different characters, and not your email address.")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_hasher = PasswordHasher()


class InvalidCredentialInput(ValueError):
    def __init__(self, message: str, field: str = "password"):
        super().__init__(message)
        self.field = field


def normalise_email(raw: str) -> str:
    email = raw.strip().lower()
    if len(email) > 254 or not _EMAIL.match(email):
        raise InvalidCredentialInput(f"{raw.strip()!r} is not a valid email address", field="email")
    return email


def check_password_strength(password: str, email: str = "") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidCredentialInput(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidCredentialInput(f"the password must have at most {MAX_PASSWORD_LENGTH} characters")
    if len(set(password)) < 4:
        raise InvalidCredentialInput("the password must use at least 4 different characters")
    if email and password.strip().lower() in {email, email.split("@")[0]}:
        raise InvalidCredentialInput("the password must not be your email address")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
