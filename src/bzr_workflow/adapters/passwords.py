"""Password hashing: argon2id, with a dummy hash so unknown names cost what wrong passwords cost."""

from __future__ import annotations

import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id, RFC 9106's low-memory parameters


@cache
def _dummy_hash() -> str:
    return _hasher().hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def password_matches(stored: str | None, password: str) -> bool:
    """Whether `password` matches `stored`; with no stored hash the check costs the same and fails."""
    try:
        return bool(_hasher().verify(stored or _dummy_hash(), password)) and stored is not None
    except (VerificationError, InvalidHashError, UnicodeEncodeError, TypeError):
        return False


def random_hash() -> str:
    """A hash no password is known for."""
    return _hasher().hash(secrets.token_urlsafe(16))
