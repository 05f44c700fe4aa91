"""A recording ``MarketPublisher`` and small builders for marketplace tests."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from node.models.accounts import Account
from tests.support.fakes import in_transaction_now


@dataclass
class RecordingMarketPublisher:
    calls: list[tuple[str, Any, bool]] = field(default_factory=list)

    def names(self) -> list[str]:
        return [name for name, _, _ in self.calls]

    async def listing_published(self, listing: Any) -> None:
        self.calls.append(("listing_published", listing, in_transaction_now()))

    async def listing_updated(self, listing: Any) -> None:
        self.calls.append(("listing_updated", listing, in_transaction_now()))

    async def listing_deleted(self, listing: Any) -> None:
        self.calls.append(("listing_deleted", listing, in_transaction_now()))


def jpeg_bytes(width: int = 64, height: int = 48, *, exif_gps: bool = False) -> bytes:
    """A small real JPEG; with ``exif_gps`` it carries an EXIF block naming a position."""
    image = Image.new("RGB", (width, height), (200, 120, 40))
    out = io.BytesIO()
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "SecretCamera"  # Make
        exif[0x8825] = {1: "N", 2: (37.0, 23.0, 10.0)}  # GPSInfo
        image.save(out, "JPEG", exif=exif.tobytes())
    else:
        image.save(out, "JPEG")
    return out.getvalue()


async def account_of(username: str) -> Account:
    return await Account.get(username=username)
