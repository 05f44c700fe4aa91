"""API bearer tokens. The secret is shown once; only its SHA-256 is stored. Tokens carry 256 bits
of randomness, so a fast hash is enough (unlike passwords)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from node import clock
from node.errors import NotFound, ValidationFailed
from node.ids import new_token
from node.models.accounts import Account, ApiToken

TOKEN_PREFIX = "ruta_"  # noqa: S105 - a visible prefix so leaked tokens are recognisable
# Writing last_used_at on every request would turn every read into a write.
_LAST_USED_RESOLUTION = timedelta(minutes=5)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def create_token(account: Account, name: str = "") -> tuple[ApiToken, str]:
    """A new token for ``account``. Returns the row and the secret (shown once, never stored)."""
    name = name.strip()
    if len(name) > 100:
        raise ValidationFailed.on("name", "Token names can have at most 100 characters.")
    secret = TOKEN_PREFIX + new_token(32)
    token = await ApiToken.create(account=account, name=name, token_hash=_digest(secret))
    return token, secret


async def list_tokens(account: Account) -> list[ApiToken]:
    return await ApiToken.filter(account=account).order_by("id")


async def revoke_token(token_id: int) -> ApiToken:
    token = await ApiToken.get_or_none(id=token_id)
    if token is None:
        raise NotFound(f"No token with id {token_id}.")
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        await token.save(update_fields=["revoked_at"])
    return token


async def account_for_token(secret: str) -> Account | None:
    """The active, unsuspended account a bearer token belongs to, or None."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = (
        await ApiToken.filter(token_hash=_digest(secret), revoked_at__isnull=True)
        .select_related("account")
        .first()
    )
    if token is None or token.account.suspended_at is not None:
        return None
    now = clock.now()
    if token.last_used_at is None or now - token.last_used_at > _LAST_USED_RESOLUTION:
        await ApiToken.filter(id=token.id).update(last_used_at=now)
    return token.account
