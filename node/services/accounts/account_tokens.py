"""One-time links sent by mail: confirm an email address, reset a password.

The link carries 256 random bits; only their SHA-256 is stored. A link works once, until it
expires, and a newer link of the same kind replaces older ones; a password change ends the
reset links mailed before it.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from tortoise.backends.base.client import BaseDBAsyncClient

from node import clock
from node.errors import NotFound
from node.ids import new_token
from node.models.accounts import Account
from node.models.web import AccountToken, TokenPurpose

LIFETIME = {
    # People often read mail hours later on another device.
    TokenPurpose.VERIFY_EMAIL: timedelta(days=3),
    TokenPurpose.RESET_PASSWORD: timedelta(hours=1),
}
_TOKEN_MAX_LENGTH = 100


class LinkInvalid(NotFound):
    """The link is unknown, expired or already used."""

    def __init__(self) -> None:
        super().__init__("This link has expired or was already used.")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue(
    account: Account, purpose: TokenPurpose, *, using_db: BaseDBAsyncClient | None = None
) -> str:
    """A new link token for ``account``; earlier unused ones of the same purpose stop working."""
    now = clock.now()
    await revoke(account, purpose, using_db=using_db)
    token = new_token(32)
    await AccountToken.create(
        using_db=using_db,
        account=account,
        purpose=purpose,
        token_hash=_digest(token),
        expires_at=now + LIFETIME[purpose],
    )
    return token


async def revoke(
    account: Account, purpose: TokenPurpose, *, using_db: BaseDBAsyncClient | None = None
) -> None:
    """End every unused link of ``purpose`` of ``account`` (a password changed by its owner
    makes a reset link mailed before worthless: whoever reads that mail later must not choose
    the password)."""
    await (
        AccountToken.filter(account=account, purpose=purpose, used_at__isnull=True)
        .using_db(using_db)
        .update(used_at=clock.now())
    )


async def peek(token: str, purpose: TokenPurpose) -> Account:
    """The account a still-valid link belongs to, without using the link up."""
    row = await _valid(token, purpose, None)
    return row.account


async def consume(
    token: str, purpose: TokenPurpose, *, using_db: BaseDBAsyncClient | None = None
) -> Account:
    """Use the link up and return its account. Of two concurrent uses exactly one succeeds."""
    row = await _valid(token, purpose, using_db)
    used = (
        await AccountToken.filter(id=row.id, used_at__isnull=True)
        .using_db(using_db)
        .update(used_at=clock.now())
    )
    if used != 1:
        raise LinkInvalid()
    return row.account


async def _valid(
    token: str, purpose: TokenPurpose, using_db: BaseDBAsyncClient | None
) -> AccountToken:
    if not token or len(token) > _TOKEN_MAX_LENGTH:
        raise LinkInvalid()
    row = (
        await AccountToken.filter(token_hash=_digest(token), purpose=purpose)
        .using_db(using_db)
        .select_related("account")
        .first()
    )
    if row is None or row.used_at is not None or row.expires_at <= clock.now():
        raise LinkInvalid()
    # Only the newest link of its kind works. issue() already ends the older ones, but two
    # requests issuing at the same moment could each miss the other's new row; ids are
    # time-ordered, so a newer link is one with a larger id.
    newer = AccountToken.filter(account_id=row.account_id, purpose=purpose, id__gt=row.id)  # type: ignore[attr-defined]
    if await newer.using_db(using_db).exists():
        raise LinkInvalid()
    return row
