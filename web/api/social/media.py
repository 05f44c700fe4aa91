"""``/api/v1/media``: pictures uploaded before the post, in the shape of Mastodon's API.

A phone app uploads each picture (multipart ``file`` + ``description``), may read it back
(``GET``) or change the description (``PUT``), then lists the ids in ``media_ids`` when it
publishes the note, or when it edits one (``PATCH /api/v1/notes/{id}``). The
upload is streamed with its own 10 MB cap (the app's 1 MiB body limit is for JSON) and goes
through the composer's pipeline: anything that is not a raster picture is refused, nothing kept.
"""

from __future__ import annotations

from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel, Field

from node.appkeys import SETTINGS, URLS
from node.ids import parse_id
from node.models.media import NoteMedia
from node.services.social import media_descriptions, media_uploads
from web.api.routing import Operation, read_json, respond
from web.api.uploads import read_picture
from web.api.viewer import current_actor, publisher, resolver


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


async def upload(request: web.Request) -> web.Response:
    owner = await current_actor(request)
    data, description = await read_picture(request)
    row = await media_uploads.upload(
        owner, data, description, media_dir=request.app[SETTINGS].media_dir,
        urls=request.app[URLS],
    )  # fmt: skip
    return respond(media_out(row, row.entry))


async def get_media(request: web.Request) -> web.Response:
    owner = await current_actor(request)
    row, entry = await media_uploads.shown(owner, parse_id(request.match_info["id"]))
    return respond(media_out(row, entry))


async def describe(request: web.Request) -> web.Response:
    owner = await current_actor(request)
    if request.content_type == "application/json":
        description = (await read_json(request, MediaPatch)).description
    else:  # Mastodon apps often send form fields
        form = await request.post()
        value = form.get("description", "")
        description = value if isinstance(value, str) else ""
    row, entry = await media_descriptions.describe(
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
        "GET", "/api/v1/media/{id}", get_media, "One of your pictures",
        "notes", description="An upload, waiting or in a post (then as the post shows it). "
        "404 for media that is not yours.",
        response=MediaOut, errors=(404,), path_params=_ID,
    ),
    Operation(
        "PUT", "/api/v1/media/{id}", describe, "Change a picture's alt text",
        "notes", description="JSON or form `description`. Once the picture is in a post, "
        "this edits the post: an `Update` federates. 404 for media that is not yours.",
        request=MediaPatch, response=MediaOut, errors=(404,), path_params=_ID,
    ),
]  # fmt: skip
