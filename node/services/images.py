"""Uploaded images: checked, re-encoded by Pillow and stored under the media directory.

The one image pipeline: avatars, profile headers, listing photos and the pictures in posts all
pass :func:`decode` and :func:`encode`; only the shape differs by :class:`ImagePurpose`.

Nothing the uploader sent is stored as it came: the type is sniffed from the content (never the
name or the declared type), the pixels are decoded and written again as WebP, so EXIF (GPS
positions of a phone photo), colour-profile tricks, polyglot files and anything after the image
data are gone. SVG, HTML or any other non-raster file "posing as an image" is refused, and so are
files or pictures above the caps (SECURITY.md "Uploads").
"""

from __future__ import annotations

import asyncio
import io
import os
import warnings
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import blurhash  # type: ignore[import-untyped]
from PIL import Image, ImageOps, UnidentifiedImageError

from node.errors import ValidationFailed
from node.ids import new_token

# A phone photo is 2–6 MB; 8 MB leaves room without letting one upload fill a small server.
MAX_UPLOAD_BYTES = 8 * 1024 * 1024
# A little above avatars: product photos come straight off a phone.
MAX_PHOTO_BYTES = 10 * 1024 * 1024
# Link cards want a small JPEG preview of a photo.
PREVIEW_SIDE = 480
PREVIEW_MAX_BYTES = 200 * 1024
# Decoding cost grows with pixels, not bytes: a 2 KB PNG can claim 50 000 × 50 000 pixels.
MAX_PIXELS = 40_000_000
# The raster formats phones and cameras produce; everything else is refused.
ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF"})
MEDIA_TYPE = "image/webp"

NOT_AN_IMAGE = "This file is not a picture we can use: send a JPEG, PNG, WebP or GIF image."
TOO_MANY_PIXELS = "The picture has too many pixels; send a smaller one."
EMPTY = "Choose a picture to upload."


class ImagePurpose(StrEnum):
    AVATAR = "avatar"  # square, shown small
    HEADER = "header"  # the wide banner of a profile
    PHOTO = "photo"  # a listing photo or a picture in a post: kept whole, with preview and blurhash


@dataclass(frozen=True)
class _Shape:
    width: int
    height: int
    crop: bool  # crop to exactly this shape, or only fit inside it
    max_bytes: int = MAX_UPLOAD_BYTES
    # Photos are shown before they load (blurhash) and in link cards (JPEG preview), both opaque.
    extras: bool = False


_SHAPES = {
    ImagePurpose.AVATAR: _Shape(400, 400, crop=True),
    ImagePurpose.HEADER: _Shape(1500, 500, crop=True),
    ImagePurpose.PHOTO: _Shape(1600, 1600, crop=False, max_bytes=MAX_PHOTO_BYTES, extras=True),
}


@dataclass(frozen=True)
class EncodedImage:
    full: bytes  # the WebP to store
    width: int
    height: int
    preview: bytes = b""  # photos only: a JPEG under PREVIEW_MAX_BYTES
    blurhash: str = ""  # photos only


@dataclass(frozen=True)
class StoredImage:
    name: str  # the file name under the media directory
    media_type: str
    width: int
    height: int


def decode(data: bytes, *, field: str = "image", max_bytes: int = MAX_UPLOAD_BYTES) -> Image.Image:
    """The upload decoded and upright (EXIF orientation applied, EXIF itself left behind);
    ``ValidationFailed`` on ``field`` when it is empty, larger than ``max_bytes``, not one of the
    accepted raster formats, or has too many pixels. The one gate for every uploaded picture."""
    if not data:
        raise ValidationFailed.on(field, EMPTY)
    if len(data) > max_bytes:
        raise ValidationFailed.on(field, f"The picture is larger than {max_bytes // 2**20} MB.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=sorted(ACCEPTED_FORMATS)) as probe:
                if probe.width * probe.height > MAX_PIXELS:
                    raise ValidationFailed.on(field, TOO_MANY_PIXELS)
                probe.load()
                picture = ImageOps.exif_transpose(probe)  # keep the orientation, drop the EXIF
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationFailed.on(field, TOO_MANY_PIXELS) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationFailed.on(field, NOT_AN_IMAGE) from None
    return picture.convert("RGBA" if _has_alpha(picture) else "RGB")


def encode(data: bytes, purpose: ImagePurpose, *, field: str = "image") -> EncodedImage:
    """The upload as a clean WebP of the purpose's shape, with a preview and a blurhash for
    photos (see :func:`decode` for refusals). CPU work: callers run it in a thread."""
    shape = _SHAPES[purpose]
    picture = decode(data, field=field, max_bytes=shape.max_bytes)
    if shape.extras:
        picture = picture.convert("RGB")  # the JPEG preview and the blurhash have no alpha
    if shape.crop:
        picture = ImageOps.fit(picture, _fitting(picture.size, shape), Image.Resampling.LANCZOS)
    else:
        picture.thumbnail((shape.width, shape.height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    picture.save(out, "WEBP", quality=82, method=4)  # no exif= argument: nothing is carried over
    if not shape.extras:
        return EncodedImage(out.getvalue(), picture.width, picture.height)
    return EncodedImage(
        out.getvalue(),
        picture.width,
        picture.height,
        preview=_preview(picture),
        blurhash=_blurhash(picture),
    )


def _preview(picture: Image.Image) -> bytes:
    """A JPEG of at most PREVIEW_MAX_BYTES: lower quality first, then a smaller picture."""
    small = picture.copy()
    small.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE))
    for quality in (80, 65, 50, 35):
        out = io.BytesIO()
        small.save(out, "JPEG", quality=quality, optimize=True)
        if out.tell() <= PREVIEW_MAX_BYTES:
            return out.getvalue()
    small.thumbnail((240, 240))
    out = io.BytesIO()
    small.save(out, "JPEG", quality=50)
    return out.getvalue()


def _blurhash(picture: Image.Image) -> str:
    small = picture.copy()
    small.thumbnail((64, 64))
    # blurhash-python reads pixels with Image.getdata, deprecated since Pillow 12: silence its
    # warning here rather than in every caller, until the library moves on.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return str(blurhash.encode(small, x_components=4, y_components=3))


def _has_alpha(picture: Image.Image) -> bool:
    return picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info


def _fitting(size: tuple[int, int], shape: _Shape) -> tuple[int, int]:
    """The crop size: the shape's aspect ratio, never larger than the picture (no upscaling)."""
    width, height = size
    scale = min(1.0, width / shape.width, height / shape.height)
    return max(1, round(shape.width * scale)), max(1, round(shape.height * scale))


async def store_image(
    media_dir: Path, data: bytes, purpose: ImagePurpose, *, field: str = "image"
) -> StoredImage:
    """Check and re-encode an upload (in a thread: decoding is CPU work) and write it under
    ``media_dir`` with a random name. Nothing is written when the upload is refused."""
    encoded = await asyncio.to_thread(encode, data, purpose, field=field)
    name = f"{purpose.value}-{new_token(16)}.webp"
    await asyncio.to_thread(write_file, media_dir, name, encoded.full)
    return StoredImage(name, MEDIA_TYPE, encoded.width, encoded.height)


def write_file(media_dir: Path, name: str, data: bytes) -> None:
    """Write ``name`` under ``media_dir`` atomically (a reader never sees half a file)."""
    media_dir.mkdir(parents=True, exist_ok=True)
    temporary = media_dir / f".{name}.part"
    temporary.write_bytes(data)
    os.replace(temporary, media_dir / name)


def remove_image(media_dir: Path, name: str) -> None:
    """Delete a stored image (a replaced avatar); unknown or unsafe names are ignored."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return
    (media_dir / name).unlink(missing_ok=True)
