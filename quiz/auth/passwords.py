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
#: Argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): about 20 ms of one core a log-in.
#: argon2-cffi's default (64 MiB, 3 passes, 4 lanes) costs ~100 ms of CPU and, with 4 lanes on a
#: 2-core server, made a synchronized start storm of log-ins queue for seconds (benchmarks/load.py).
#: Hashes made with other parameters still verify (they travel inside each hash) and are
#: re-hashed at the next log-in (`needs_rehash`).
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


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


def needs_rehash(password_hash: str) -> bool:
    """The hash was made with other parameters than today's: hash the password again after a log-in."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return False


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
