"""Listing photos: every upload is decoded and re-encoded by Pillow, never stored as sent.

Decoding is the check: an SVG, an HTML page or a script renamed ``.jpg`` does not decode as a
raster image and is refused, whatever its name or declared type. Re-encoding drops EXIF (GPS
position, camera serial) and anything appended to the file. The stored image is WebP at most
1600 px on its long side; the preview is a JPEG of at most 200 KB for link cards. The encoding
itself is the shared pipeline of ``node.services.images`` (``ImagePurpose.PHOTO``).
"""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path

from tortoise.transactions import in_transaction

from node.errors import Conflict, NotFound, ValidationFailed
from node.models.accounts import Account
from node.models.market import Listing, ListingPhoto, ListingState
from node.ports import MarketPublisher
from node.services import images
from node.services.market.fields import plain_line
from node.services.market.listings import next_edit_time, own_listing

MAX_PHOTOS = 8
ALT_MAX = 1500


def encode_photo(data: bytes) -> images.EncodedImage:
    """A listing photo through the one image pipeline (``node.services.images``); a refusal
    names the form's ``file`` field."""
    return images.encode(data, images.ImagePurpose.PHOTO, field="file")


def remove_files(media_dir: Path, names: list[str]) -> None:
    for name in names:
        (media_dir / name).unlink(missing_ok=True)


async def add_photo(
    publisher: MarketPublisher,
    account: Account,
    listing_id: int | str,
    data: bytes,
    *,
    alt_text: str,
    media_dir: Path,
) -> ListingPhoto:
    """Add a photo to one's listing (at most :data:`MAX_PHOTOS`); a published listing sends
    ``Update``. Nothing is stored when the file is refused."""
    listing = await own_listing(account, listing_id)
    if listing.state is ListingState.SOLD:
        raise Conflict("This listing is sold; its photos can no longer change.")
    alt = plain_line(alt_text, "description", max_chars=ALT_MAX, required=False)
    if await ListingPhoto.filter(listing_id=listing.id).count() >= MAX_PHOTOS:
        raise ValidationFailed.on("file", f"A listing can have at most {MAX_PHOTOS} photos.")
    encoded = await asyncio.to_thread(encode_photo, data)
    token = secrets.token_urlsafe(18)
    full_name, preview_name = f"{token}.webp", f"{token}-preview.jpg"
    await asyncio.to_thread(images.write_file, media_dir, full_name, encoded.full)
    await asyncio.to_thread(images.write_file, media_dir, preview_name, encoded.preview)
    try:
        async with in_transaction():
            position = await ListingPhoto.filter(listing_id=listing.id).count()
            if position >= MAX_PHOTOS:  # lost a race with another upload
                raise ValidationFailed.on(
                    "file", f"A listing can have at most {MAX_PHOTOS} photos."
                )
            photo = await ListingPhoto.create(
                listing=listing,
                position=position,
                file_name=full_name,
                preview_name=preview_name,
                media_type="image/webp",
                width=encoded.width,
                height=encoded.height,
                size=len(encoded.full),
                alt_text=alt,
                blurhash=encoded.blurhash,
            )
            await _announce_change(publisher, listing)
    except BaseException:
        remove_files(media_dir, [full_name, preview_name])
        raise
    return photo


async def delete_photo(
    publisher: MarketPublisher,
    account: Account,
    listing_id: int | str,
    photo_id: int,
    *,
    media_dir: Path,
) -> None:
    listing = await own_listing(account, listing_id)
    photo = await ListingPhoto.get_or_none(id=photo_id, listing_id=listing.id)
    if photo is None:
        raise NotFound("No such photo on this listing.")
    async with in_transaction():
        await photo.delete()
        await _announce_change(publisher, listing)
    remove_files(media_dir, [photo.file_name, photo.preview_name])


async def photos_of(listing: Listing) -> list[ListingPhoto]:
    return await ListingPhoto.filter(listing_id=listing.id).order_by("position", "id")


async def _announce_change(publisher: MarketPublisher, listing: Listing) -> None:
    if listing.state is ListingState.DRAFT:
        return
    listing.edited_at = next_edit_time(listing)
    await listing.save(update_fields=["edited_at", "updated_at"])
    await publisher.listing_updated(listing)
