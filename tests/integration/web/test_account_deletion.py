"""Deleting an account that runs a shop: its listings are tombstoned and federated, its pages
and search results go, its open orders end with the other party told, and its files leave the
disk."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from PIL import Image

from node import clock
from node.config import Settings
from node.models.actors import Actor
from node.models.jobs import Job
from node.models.market import Listing, ListingPhoto, ListingState, Shop
from node.models.media import NoteMedia
from node.models.notifications import Notification, NotificationKind
from node.models.orders import Order, OrderState
from node.models.peers import OutgoingActivity
from node.models.social import Follow, FollowState, Note, Tombstone
from node.services import images
from node.services.accounts.account_deletion import remove_files
from node.services.accounts.accounts import person_actor
from node.services.images import ImagePurpose
from node.services.social.profiles import set_picture
from node.urls import Urls
from tests.integration.web.conftest import SpyPublisher
from tests.integration.web.test_market_pages import media_files, open_shop, post_listing
from tests.integration.web.webforms import PASSWORD, active_account, sign_in, submit, text_of
from tests.support.fakes import remote_actor

pytestmark = pytest.mark.usefixtures("orm")
Client = TestClient  # type: ignore[type-arg]
AS_JSON = {"Accept": "application/activity+json"}


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (400, 300), (30, 90, 180)).save(out, "JPEG")
    return out.getvalue()


async def _follow(follower: Actor, target: Actor, n: int) -> None:
    await Follow.create(follower=follower, target=target, state=FollowState.ACCEPTED,
                        uri=f"https://{follower.domain}/follows/{n}")  # fmt: skip


async def _order(listing: Listing, buyer: Actor, seller: Actor, uri: str) -> Order:
    return await Order.create(uri=uri, offer_uri=uri + "/offer", listing=listing, buyer=buyer,
                              seller=seller, quantity=1)  # fmt: skip


async def _deliveries() -> list[tuple[dict[str, Any], str]]:
    """Every queued delivery as (activity body, inbox)."""
    bodies = {row.id: row.body for row in await OutgoingActivity.all()}
    return [
        (bodies[job.payload["activity_id"]], job.payload["inbox"])
        for job in await Job.filter(queue="deliver")
    ]


async def test_deleting_a_shop_owner_tombstones_listings_ends_orders_and_removes_files(
    browser: Client, urls: Urls, settings: Settings, publisher: SpyPublisher
) -> None:
    account = await active_account(urls, "ana")
    await active_account(urls, "bea")
    await sign_in(browser)
    await open_shop(browser)
    shop = await Shop.get(actor__local_username="panaderia").prefetch_related("actor")
    for fields in (
        {"shop": "panaderia", "title": "Pan de centeno", "price": "3", "category": "food"},
        {"title": "Bicicleta de paseo", "price": "80", "category": "home"},
    ):
        status, _, body = await post_listing(browser, fields, (jpeg(), "p.jpg", "image/jpeg"))
        assert status == 303, body
    bread = await Listing.get(title="Pan de centeno")
    bike = await Listing.get(title="Bicicleta de paseo")
    ana = await person_actor(account)
    bea = await person_actor(await account.__class__.get(username="bea"))

    # Her avatar, a shop logo and a post picture, as the upload paths store them.
    await set_picture(publisher, account, urls, settings.media_dir, ImagePurpose.AVATAR, jpeg())
    images.write_file(settings.media_dir, "logo-abcdefgh.webp", b"logo")
    shop.actor.icon_url = urls.media("logo-abcdefgh.webp")
    await shop.actor.save(update_fields=["icon_url"])
    images.write_file(settings.media_dir, "note-abcdefgh.webp", b"picture")
    await Note.create(uri=urls.note(1), author=ana, local=True, content_html="<p>Hoy</p>",
                      published=clock.now(), attachments=[{"file": "note-abcdefgh.webp",
                      "url": urls.media("note-abcdefgh.webp")}])  # fmt: skip
    # A picture uploaded through the API and never attached to a post.
    images.write_file(settings.media_dir, "upload-abcdefgh.webp", b"waiting")
    await NoteMedia.create(owner=ana, entry={}, file="upload-abcdefgh.webp")
    theirs = set(media_files(settings))
    assert len(theirs) == 8  # two photos and their previews, avatar, logo, post, upload
    bea_file = "avatar-beabeabea.webp"
    images.write_file(settings.media_dir, bea_file, b"someone else's")

    # Remote followers of the shop and of Ana; open orders in both directions.
    eva = await remote_actor("eva", "faro.example")
    lia = await remote_actor("lia", "lepe.example")
    await _follow(eva, shop.actor, 1)
    await _follow(lia, ana, 2)
    await _order(bread, eva, shop.actor, "https://faro.example/agreements/1")
    await _order(bike, bea, ana, urls.absolute("/agreements/2"))
    remote_bread = await Listing.create(uri="https://lepe.example/listings/9", local=False,
                                        seller=lia, title="Pan de Lepe", category="food",
                                        state=ListingState.PUBLISHED, published=clock.now())  # fmt: skip
    placed = await _order(remote_bread, ana, lia, urls.absolute("/agreements/3"))
    bea_listing = await Listing.create(uri=urls.absolute("/listings/77"), local=True, seller=bea,
                                       title="Mesa", category="home", search_text="mesa",
                                       state=ListingState.PUBLISHED, published=clock.now())  # fmt: skip
    placed_locally = await _order(bea_listing, ana, bea, urls.absolute("/agreements/4"))
    assert "Pan de centeno" in text_of(await (await browser.get("/mercado?q=centeno")).text())
    await Job.filter(queue="deliver").delete()

    response = await submit(browser, "/settings/delete", {"password": PASSWORD})
    assert response.status == 303

    # Files: every one of hers is gone, other people's stay.
    assert set(media_files(settings)) & theirs == set()
    assert bea_file in media_files(settings)
    assert not await NoteMedia.filter(owner=ana).exists()

    # Federation: one Delete{Tombstone} per listing to the seller's followers, Delete of the
    # shop actor and of the person, Reject to the remote buyer, Undo{Offer} to the remote seller.
    sent = await _deliveries()
    tombstones = {(b["object"]["id"], inbox) for b, inbox in sent
                  if b["type"] == "Delete" and isinstance(b["object"], dict)}  # fmt: skip
    assert (bread.uri, "https://faro.example/inbox") in tombstones
    assert (bike.uri, "https://lepe.example/inbox") in tombstones
    actor_deletes = {(b["object"], inbox) for b, inbox in sent
                     if b["type"] == "Delete" and isinstance(b["object"], str)}  # fmt: skip
    assert (shop.actor.uri, "https://faro.example/inbox") in actor_deletes
    assert (ana.uri, "https://lepe.example/inbox") in actor_deletes
    (reject,) = [b for b, _ in sent if b["type"] == "Reject"]
    assert reject["object"] == "https://faro.example/agreements/1/offer"
    (undo,) = [b for b, inbox in sent if b["type"] == "Undo"]
    assert undo["object"]["id"] == placed.offer_uri and undo["to"] == [lia.uri]

    # Local parties: Bea hears her order was declined and that Ana withdrew hers.
    kinds = set(await Notification.filter(account__username="bea").values_list("kind", flat=True))
    assert {NotificationKind.ORDER_DECLINED, NotificationKind.ORDER_CANCELLED} <= kinds
    assert (await Order.get(id=placed_locally.id)).state is OrderState.CANCELLED
    assert (await Order.get(id=placed.id)).state is OrderState.CANCELLED

    # Pages: the objects are tombstoned (410), the HTML pages gone (404), search is empty.
    for listing in (bread, bike):
        assert await Tombstone.filter(uri=listing.uri).exists()
        gone = await browser.get(listing.uri.removeprefix(urls.base), headers=AS_JSON)
        assert gone.status == 410
        assert (await browser.get(f"/mercado/{listing.id}")).status == 404
    assert await Listing.filter(local=True, seller_id__in=[ana.id, shop.actor.id]).count() == 0
    assert await ListingPhoto.all().count() == 0
    assert (await browser.get("/mercado/shops/panaderia")).status == 404
    shop_actor = await browser.get(shop.actor.uri.removeprefix(urls.base), headers=AS_JSON)
    assert shop_actor.status == 410
    for query in ("centeno", "bicicleta"):
        page = text_of(await (await browser.get(f"/mercado?q={query}")).text())
        assert "Pan de centeno" not in page and "Bicicleta" not in page
    assert "Mesa" in text_of(await (await browser.get("/mercado?q=mesa")).text())


def test_a_file_that_cannot_be_removed_is_logged_not_raised(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "stuck.webp").mkdir()  # unlink() of a directory fails
    (tmp_path / "fine.webp").write_bytes(b"x")
    with caplog.at_level(logging.WARNING):
        remove_files(tmp_path, ["stuck.webp", "fine.webp", "../escape.webp", "missing.webp"])
    assert not (tmp_path / "fine.webp").exists()
    assert "could not remove media file stuck.webp" in caplog.text
    assert "unsafe name" in caplog.text
