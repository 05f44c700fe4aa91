"""Pictures uploaded through the API before the post that carries them exists.

A row holds one picture's ``attachments`` entry — exactly the shape ``note_media.store_media``
writes for the composer — so both paths end in the same stored form: attaching copies the entry
into ``Note.attachments`` (from then on the note's copy is the one shown and federated) and links
the row to the note, which keeps the media id meaningful for later description changes.
Rows never attached are removed after a day with their file (``media_uploads.purge_unattached``).
"""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from node.models.actors import Actor
from node.models.base import id_field
from node.models.social import Note


class NoteMedia(Model):
    id = id_field()
    owner: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "ruta.Actor", related_name="media_uploads", on_delete=fields.CASCADE
    )
    # Null while waiting for a post; the note's deletion takes the row with it.
    note: fields.ForeignKeyNullableRelation[Note] = fields.ForeignKeyField(
        "ruta.Note", related_name="media_rows", null=True, on_delete=fields.CASCADE
    )
    entry: fields.JSONField[Any] = fields.JSONField()
    file = fields.CharField(max_length=200)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "note_media"
        # The cleanup looks for old unattached rows.
        indexes = (("note_id", "created_at"),)
