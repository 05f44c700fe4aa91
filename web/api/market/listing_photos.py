"""``/api/v1/listings/{id}/photos``: uploading (multipart) and removing a listing's photos.

The upload is streamed with its own cap (10 MB; the app's 1 MiB body limit is for JSON and
inboxes), then decoded and re-encoded by the domain (``node.services.market.photos``): whatever
its name or declared type, a file that is not a raster image is refused and nothing is kept.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import BaseModel, Field

from node.appkeys import SETTINGS, URLS
from node.ids import parse_id
from node.models.market import ListingPhoto
from node.services.market import photos
from node.urls import Urls
from web.api.auth import require_account
from web.api.routing import Operation, respond
from web.api.uploads import read_picture
from web.api.viewer import market_publisher


class PhotoOut(BaseModel):
    id: str | None
    url: str
    preview_url: str | None
    media_type: str | None
    width: int | None
    height: int | None
    description: str = Field(description="Alt text.")
    blurhash: str | None

    @classmethod
    def remote(cls, item: dict[str, Any]) -> PhotoOut:
        return cls(
            id=None, url=str(item.get("url", "")), preview_url=None,
            media_type=item.get("media_type"), width=item.get("width"),
            height=item.get("height"), description=str(item.get("description") or ""),
            blurhash=item.get("blurhash"),
        )  # fmt: skip


class PhotoForm(BaseModel):
    description: str = Field(
        "", max_length=1500, description="Alt text: what the photo shows, for blind buyers."
    )


def photo_out(photo: ListingPhoto, urls: Urls) -> PhotoOut:
    return PhotoOut(
        id=str(photo.id), url=urls.media(photo.file_name),
        preview_url=urls.media(photo.preview_name), media_type=photo.media_type,
        width=photo.width, height=photo.height, description=photo.alt_text,
        blurhash=photo.blurhash or None,
    )  # fmt: skip


async def add_photo(request: web.Request) -> web.Response:
    account = await require_account(request)
    data, description = await read_picture(request, "photo")
    photo = await photos.add_photo(
        market_publisher(request), account, request.match_info["id"], data,
        alt_text=description, media_dir=request.app[SETTINGS].media_dir,
    )  # fmt: skip
    return respond(photo_out(photo, request.app[URLS]), status=201)


async def delete_photo(request: web.Request) -> web.Response:
    account = await require_account(request)
    photo_id = parse_id(request.match_info["photo_id"]) or 0
    await photos.delete_photo(
        market_publisher(request), account, request.match_info["id"], photo_id,
        media_dir=request.app[SETTINGS].media_dir,
    )  # fmt: skip
    return web.Response(status=204)


_IDS = {"id": "The listing's id.", "photo_id": "The photo's id."}

PHOTO_OPERATIONS = [
    Operation(
        "POST", "/api/v1/listings/{id}/photos", add_photo, "Add a photo to one's listing",
        "listings", description="multipart/form-data: `file` (JPEG, PNG, WebP or GIF, ≤ 10 MB) "
        "and `description` (alt text). Re-encoded to WebP without EXIF, with a ≤ 200 KB preview "
        "and a blurhash; at most 8 per listing. SVG, HTML or anything that is not a raster "
        "image is a 422.",
        form=PhotoForm, upload="file", response=PhotoOut, status=201, errors=(403, 404, 409),
        path_params=_IDS,
    ),
    Operation(
        "DELETE", "/api/v1/listings/{id}/photos/{photo_id}", delete_photo, "Remove a photo",
        "listings", status=204, errors=(403, 404), path_params=_IDS,
    ),
]  # fmt: skip
