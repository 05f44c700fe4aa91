"""Re-encoding uploads: the check that refuses what is not a raster image, and what is kept."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from node.errors import ValidationFailed
from node.services.images import PREVIEW_MAX_BYTES
from node.services.market.photos import encode_photo


def noisy_jpeg(width: int, height: int) -> bytes:
    """Noise compresses badly: the worst case for the preview's size cap."""
    out = io.BytesIO()
    Image.effect_noise((width, height), 80).convert("RGB").save(out, "JPEG", quality=95)
    return out.getvalue()


def test_a_large_noisy_photo_is_resized_and_its_preview_stays_under_200_kb() -> None:
    encoded = encode_photo(noisy_jpeg(3000, 2000))
    assert (encoded.width, encoded.height) == (1600, 1067)
    assert len(encoded.preview) <= PREVIEW_MAX_BYTES
    assert Image.open(io.BytesIO(encoded.full)).format == "WEBP"
    assert len(encoded.blurhash) >= 6


def test_exif_orientation_is_applied_then_the_metadata_dropped() -> None:
    image = Image.new("RGB", (40, 20), "red")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° when shown
    exif[0x010F] = "SecretCamera"
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    encoded = encode_photo(out.getvalue())
    assert (encoded.width, encoded.height) == (20, 40)
    assert not Image.open(io.BytesIO(encoded.full)).getexif()


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
        b"<!doctype html><script>alert(1)</script>",
        b"%PDF-1.4",
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 20,  # a PNG signature with nothing behind it
    ],
)
def test_anything_that_does_not_decode_as_a_raster_image_is_refused(data: bytes) -> None:
    with pytest.raises(ValidationFailed) as refused:
        encode_photo(data)
    assert refused.value.errors[0].field == "file"


def test_a_decompression_bomb_is_refused_before_it_is_decoded() -> None:
    out = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(out, "PNG")  # tiny file, 144 million pixels
    with pytest.raises(ValidationFailed, match="too many pixels"):
        encode_photo(out.getvalue())
