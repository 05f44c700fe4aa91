"""What the web pages keep about people between requests: sessions, one-time account links and
rate-limit counters."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from node.models.accounts import Account
from node.models.base import id_field


class WebSession(Model):
    """A signed-in browser. The cookie holds a random token, the row only its SHA-256, so a
    leaked database does not sign anybody in."""

    id = id_field()
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "ruta.Account", related_name="web_sessions", on_delete=fields.CASCADE
    )
    token_hash = fields.CharField(max_length=64, unique=True)
    user_agent = fields.CharField(max_length=200, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    last_seen_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "web_session"


class TokenPurpose(StrEnum):
    VERIFY_EMAIL = "verify_email"
    RESET_PASSWORD = "reset_password"  # noqa: S105 - a purpose, not a password


class AccountToken(Model):
    """A link sent by mail (email verification, password reset): single use, expiring, and
    stored only as its SHA-256."""

    id = id_field()
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "ruta.Account", related_name="account_tokens", on_delete=fields.CASCADE
    )
    purpose = fields.CharEnumField(TokenPurpose, max_length=20)
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "account_token"


class RateLimitEvent(Model):
    """One counted attempt (a failed sign-in, a reset request). ``bucket`` names the limit and a
    hash of what it counts (an account, an address), never the address itself."""

    id = id_field()
    bucket = fields.CharField(max_length=100)
    created_at = fields.DatetimeField()

    class Meta:
        table = "rate_limit_event"
        indexes = (("bucket", "created_at"),)
