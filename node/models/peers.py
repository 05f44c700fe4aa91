"""What the node remembers about talking to other servers: activities it received (to process
each once), activities it sent (to sign and deliver, and to serve at their ids), and the health of
every host it delivers to."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from node.models.actors import Actor
from node.models.base import id_field, url_field


class ReceivedActivity(Model):
    """An activity id we accepted into the inbox. Its unique uri makes processing exactly-once."""

    id = id_field()
    uri = url_field(unique=True)
    received_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "received_activity"


class OutgoingActivity(Model):
    """An activity this node published. Delivery jobs point at it, signed afresh per attempt."""

    id = id_field()
    uri = url_field(unique=True)
    actor: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "ruta.Actor", related_name="outgoing_activities", on_delete=fields.CASCADE
    )
    body: fields.JSONField[Any] = fields.JSONField()
    public = fields.BooleanField(default=False)  # shown in the outbox collection
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "outgoing_activity"
        indexes = (("actor_id", "public", "created_at"),)


class PeerHost(Model):
    """Delivery health of one remote host (SECURITY.md "Delivery": circuit breaker, unavailable)."""

    id = id_field()
    host = fields.CharField(max_length=255, unique=True)
    consecutive_failures = fields.IntField(default=0)
    paused_until = fields.DatetimeField(null=True)
    failing_since = fields.DatetimeField(null=True)
    unavailable_at = fields.DatetimeField(null=True)
    last_success_at = fields.DatetimeField(null=True)

    class Meta:
        table = "peer_host"
