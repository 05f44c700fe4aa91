"""Alt text of an uploaded picture, changed after the upload (``PUT /api/v1/media/:id``).

While the upload waits, the text is changed on its row; once the picture is in a post, changing
it is an edit of that post, so ``Update`` goes out. It is a module of its own because it stands
on both ``media_uploads`` and ``notes``, and ``notes`` itself uses ``media_uploads``: here the
three import each other in one direction only.
"""

from __future__ import annotations

from typing import Any

from node.models.actors import Actor
from node.models.media import NoteMedia
from node.ports import ActorResolver, Publisher
from node.services.social import media_uploads, notes
from node.services.social.note_media import clean_description
from node.urls import Urls


async def describe(
    publisher: Publisher,
    owner: Actor,
    media_id: int | None,
    description: str,
    *,
    resolver: ActorResolver | None = None,
    urls: Urls | None = None,
) -> tuple[NoteMedia, dict[str, Any]]:
    """Change one's upload's alt text: on the row while it waits; on the note once attached,
    which is an edit of the post (``Update`` goes out). The row and its current entry."""
    row = await media_uploads.own_media(owner, media_id)
    text = clean_description(description)
    if row.note_id is None:  # type: ignore[attr-defined]
        row.entry = {**row.entry, "description": text}
        await row.save(update_fields=["entry"])
        return row, dict(row.entry)
    note = await notes.own_note(owner, row.note_id)  # type: ignore[attr-defined]
    note = await notes.edit_note(
        publisher, owner, note.id, content=note.content_source or "", resolver=resolver,
        urls=urls, attachments=media_uploads.described(note.attachments or [], str(row.id), text),
    )  # fmt: skip
    return row, media_uploads.current_entry(row, note)
