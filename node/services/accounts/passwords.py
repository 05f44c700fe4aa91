"""argon2id password hashes. Hashing costs tens of milliseconds of CPU by design, so it runs in a
worker thread instead of stalling every other request on the event loop."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
MIN_LENGTH = 8
MAX_LENGTH = 1024  # long enough for any passphrase, short enough that hashing it is cheap

# Verified against when the username is unknown, so both paths cost the same time.
_DUMMY_HASH = _hasher.hash("not a real password, only here to spend the same time")


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches. With ``password_hash=None`` it still spends the time."""
    return await asyncio.to_thread(_verify, password_hash, password)


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
