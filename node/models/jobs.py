"""Rows of the durable job queue shared by every background task (inbox, delivery, mail...)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from node.models.base import id_field


class JobState(StrEnum):
    PENDING = "pending"  # waits for next_attempt_at
    RUNNING = "running"  # claimed until locked_until; an expired lock means its worker died
    FAILED = "failed"  # gave up or failed permanently; kept with last_error for the technician


class Job(Model):
    """One unit of background work. Finished jobs are deleted, failed ones stay to be inspected."""

    id = id_field()
    queue = fields.CharField(max_length=50)
    payload: fields.JSONField[Any] = fields.JSONField()
    state = fields.CharEnumField(JobState, max_length=10, default=JobState.PENDING)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    locked_until = fields.DatetimeField(null=True)
    locked_by = fields.CharField(max_length=100, null=True)
    last_error = fields.TextField(null=True)
    # Jobs sharing a group key share a concurrency limit (delivery: the receiving host).
    group_key = fields.CharField(max_length=255, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    first_attempt_at = fields.DatetimeField(null=True)

    class Meta:
        table = "job"
        indexes = (("state", "next_attempt_at"), ("queue", "state"), ("group_key", "state"))
