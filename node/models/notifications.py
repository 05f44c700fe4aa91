"""Notifications: what happened to a person's account that they should know about.

One row per event and recipient (a follow, a reply, a mention, a like, a boost, a message),
written in the same transaction as the event itself, local or received from another server.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from node.models.accounts import Account
from node.models.actors import Actor
from node.models.base import id_field, url_field
from node.models.social import Note


class NotificationKind(StrEnum):
    FOLLOW = "follow"
    FOLLOW_REQUEST = "follow_request"  # waiting for the recipient's approval
    REPLY = "reply"
    MENTION = "mention"
    LIKE = "like"
    BOOST = "boost"
    MESSAGE = "message"  # a direct message (node.services.social.messages)
    ORDER = "order"  # a buyer asks for some of the recipient's listing
    ORDER_ACCEPTED = "order_accepted"
    ORDER_DECLINED = "order_declined"
    ORDER_CANCELLED = "order_cancelled"  # the buyer withdrew a pending order
    ACCOUNT_PENDING = "account_pending"  # to staff: a new account confirmed its address, waits


class Notification(Model):
    """``actor`` did ``kind`` to ``account``, about ``note`` or the object at ``object_uri``."""

    id = id_field()
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "ruta.Account", related_name="notifications", on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(NotificationKind, max_length=20)
    actor: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "ruta.Actor", related_name="caused_notifications", on_delete=fields.CASCADE
    )
    note: fields.ForeignKeyNullableRelation[Note] = fields.ForeignKeyField(
        "ruta.Note", related_name="notifications", null=True, on_delete=fields.CASCADE
    )
    object_uri = url_field(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    read_at = fields.DatetimeField(null=True)

    class Meta:
        table = "notification"
        indexes = (("account_id", "read_at"),)
