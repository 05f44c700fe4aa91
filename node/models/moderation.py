"""Reports, domain blocks and the moderators' audit trail."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from node.models.accounts import Account
from node.models.actors import Actor
from node.models.base import id_field, url_field


class DomainBlock(Model):
    """A server this node refuses to talk to. ``domain`` is normalised (lower case, no trailing
    dot, no port, punycode) so one spelling cannot slip past another."""

    id = id_field()
    domain = fields.CharField(max_length=255, unique=True)
    reason = fields.TextField(default="")
    created_by: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "ruta.Account", related_name="domain_blocks", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "domain_block"


class Report(Model):
    """Something reported to this node's moderators, by a local user or by another server (Flag)."""

    id = id_field()
    uri = url_field(unique=True, null=True)  # the Flag activity id, when it came from elsewhere
    reporter: fields.ForeignKeyNullableRelation[Actor] = fields.ForeignKeyField(
        "ruta.Actor", related_name="reports_filed", null=True, on_delete=fields.SET_NULL
    )
    target: fields.ForeignKeyNullableRelation[Actor] = fields.ForeignKeyField(
        "ruta.Actor", related_name="reports_received", null=True, on_delete=fields.SET_NULL
    )
    object_uris: fields.JSONField[Any] = fields.JSONField(default=list)
    comment = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    forwarded_at = fields.DatetimeField(null=True)
    resolved_at = fields.DatetimeField(null=True)
    resolved_by: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "ruta.Account", related_name="reports_resolved", null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "report"
