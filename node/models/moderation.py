"""Reports, domain blocks and the moderators' audit trail."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from node.models.accounts import Account
from node.models.actors import Actor
from node.models.base import id_field, url_field


class ReportResolution(StrEnum):
    RESOLVED = "resolved"  # acted upon
    DISMISSED = "dismissed"  # nothing to do


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
    # The reporter asked for it to reach the reported account's server too; a moderator decides.
    forward_requested = fields.BooleanField(default=False, db_default=False)
    forwarded_at = fields.DatetimeField(null=True)
    resolved_at = fields.DatetimeField(null=True)
    resolution = fields.CharEnumField(ReportResolution, max_length=10, null=True)
    resolution_note = fields.TextField(default="", db_default="")
    resolved_by: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "ruta.Account", related_name="reports_resolved", null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "report"


class ModerationAction(Model):
    """One entry of the audit log: who did what to whom, and why. Rows are never changed or
    removed; the moderator's name is copied so the entry survives their account."""

    id = id_field()
    moderator: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "ruta.Account", related_name="moderation_actions", null=True, on_delete=fields.SET_NULL
    )
    moderator_name = fields.CharField(max_length=30)
    action = fields.CharField(max_length=30, db_index=True)
    target = fields.CharField(max_length=2048, default="")
    note = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "moderation_action"


class InstanceText(Model):
    """Texts of the node that staff edit and everyone reads: the about page and the rules."""

    id = id_field()
    key = fields.CharField(max_length=20, unique=True)  # "about" or "rules"
    source = fields.TextField(default="")  # markdown
    html = fields.TextField(default="")  # rendered and sanitised
    updated_at = fields.DatetimeField(auto_now=True)
    updated_by: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "ruta.Account", related_name="instance_texts", null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "instance_text"
