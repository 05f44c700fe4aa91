"""Field helpers shared by every model."""

from __future__ import annotations

from typing import Any

from tortoise import fields

from node.ids import new_id

# The longest URL we store. Mastodon caps URIs at 2048 too; longer ones are refused at the edge.
URL_MAX = 2048


def id_field() -> fields.BigIntField:
    """A primary key holding a time-ordered snowflake from :func:`node.ids.new_id`."""
    return fields.BigIntField(primary_key=True, generated=False, default=new_id)


def url_field(**kwargs: Any) -> fields.CharField[str]:
    return fields.CharField(max_length=URL_MAX, **kwargs)
