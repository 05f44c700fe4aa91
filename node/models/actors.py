"""Everyone who can follow or be followed: local people, shops, city groups, the node itself,
and the remote accounts we have met. One table for both, as Mastodon keeps one accounts table: a
timeline, a follow or a conversation then never has to ask which side an author lives on.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from node.models.accounts import Account
from node.models.base import id_field, url_field


class ActorKind(StrEnum):
    """What an actor is. Values are the ActivityStreams type names they federate as."""

    PERSON = "Person"
    ORGANIZATION = "Organization"  # a shop or business
    GROUP = "Group"  # a city group: market, events, jobs, forum category
    APPLICATION = "Application"  # the node's own instance actor
    SERVICE = "Service"  # remote bots


class Actor(Model):
    """An identity with a handle ``@username@domain`` and a public key."""

    id = id_field()
    uri = url_field(unique=True)
    kind = fields.CharEnumField(ActorKind, max_length=20, default=ActorKind.PERSON)
    username = fields.CharField(max_length=255)
    domain = fields.CharField(max_length=255, db_index=True)  # host[:port], normalised
    local = fields.BooleanField(default=False, db_index=True)
    # Unique among local actors (NULL for remote): one namespace for people, shops and groups.
    local_username = fields.CharField(max_length=64, null=True, unique=True)
    account: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "ruta.Account", related_name="actors", null=True, on_delete=fields.CASCADE
    )

    display_name = fields.CharField(max_length=255, default="")
    summary = fields.TextField(default="")  # sanitised HTML
    summary_source = fields.TextField(null=True)  # a local actor's markdown bio, for editing
    url = url_field(null=True)  # the HTML profile
    icon_url = url_field(null=True)
    header_url = url_field(null=True)
    profile_fields: fields.JSONField[Any] = fields.JSONField(
        default=list
    )  # [{"name": ..., "value": ...}]
    manually_approves_followers = fields.BooleanField(default=False)
    discoverable = fields.BooleanField(default=True)
    indexable = fields.BooleanField(default=True)

    inbox_url = url_field(default="")
    shared_inbox_url = url_field(null=True)
    outbox_url = url_field(null=True)
    followers_url = url_field(null=True)
    following_url = url_field(null=True)
    featured_url = url_field(null=True)

    public_key_id = url_field(null=True, db_index=True)
    public_key_pem = fields.TextField(null=True)
    ed25519_key_id = url_field(null=True)
    ed25519_multibase = fields.CharField(max_length=255, null=True)

    published = fields.DatetimeField(null=True)
    fetched_at = fields.DatetimeField(null=True)
    # Last time its key was fetched again after a failed signature (rate limit on refetching).
    key_refetched_at = fields.DatetimeField(null=True)
    gone_at = fields.DatetimeField(null=True)  # deleted, or its server answered 410
    suspended_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "actor"

    @property
    def handle(self) -> str:
        return f"{self.username}@{self.domain}"


class ActorKey(Model):
    """Private keys of a local actor. Generated once and kept forever: they are its identity."""

    actor: fields.OneToOneRelation[Actor] = fields.OneToOneField(
        "ruta.Actor", related_name="keys", on_delete=fields.CASCADE, primary_key=True
    )
    rsa_private_pem = fields.TextField()
    ed25519_private_pem = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "actor_key"
