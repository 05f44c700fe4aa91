"""Direct messages: conversations built on direct notes.

A conversation is one participant set (local and remote actors) and, optionally, the object it
is about (a listing, an event, a job: FEDERATION.md §5.9 sends it as ``inReplyTo``). Each direct
note belongs to exactly one conversation; unread counts live on the local participants' rows.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from node.models.actors import Actor
from node.models.base import id_field, url_field
from node.models.social import Note


class Conversation(Model):
    """The messages between one set of people, about one object or about nothing in particular.

    ``key`` is a digest of the sorted participant ids and ``about_uri``: the same people writing
    about the same thing always land in the same conversation, whoever writes first.
    """

    id = id_field()
    key = fields.CharField(max_length=64, unique=True)
    about_uri = url_field(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_message_at = fields.DatetimeField(db_index=True)

    participants: fields.ReverseRelation[ConversationParticipant]
    messages: fields.ReverseRelation[ConversationMessage]

    class Meta:
        table = "conversation"


class ConversationParticipant(Model):
    """One actor in a conversation. For local actors it also holds what they have not read."""

    id = id_field()
    conversation: fields.ForeignKeyRelation[Conversation] = fields.ForeignKeyField(
        "ruta.Conversation", related_name="participants", on_delete=fields.CASCADE
    )
    actor: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "ruta.Actor", related_name="conversations", on_delete=fields.CASCADE
    )
    unread_count = fields.IntField(default=0)
    last_read_at = fields.DatetimeField(null=True)

    class Meta:
        table = "conversation_participant"
        unique_together = (("conversation", "actor"),)
        indexes = (("actor_id", "unread_count"),)


class ConversationMessage(Model):
    """A direct note filed in a conversation (a note is in one conversation at most)."""

    id = id_field()
    conversation: fields.ForeignKeyRelation[Conversation] = fields.ForeignKeyField(
        "ruta.Conversation", related_name="messages", on_delete=fields.CASCADE
    )
    note: fields.OneToOneRelation[Note] = fields.OneToOneField(
        "ruta.Note", related_name="conversation_message", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "conversation_message"
        indexes = (("conversation_id", "created_at"),)
