"""Follows, posts and reactions, local and remote."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from node.models.actors import Actor
from node.models.base import id_field, url_field


class FollowState(StrEnum):
    PENDING = "pending"  # waiting for the target to accept
    ACCEPTED = "accepted"


class Follow(Model):
    id = id_field()
    follower: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "ruta.Actor", related_name="following_rows", on_delete=fields.CASCADE
    )
    target: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "ruta.Actor", related_name="follower_rows", on_delete=fields.CASCADE
    )
    state = fields.CharEnumField(FollowState, max_length=10, default=FollowState.PENDING)
    uri = url_field(unique=True)  # id of the Follow activity
    created_at = fields.DatetimeField(auto_now_add=True)
    accepted_at = fields.DatetimeField(null=True)

    class Meta:
        table = "follow"
        unique_together = (("follower", "target"),)


class Visibility(StrEnum):
    PUBLIC = "public"  # public timelines and everyone
    UNLISTED = "unlisted"  # everyone with the link, not public timelines
    FOLLOWERS = "followers"  # the author's followers and those mentioned
    DIRECT = "direct"  # only those mentioned


class Note(Model):
    """A post: written here or received from another server."""

    id = id_field()
    uri = url_field(unique=True)
    url = url_field(null=True)
    author: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "ruta.Actor", related_name="notes", on_delete=fields.CASCADE
    )
    local = fields.BooleanField(default=False)
    visibility = fields.CharEnumField(Visibility, max_length=10, default=Visibility.PUBLIC)
    content_html = fields.TextField(default="")  # always sanitised
    content_source = fields.TextField(null=True)  # the author's markdown (local notes)
    language = fields.CharField(max_length=16, null=True)
    summary = fields.TextField(null=True)  # content warning
    sensitive = fields.BooleanField(default=False)
    in_reply_to_uri = url_field(null=True, db_index=True)
    in_reply_to: fields.ForeignKeyNullableRelation[Note] = fields.ForeignKeyField(
        "ruta.Note", related_name="replies", null=True, on_delete=fields.SET_NULL
    )
    context_uri = url_field(null=True)  # thread / conversation the note belongs to
    attachments: fields.JSONField[Any] = fields.JSONField(
        default=list
    )  # [{"url", "media_type", "description", ...}]
    tags: fields.JSONField[Any] = fields.JSONField(
        default=list
    )  # [{"type": "Hashtag"|"Mention", "name", "href"}]
    published = fields.DatetimeField(db_index=True)
    edited_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    reply_count = fields.IntField(default=0)
    like_count = fields.IntField(default=0)
    announce_count = fields.IntField(default=0)

    class Meta:
        table = "note"
        indexes = (("author_id", "published"), ("local", "visibility", "published"))


class NoteAddressee(Model):
    """A local actor a note was addressed to or mentions: who may see a followers-only or
    direct note, and who gets a notification."""

    id = id_field()
    note: fields.ForeignKeyRelation[Note] = fields.ForeignKeyField(
        "ruta.Note", related_name="addressees", on_delete=fields.CASCADE
    )
    actor: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "ruta.Actor", related_name="addressed_notes", on_delete=fields.CASCADE
    )
    mentioned = fields.BooleanField(default=False)

    class Meta:
        table = "note_addressee"
        unique_together = (("note", "actor"),)


class Like(Model):
    id = id_field()
    actor: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "ruta.Actor", related_name="likes", on_delete=fields.CASCADE
    )
    note: fields.ForeignKeyRelation[Note] = fields.ForeignKeyField(
        "ruta.Note", related_name="likes", on_delete=fields.CASCADE
    )
    uri = url_field(unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "note_like"
        unique_together = (("actor", "note"),)


class Announce(Model):
    """A boost: ``actor`` shares ``note`` with its followers."""

    id = id_field()
    actor: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "ruta.Actor", related_name="announces", on_delete=fields.CASCADE
    )
    note: fields.ForeignKeyRelation[Note] = fields.ForeignKeyField(
        "ruta.Note", related_name="announces", on_delete=fields.CASCADE
    )
    uri = url_field(unique=True)
    published = fields.DatetimeField(db_index=True)

    class Meta:
        table = "announce"
        unique_together = (("actor", "note"),)


class Tombstone(Model):
    """An object id that was deleted. It is never created again (Mastodon refuses that too)."""

    id = id_field()
    uri = url_field(unique=True)
    former_type = fields.CharField(max_length=50, default="Note")
    deleted_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "tombstone"


class Block(Model):
    """``actor`` blocks ``target``: no follows, no deliveries, no mentions between them."""

    id = id_field()
    actor: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "ruta.Actor", related_name="blocks", on_delete=fields.CASCADE
    )
    target: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "ruta.Actor", related_name="blocked_by", on_delete=fields.CASCADE
    )
    uri = url_field(unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "actor_block"
        unique_together = (("actor", "target"),)
