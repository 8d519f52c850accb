"""Password hashing (Argon2id) and the password policy."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 12
#: Longer inputs are refused so nobody can make the server hash megabytes.
MAX_LENGTH = 256


@cache
def _common_passwords() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


def _hasher() -> PasswordHasher:
    # Tests use the cheapest Argon2id parameters; everything else uses the library's recommended ones.
    if current_app.config.get("LMS_FAST_PASSWORD_HASH"):
        return PasswordHasher.from_parameters(profiles.CHEAPEST)
    return PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


#: Verified when the email is unknown, so a wrong email costs as long as a wrong password.
DUMMY_HASH = PasswordHasher().hash("not-a-real-password-used-for-timing")


def problems(password: str, user_inputs: Iterable[str] = ()) -> list[str]:
    """Why ``password`` is refused; empty when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return [_("Use at least %(n)d characters.", n=MIN_LENGTH)]
    if len(password) > MAX_LENGTH:
        return [_("Use at most %(n)d characters.", n=MAX_LENGTH)]
    if password.lower() in _common_passwords():
        return [_("This password is on a list of common passwords. Choose another.")]
    inputs = [value for value in user_inputs if value]
    if zxcvbn(password[:100], user_inputs=inputs)["score"] < 2:
        return [_("This password is too easy to guess (a repeated pattern, a sequence or your own name or email).")]
    return []
