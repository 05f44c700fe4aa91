"""Pictures in posts: up to four per note, each with alt text, through the one image pipeline.

Every upload goes through the one image pipeline (``node.services.images``, as a photo):
decoded, re-encoded as WebP without EXIF, with its size and blurhash.
All of a post's pictures are checked before any file is written, so a refused third picture
leaves nothing behind. Stored pictures are the note's ``attachments`` entries; ``file`` names the
local file, so deleting the note can remove it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from node.errors import ValidationFailed
from node.ids import new_token
from node.services import images

MAX_NOTE_MEDIA = 4  # what Mastodon shows (FEDERATION.md §5.0 rule 6)
FIELD = "media"
TOO_MANY = f"A post can have at most {MAX_NOTE_MEDIA} pictures."
ALT_MAX = 1500  # as listing photos (node.services.market.photos.ALT_MAX)


@dataclass(frozen=True)
class MediaUpload:
    """A picture as it came from the form or the API, with the alt text written for it."""

    data: bytes
    description: str = ""


@dataclass(frozen=True)
class CheckedMedia:
    encoded: images.EncodedImage
    description: str


def check_count(count: int) -> None:
    """Refuse more pictures than a post may carry, before any of them is decoded."""
    if count > MAX_NOTE_MEDIA:
        raise ValidationFailed.on(FIELD, TOO_MANY)


def clean_description(value: str) -> str:
    # Alt text is read out by screen readers: one line of plain text, escaped where shown.
    text = " ".join(value.split())
    if len(text) > ALT_MAX:
        raise ValidationFailed.on(FIELD, f"Alt text can have at most {ALT_MAX} characters.")
    return text


async def check_media(uploads: Sequence[MediaUpload]) -> list[CheckedMedia]:
    """Decode and re-encode every upload (in a thread: CPU work); ``ValidationFailed`` on
    ``media`` for too many pictures, a file that is not a raster picture, or one too large."""
    check_count(len(uploads))
    checked = []
    for upload in uploads:
        description = clean_description(upload.description)
        encoded = await asyncio.to_thread(
            images.encode, upload.data, images.ImagePurpose.PHOTO, field=FIELD
        )
        checked.append(CheckedMedia(encoded, description))
    return checked


async def store_media(
    media_dir: Path, checked: Sequence[CheckedMedia], media_url: Callable[[str], str]
) -> list[dict[str, Any]]:
    """Write the checked pictures under ``media_dir``; their ``attachments`` entries.
    ``media_url`` turns a file name into its public URL (``Urls.media``)."""
    entries: list[dict[str, Any]] = []
    try:
        for item in checked:
            name = f"note-{new_token(16)}.webp"
            await asyncio.to_thread(images.write_file, media_dir, name, item.encoded.full)
            entries.append(
                {
                    "url": media_url(name),
                    "media_type": images.MEDIA_TYPE,
                    "description": item.description,
                    "width": item.encoded.width,
                    "height": item.encoded.height,
                    "blurhash": item.encoded.blurhash,
                    "file": name,
                }
            )
    except BaseException:
        remove_media(media_dir, entries)
        raise
    return entries


def local_files(attachments: Sequence[Any]) -> list[str]:
    """The names of the files under the media directory that these attachments point at."""
    return [
        item["file"]
        for item in attachments
        if isinstance(item, Mapping) and isinstance(item.get("file"), str)
    ]


def remove_media(media_dir: Path, attachments: Sequence[Any]) -> None:
    """Delete the local files of a note's pictures (a deleted note, a refused post)."""
    for name in local_files(attachments):
        images.remove_image(media_dir, name)


def revise(
    attachments: Sequence[Any], descriptions: Mapping[int, str], remove: set[int]
) -> list[Any]:
    """An edit of a post's pictures by position: new alt text for some, some removed. The
    pictures kept; ``notes.edit_note`` deletes the others' files once the edit is committed."""
    kept: list[Any] = []
    for index, item in enumerate(attachments):
        if index in remove:
            continue
        if index in descriptions and isinstance(item, Mapping):
            kept.append({**item, "description": clean_description(descriptions[index])})
        else:
            kept.append(item)
    return kept
