"""Uploaded images: checked, re-encoded by Pillow and stored under the media directory.

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

from PIL import Image, ImageOps, UnidentifiedImageError

from node.errors import ValidationFailed
from node.ids import new_token

# A phone photo is 2–6 MB; 8 MB leaves room without letting one upload fill a small server.
MAX_UPLOAD_BYTES = 8 * 1024 * 1024
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


@dataclass(frozen=True)
class _Shape:
    width: int
    height: int
    crop: bool  # crop to exactly this shape, or only fit inside it


_SHAPES = {
    ImagePurpose.AVATAR: _Shape(400, 400, crop=True),
    ImagePurpose.HEADER: _Shape(1500, 500, crop=True),
}


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


def reencode(data: bytes, purpose: ImagePurpose, *, field: str = "image") -> tuple[bytes, int, int]:
    """The upload as a clean WebP of the purpose's shape (see :func:`decode` for refusals)."""
    picture = decode(data, field=field)
    shape = _SHAPES[purpose]
    if shape.crop:
        picture = ImageOps.fit(picture, _fitting(picture.size, shape), Image.Resampling.LANCZOS)
    else:
        picture.thumbnail((shape.width, shape.height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    picture.save(out, "WEBP", quality=82, method=4)  # no exif= argument: nothing is carried over
    return out.getvalue(), picture.width, picture.height


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
    encoded, width, height = await asyncio.to_thread(reencode, data, purpose, field=field)
    name = f"{purpose.value}-{new_token(16)}.webp"
    await asyncio.to_thread(write_file, media_dir, name, encoded)
    return StoredImage(name, MEDIA_TYPE, width, height)


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
