"""Which hashtags a post carries, by normalised name, so a tag page is one indexed lookup.

Notes keep their ``tag`` array as received (``Note.tags``) for display and federation; this table
only answers "which public notes carry #artesania", however the author spelt it (``#Artesanía``).
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from node.models.base import id_field
from node.models.social import Note


class NoteHashtag(Model):
    """``note`` carries the hashtag ``name`` (normalised: ``node.services.hashtags.normalise``)."""

    id = id_field()
    note: fields.ForeignKeyRelation[Note] = fields.ForeignKeyField(
        "ruta.Note", related_name="hashtag_rows", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=100)

    class Meta:
        table = "note_hashtag"
        unique_together = (("note", "name"),)
        # A tag page walks one name's notes newest first (note ids are time-ordered).
        indexes = (("name", "note_id"),)
