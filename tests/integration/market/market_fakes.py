"""A recording ``MarketPublisher`` and small builders for marketplace tests, and the ``shop``
fixture of the wire tests (import it and name it in the test module's ``__all__``)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import pytest
from PIL import Image

from node.models.accounts import Account
from node.models.actors import Actor, ActorKind
from node.models.market import Shop
from node.models.social import Follow, FollowState
from node.services.market import shops
from node.services.market.mercado import ensure_market_group
from node.urls import Urls
from tests.support.fakes import in_transaction_now, local_person, remote_actor


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


@pytest.fixture
async def shop(urls: Urls) -> Shop:
    """Ana's shop "rocio" in La Palma del Condado, on a node whose market group exists."""
    await local_person(urls, "ana")
    await ensure_market_group(urls)
    opened = await shops.open_shop(
        urls, await account_of("ana"), "rocio", shops.ShopDetails(city="La Palma del Condado")
    )
    await opened.fetch_related("actor")
    return opened


async def node_follows_group(host: str, group: Actor) -> Actor:
    """Another node's instance actor (``host``) with an accepted follow of our market group."""
    node = await remote_actor(host, host, kind=ActorKind.APPLICATION)
    await Follow.create(follower=node, target=group, state=FollowState.ACCEPTED,
                        uri=f"https://{host}/follows/mercado")  # fmt: skip
    return node
