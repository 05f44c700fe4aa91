"""``/api/v1/media``: pictures uploaded before the post, in the shape of Mastodon's API.

A phone app uploads each picture (multipart ``file`` + ``description``), may change the
description (``PUT``), then lists the ids in ``media_ids`` when it publishes the note. The
upload is streamed with its own 10 MB cap (the app's 1 MiB body limit is for JSON) and goes
through the composer's pipeline: anything that is not a raster picture is refused, nothing kept.
"""

from __future__ import annotations

from typing import Any, Literal

from aiohttp import BodyPartReader, web
from pydantic import BaseModel, Field

from node.appkeys import SETTINGS, URLS
from node.errors import ValidationFailed
from node.models.media import NoteMedia
from node.services import media_uploads
from node.services.market.photos import MAX_UPLOAD_BYTES
from node.services.notes import parse_id
from web.api.routing import Operation, read_json, respond
from web.api.viewer import current_actor, publisher, resolver

_CHUNK = 64 * 1024
_MAX_DESCRIPTION_BYTES = 6000  # 1500 characters of up to four bytes each


class MediaForm(BaseModel):
    description: str = Field(
        "", max_length=1500, description="Alt text: what the picture shows, for blind readers."
    )


class MediaMeta(BaseModel):
    width: int | None
    height: int | None


class MediaOut(BaseModel):
    id: str = Field(description="List it in `media_ids` when publishing the note.")
    type: Literal["image"]
    url: str
    preview_url: str = Field(description="The same picture (already sized for phones).")
    description: str | None = Field(description="Alt text; null when none was written.")
    blurhash: str | None
    meta: MediaMeta


class MediaPatch(BaseModel):
    description: str = Field(max_length=1500, description="The new alt text.")


def media_out(row: NoteMedia, entry: dict[str, Any]) -> MediaOut:
    url = str(entry.get("url", ""))
    return MediaOut(
        id=str(row.id), type="image", url=url, preview_url=url,
        description=str(entry.get("description") or "") or None,
        blurhash=entry.get("blurhash") or None,
        meta=MediaMeta(width=entry.get("width"), height=entry.get("height")),
    )  # fmt: skip


async def _read_upload(request: web.Request) -> tuple[bytes, str]:
    if request.content_type != "multipart/form-data":
        raise web.HTTPUnsupportedMediaType(
            text="Send the picture as multipart/form-data with a `file` part."
        )
    reader = await request.multipart()
    data = b""
    description = ""
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            continue
        if part.name == "file":
            buffer = bytearray()
            while chunk := await part.read_chunk(_CHUNK):
                buffer += chunk
                if len(buffer) > MAX_UPLOAD_BYTES:
                    raise web.HTTPRequestEntityTooLarge(
                        max_size=MAX_UPLOAD_BYTES, actual_size=len(buffer),
                        text="Pictures can be at most 10 MB: send a smaller one.",
                    )  # fmt: skip
            data = bytes(buffer)
        elif part.name == "description":
            raw = await part.read(decode=True)
            if len(raw) > _MAX_DESCRIPTION_BYTES:
                raise ValidationFailed.on(
                    "description", "Alt text can have at most 1500 characters."
                )
            description = raw.decode("utf-8", errors="replace")
    if not data:
        raise ValidationFailed.on("file", "Attach the picture as the `file` part.")
    return data, description


async def upload(request: web.Request) -> web.Response:
    owner = await current_actor(request)
    data, description = await _read_upload(request)
    row = await media_uploads.upload(
        owner, data, description, media_dir=request.app[SETTINGS].media_dir,
        urls=request.app[URLS],
    )  # fmt: skip
    return respond(media_out(row, row.entry))


async def describe(request: web.Request) -> web.Response:
    owner = await current_actor(request)
    if request.content_type == "application/json":
        description = (await read_json(request, MediaPatch)).description
    else:  # Mastodon apps often send form fields
        form = await request.post()
        value = form.get("description", "")
        description = value if isinstance(value, str) else ""
    row, entry = await media_uploads.describe(
        publisher(request), owner, parse_id(request.match_info["id"]), description,
        resolver=resolver(request), urls=request.app[URLS],
    )  # fmt: skip
    return respond(media_out(row, entry))


_ID = {"id": "The media's id (a string)."}

OPERATIONS = [
    Operation(
        "POST", "/api/v1/media", upload, "Upload a picture for a post",
        "notes", description="multipart/form-data: `file` (JPEG, PNG, WebP or GIF, ≤ 10 MB) "
        "and `description` (alt text). Re-encoded to WebP without EXIF, with its size and a "
        "blurhash. Only you can attach it (`media_ids` of `POST /api/v1/notes`); unattached "
        "after a day, it is deleted. SVG, HTML or anything that is not a raster picture is a "
        "422, a larger file a 413; nothing is stored.",
        form=MediaForm, upload="file", response=MediaOut, errors=(413, 415),
    ),
    Operation(
        "PUT", "/api/v1/media/{id}", describe, "Change a picture's alt text",
        "notes", description="JSON or form `description`. Once the picture is in a post, "
        "this edits the post: an `Update` federates. 404 for media that is not yours.",
        request=MediaPatch, response=MediaOut, errors=(404,), path_params=_ID,
    ),
]  # fmt: skip
