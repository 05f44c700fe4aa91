"""People who sign in to this node, and their API tokens."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from node.models.base import id_field


class Role(StrEnum):
    """What a person may do on the node. Badges on profiles come from it too."""

    MEMBER = "member"
    MENTOR = "mentor"
    PROVIDER = "provider"  # legal and administrative adviser
    STAFF = "staff"  # city staff: moderation
    ADMIN = "admin"  # runs the node

    @property
    def moderates(self) -> bool:
        return self in (Role.STAFF, Role.ADMIN)


class Account(Model):
    """A local user. Their public face is the ``Actor`` linked to it (``actors``)."""

    id = id_field()
    username = fields.CharField(max_length=30, unique=True)  # lower case, [a-z0-9_]
    email = fields.CharField(max_length=254, unique=True)  # lower case
    display_name = fields.CharField(max_length=100, default="")
    role = fields.CharEnumField(Role, max_length=10, default=Role.MEMBER)
    password_hash = fields.CharField(max_length=255)
    language = fields.CharField(max_length=5, null=True)
    email_verified_at = fields.DatetimeField(null=True)
    approved_at = fields.DatetimeField(null=True)
    suspended_at = fields.DatetimeField(null=True)
    # What the person wrote at sign-up for the staff who approve accounts ("why I join").
    sign_up_reason = fields.TextField(default="", db_default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    tokens: fields.ReverseRelation[ApiToken]

    class Meta:
        table = "account"


class ApiToken(Model):
    """A bearer token for the JSON API. Only its SHA-256 is stored, the token is shown once."""

    id = id_field()
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "ruta.Account", related_name="tokens", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=100, default="")
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_token"
