"""The market pages a person uses on a phone: opening a shop, writing a listing with a photo
through the form, searching with filters, category pages, the Atom feeds, and the refusals
(no CSRF token, someone else's listing, a file that is not a photo)."""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace
from xml.etree import ElementTree as ET

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient
from PIL import Image

from federation.publish_market import ListingPublisher
from node import clock
from node.config import Settings
from node.errors import PermissionDenied
from node.models.accounts import Account, Role
from node.models.market import Listing, ListingPhoto, ListingState, Shop
from node.models.moderation import ModerationAction
from node.services.market import listings, remote, shops
from node.urls import Urls
from tests.integration.market.test_listings_service import BREAD
from tests.integration.web.webforms import active_account, csrf_in, sign_in, submit, text_of
from tests.support.fakes import remote_actor

pytestmark = pytest.mark.usefixtures("orm")
ATOM = "{http://www.w3.org/2005/Atom}"

Client = TestClient  # type: ignore[type-arg]


def jpeg(size: tuple[int, int] = (800, 600)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (180, 90, 30)).save(out, "JPEG")
    return out.getvalue()


def media_files(settings: Settings) -> list[str]:
    directory = settings.media_dir
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


async def open_shop(browser: Client, name: str = "panaderia") -> None:
    page = await browser.get("/mercado/shops/new")
    form = FormData()
    form.add_field("csrf", csrf_in(await page.text()))
    for key, value in {
        "username": name, "display_name": "Panadería Ana", "summary": "Pan de **masa madre**.",
        "address": "Calle Real 3", "city": "Huelva", "opening_hours": "Lun–Vie 8–14",
        "phone": "+34 600 000 000", "website": "https://pan.example", "latitude": "37.26",
        "longitude": "-6.94",
    }.items():  # fmt: skip
        form.add_field(key, value)
    form.add_field("categories", "food")
    form.add_field("languages", "es")
    form.add_field("languages", "ar")
    response = await browser.post("/mercado/shops/new", data=form, allow_redirects=False)
    assert response.status == 303, await response.text()
    assert response.headers["Location"] == f"/mercado/shops/{name}"


async def post_listing(
    browser: Client, fields: dict[str, str], photo: tuple[bytes, str, str] | None = None,
    *, with_token: bool = True,
) -> tuple[int, str, str]:  # fmt: skip
    """Fill the composer as a browser does (multipart); (status, Location, body)."""
    page = await browser.get("/mercado/new")
    form = FormData()
    if with_token:
        form.add_field("csrf", csrf_in(await page.text()))
    values = {"kind": "product", "purpose": "offer", "price_kind": "fixed", "currency": "EUR",
              "language": "es", "action": "publish", **fields}  # fmt: skip
    for key, value in values.items():
        form.add_field(key, value)
    form.add_field("delivery", "pickup")
    if photo is not None:
        data, filename, content_type = photo
        form.add_field("photo", data, filename=filename, content_type=content_type)
    response = await browser.post("/mercado/new", data=form, allow_redirects=False)
    return response.status, response.headers.get("Location", ""), await response.text()


async def test_a_member_opens_a_shop_and_publishes_a_product_with_a_photo(
    browser: Client, urls: Urls, settings: Settings
) -> None:
    await active_account(urls, "ana")
    await sign_in(browser)
    await open_shop(browser)
    shop = await Shop.get(actor__local_username="panaderia").prefetch_related("actor")
    assert shop.city == "Huelva" and shop.categories == ["food"] and shop.languages == ["es", "ar"]
    assert "<strong>masa madre</strong>" in shop.actor.summary

    status, location, body = await post_listing(
        browser,
        {"shop": "panaderia", "title": "Pan de centeno", "description": "Horneado *hoy*.",
         "price": "3,50", "category": "food", "quantity": "12", "condition": "new",
         "city": "Huelva", "alt": "Una hogaza de pan oscuro sobre la mesa"},
        (jpeg(), "pan.jpg", "image/jpeg"),
    )  # fmt: skip
    assert status == 303, body
    listing = await Listing.get(title="Pan de centeno")
    assert location == f"/mercado/{listing.id}"
    assert listing.state is ListingState.PUBLISHED and listing.price_cents == 350
    assert listing.shop_id == shop.id and listing.delivery == ["pickup"]  # type: ignore[attr-defined]
    photo = await ListingPhoto.get(listing_id=listing.id)
    assert photo.alt_text == "Una hogaza de pan oscuro sobre la mesa"
    assert photo.file_name in media_files(settings)

    page = await (await browser.get(location, headers={"Accept-Language": "es"})).text()
    assert 'alt="Una hogaza de pan oscuro sobre la mesa"' in page
    assert "3,50\xa0€" in page  # Spanish money format
    assert f'property="og:image" content="{urls.media(photo.preview_name)}"' in page
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)[1])  # type: ignore[index]
    assert ld["@type"] == "Product" and ld["offers"]["price"] == "3.50"
    assert ld["offers"]["priceCurrency"] == "EUR"
    assert '/mercado/shops/panaderia"' in page

    shop_page = await (await browser.get("/mercado/shops/panaderia")).text()
    assert "Pan de centeno" in shop_page and "Calle Real 3" in shop_page
    shop_ld = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', shop_page, re.S)[1]
    )  # type: ignore[index]
    assert shop_ld["@type"] == "LocalBusiness" and shop_ld["telephone"] == "+34 600 000 000"
    assert 'property="og:type" content="business.business"' in shop_page


async def test_another_member_sees_a_contact_link_to_the_message_composer(
    browser: Client, urls: Urls, settings: Settings
) -> None:
    await active_account(urls, "ana")
    await sign_in(browser)
    status, location, _ = await post_listing(
        browser, {"title": "Bicicleta", "price": "80", "category": "other"}
    )
    assert status == 303
    await browser.post("/sign-out", data={"csrf": csrf_in(await (await browser.get("/")).text())})
    await active_account(urls, "bea")
    await sign_in(browser, "bea")
    page = await (await browser.get(location)).text()
    match = re.search(r'href="(/messages/new\?[^"]+)"', page)
    assert match, "no contact link"
    composer = await (await browser.get(match[1].replace("&amp;", "&"))).text()
    assert f"@ana@{settings.domain}" in composer
    # About the listing's ActivityPub id, as the order page's link and the API: one conversation.
    assert urls.absolute(location.replace("/mercado/", "/listings/")) in composer


async def test_search_finds_listings_with_filters_sort_and_category_pages(
    browser: Client, urls: Urls
) -> None:
    await active_account(urls, "ana")
    await sign_in(browser)
    for title, price, category, condition in (
        ("Panadería: pan de maíz", "2", "food", "new"),
        ("Mesa de madera", "40", "home", "good"),
        ("Silla de madera", "15", "home", "fair"),
    ):
        status, _, body = await post_listing(
            browser, {"title": title, "price": price, "category": category,
                      "condition": condition, "city": "Huelva"})  # fmt: skip
        assert status == 303, body
    text = text_of(await (await browser.get("/mercado?q=madera&sort=price_asc")).text())
    assert text.index("Silla de madera") < text.index("Mesa de madera")
    assert "pan de maíz" not in text
    text = text_of(await (await browser.get("/mercado?q=MADERA&max_price=20")).text())
    assert "Silla de madera" in text and "Mesa de madera" not in text
    text = text_of(await (await browser.get("/mercado?q=panaderia")).text())  # no accent
    assert "pan de maíz" in text
    text = text_of(await (await browser.get("/mercado?condition=good&city=huelva")).text())
    assert "Mesa de madera" in text and "Silla" not in text
    page = await browser.get("/mercado/categoria/home", headers={"Accept-Language": "fr"})
    text = text_of(await page.text())
    assert "Maison et jardin" in text and "Mesa de madera" in text and "maíz" not in text
    assert (await browser.get("/mercado/categoria/nothing")).status == 404
    bad = await browser.get("/mercado?min_price=abc")
    assert bad.status == 422 and "Write the price as a number" in text_of(await bad.text())


async def test_feeds_are_valid_atom_with_escaped_text(browser: Client, urls: Urls) -> None:
    await active_account(urls, "ana")
    await sign_in(browser)
    await open_shop(browser)
    status, _, _ = await post_listing(
        browser, {"shop": "panaderia", "title": "Pan & tarta “especial”", "price": "5",
                  "category": "food", "description": "Con <b>mantequilla</b> & miel"})  # fmt: skip
    assert status == 303
    for path in ("/mercado/shops/panaderia/feed.atom", "/mercado/feed.atom?q=tarta&category=food"):
        response = await browser.get(path)
        assert response.status == 200
        assert response.content_type == "application/atom+xml"
        root = ET.fromstring(await response.read())  # noqa: S314 - our own node's feed
        assert root.tag == f"{ATOM}feed"
        entries = root.findall(f"{ATOM}entry")
        assert len(entries) == 1
        assert entries[0].findtext(f"{ATOM}title", "").startswith("Pan & tarta “especial”")
        content = entries[0].findtext(f"{ATOM}content", "")  # the sanitised HTML, as text
        assert content.startswith("<p>Con") and "<b>" not in content
    empty = ET.fromstring(await (await browser.get("/mercado/feed.atom?q=zzzz")).read())  # noqa: S314
    assert empty.findall(f"{ATOM}entry") == []


async def test_a_form_without_csrf_token_is_refused(browser: Client, urls: Urls) -> None:
    await active_account(urls, "ana")
    await sign_in(browser)
    status, _, _ = await post_listing(
        browser, {"title": "Sin token", "price": "1", "category": "food"}, with_token=False
    )
    assert status == 403
    assert not await Listing.filter(title="Sin token").exists()
    response = await browser.post(
        "/mercado/shops/new", data={"username": "nocsrf"}, allow_redirects=False
    )
    assert response.status == 403 and not await Shop.filter(actor__local_username="nocsrf").exists()


async def test_nobody_else_can_edit_or_change_a_listing(browser: Client, urls: Urls) -> None:
    await active_account(urls, "ana")
    await sign_in(browser)
    status, location, _ = await post_listing(
        browser, {"title": "Mío", "price": "9", "category": "crafts"}
    )
    assert status == 303
    await browser.post("/sign-out", data={"csrf": csrf_in(await (await browser.get("/")).text())})
    await active_account(urls, "bea")
    await sign_in(browser, "bea")
    assert (await browser.get(f"{location}/edit")).status in (403, 404)
    page = await (await browser.get(location)).text()
    assert "/edit" not in page and f'action="{location}/state"' not in page
    token = csrf_in(page)
    edit = await browser.post(
        f"{location}/edit",
        data={"csrf": token, "title": "Robado", "category": "food", "price": "1"},
        allow_redirects=False,
    )
    state = await browser.post(
        f"{location}/state", data={"csrf": token, "state": "sold"}, allow_redirects=False
    )
    delete = await browser.post(f"{location}/delete", data={"csrf": token}, allow_redirects=False)
    assert {edit.status, state.status, delete.status} <= {403, 404}
    listing = await Listing.get(id=int(location.rsplit("/", 1)[1]))
    assert listing.title == "Mío" and listing.state is ListingState.PUBLISHED


async def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_stored(
    browser: Client, urls: Urls, settings: Settings
) -> None:
    await active_account(urls, "ana")
    await sign_in(browser)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    status, _, body = await post_listing(
        browser,
        {"title": "Foto falsa", "price": "1", "category": "food"},
        (svg, "pan.jpg", "image/jpeg"),
    )
    assert status == 422
    assert "This file is not a photo we can read" in text_of(body)
    assert not await Listing.filter(title="Foto falsa").exists()
    assert media_files(settings) == []

    status, location, _ = await post_listing(
        browser, {"title": "Sin foto", "price": "1", "category": "food"}
    )
    assert status == 303
    page = await browser.get(f"{location}/edit")
    form = FormData()
    form.add_field("csrf", csrf_in(await page.text()))
    form.add_field("alt", "nada")
    form.add_field(
        "photo", b"<html><body>hola</body></html>", filename="x.png", content_type="image/png"
    )
    response = await browser.post(f"{location}/photos", data=form, allow_redirects=False)
    assert response.status == 422 and "This file is not a photo" in text_of(await response.text())
    assert await ListingPhoto.filter(listing__title="Sin foto").count() == 0
    assert media_files(settings) == []


async def test_the_seller_edits_reserves_and_sells_through_the_buttons(
    browser: Client, urls: Urls
) -> None:
    await active_account(urls, "ana")
    await sign_in(browser)
    status, location, _ = await post_listing(
        browser, {"title": "Lámpara", "price": "20", "category": "home"}
    )
    assert status == 303
    edit = await submit(browser, f"{location}/edit", {
        "title": "Lámpara antigua", "price": "25", "price_kind": "negotiable", "category": "home",
        "kind": "product", "purpose": "offer", "currency": "EUR", "language": "es",
    })  # fmt: skip
    assert edit.status == 303
    reserve = await submit(browser, location, {"state": "reserved"}, action=f"{location}/state")
    assert reserve.status == 303
    page = text_of(await (await browser.get(location)).text())
    assert "Lámpara antigua" in page and "Reserved" in page and "negotiable" in page
    sold = await submit(browser, location, {"state": "sold"}, action=f"{location}/state")
    assert sold.status == 303
    listing = await Listing.get(id=int(location.rsplit("/", 1)[1]))
    assert listing.state is ListingState.SOLD and listing.price_cents == 2500
    gone = await submit(browser, location, {}, action=f"{location}/delete")
    assert gone.status == 303 and not await Listing.filter(id=listing.id).exists()


async def test_arabic_market_pages_are_right_to_left(browser: Client, urls: Urls) -> None:
    page = await (await browser.get("/mercado", headers={"Accept-Language": "ar"})).text()
    assert '<html lang="ar" dir="rtl">' in page
    assert "الطعام والشراب" in page


async def test_search_sorts_by_distance_and_pages_through_results(
    browser: Client, urls: Urls
) -> None:
    await active_account(urls, "ana")
    await sign_in(browser)
    for title, lat, lon in (
        ("Lejos Sevilla", "37.39", "-5.98"),
        ("Cerca Huelva", "37.26", "-6.95"),
    ):
        status, _, body = await post_listing(
            browser, {"title": title, "price": "1", "category": "other",
                      "latitude": lat, "longitude": lon})  # fmt: skip
        assert status == 303, body
    text = text_of(await (await browser.get("/mercado?sort=distance&lat=37.25&lon=-6.94")).text())
    assert text.index("Cerca Huelva") < text.index("Lejos Sevilla")
    text = text_of(await (await browser.get("/mercado?sort=newest")).text())
    assert text.index("Cerca Huelva") < text.index("Lejos Sevilla")
    for number in range(20):
        status, _, _ = await post_listing(
            browser, {"title": f"Cosa {number}", "price": "1", "category": "other"}
        )
        assert status == 303
    first = await (await browser.get("/mercado?category=other")).text()
    assert 'rel="next" href="/mercado?category=other&amp;page=2"' in first
    second = text_of(await (await browser.get("/mercado?category=other&page=2")).text())
    assert "Lejos Sevilla" in second and "Cosa 19" not in second


async def test_the_seller_adds_and_removes_photos_on_the_edit_page(
    browser: Client, urls: Urls, settings: Settings
) -> None:
    await active_account(urls, "ana")
    await sign_in(browser)
    status, location, _ = await post_listing(
        browser, {"title": "Cesta", "price": "12", "category": "crafts"}
    )
    assert status == 303
    page = await browser.get(f"{location}/edit")
    form = FormData()
    form.add_field("csrf", csrf_in(await page.text()))
    form.add_field("alt", "Cesta de mimbre con asas")
    form.add_field("photo", jpeg((2400, 1800)), filename="cesta.jpg", content_type="image/jpeg")
    response = await browser.post(f"{location}/photos", data=form, allow_redirects=False)
    assert response.status == 303
    photo = await ListingPhoto.get(listing__title="Cesta")
    assert max(photo.width, photo.height) == 1600 and photo.alt_text == "Cesta de mimbre con asas"
    edit_page = await (await browser.get(f"{location}/edit")).text()
    assert 'alt="Cesta de mimbre con asas"' in edit_page
    removed = await submit(
        browser, f"{location}/edit", {}, action=f"{location}/photos/{photo.id}/delete"
    )
    assert removed.status == 303
    assert not await ListingPhoto.filter(id=photo.id).exists()
    assert media_files(settings) == []


async def test_the_owner_edits_the_shop_and_nobody_else_can(browser: Client, urls: Urls) -> None:
    await active_account(urls, "ana")
    await sign_in(browser)
    await open_shop(browser)
    edit = await submit(browser, "/mercado/shops/panaderia/edit", {
        "display_name": "Panadería Ana e hijas", "summary": "Pan y bollos.",
        "address": "Plaza Mayor 1", "city": "Huelva", "opening_hours": "Lun–Sáb 8–14",
        "phone": "+34 611 111 111", "website": "https://pan.example/tienda", "latitude": "",
        "longitude": "", "categories": "crafts", "languages": "fr",
    })  # fmt: skip
    assert edit.status == 303
    shop = await Shop.get(actor__local_username="panaderia").prefetch_related("actor")
    assert shop.address == "Plaza Mayor 1" and shop.categories == ["crafts"]
    assert shop.languages == ["fr"] and shop.actor.display_name == "Panadería Ana e hijas"
    bad = await submit(browser, "/mercado/shops/panaderia/edit", {
        "display_name": "Pan", "website": "javascript:alert(1)", "summary": "", "address": "",
        "city": "", "opening_hours": "", "phone": "", "latitude": "", "longitude": "",
    })  # fmt: skip
    assert bad.status == 422 and "starting with https://" in text_of(await bad.text())
    mine = text_of(await (await browser.get("/mercado/mine")).text())
    assert "Panadería Ana e hijas" in mine

    await browser.post("/sign-out", data={"csrf": csrf_in(await (await browser.get("/")).text())})
    await active_account(urls, "bea")
    await sign_in(browser, "bea")
    assert (await browser.get("/mercado/shops/panaderia/edit")).status == 403
    token = csrf_in(await (await browser.get("/mercado")).text())
    stolen = await browser.post("/mercado/shops/panaderia/edit",
                                data={"csrf": token, "display_name": "Mía"}, allow_redirects=False)  # fmt: skip
    assert stolen.status == 403
    await shop.actor.refresh_from_db()
    assert shop.actor.display_name == "Panadería Ana e hijas"


async def test_search_shows_listings_received_from_other_nodes_and_filters_by_node(
    browser: Client, urls: Urls
) -> None:
    seller = await remote_actor("rui", "faro.example")
    far = await remote.store_remote_listing(
        seller,
        remote.RemoteListing(
            uri="https://faro.example/listings/1", url="https://faro.example/mercado/1",
            title="Cataplana de cobre", price_cents=4500, currency="EUR", category="home",
            city="Faro", published=clock.now(),
            photos=({"url": "https://faro.example/media/c.webp", "description": "Cataplana brillante"},),
        ),
    )  # fmt: skip
    await active_account(urls, "ana")
    await sign_in(browser)
    status, _, _ = await post_listing(
        browser, {"title": "Cataplana local", "price": "30", "category": "home"}
    )
    assert status == 303
    page = await (
        await browser.get("/mercado?q=cataplana", headers={"Accept-Language": "pt"})
    ).text()
    assert far is not None and f'href="/mercado/{far.id}"' in page  # shown here, from faro
    assert 'alt="Cataplana brillante"' in page and "45,00\xa0€" in page
    assert "Cataplana local" in page
    only_faro = text_of(await (await browser.get("/mercado?q=cataplana&node=faro.example")).text())
    assert "Cataplana de cobre" in only_faro and "Cataplana local" not in only_faro


async def test_city_staff_verify_a_shop_from_its_page_and_the_audit_log_keeps_it(
    browser: Client, urls: Urls
) -> None:
    await active_account(urls, "ana")
    await sign_in(browser)
    await open_shop(browser)
    # The owner is no staff: no button, and a forged form is refused.
    own = await (await browser.get("/mercado/shops/panaderia")).text()
    assert "/mercado/shops/panaderia/verify" not in own and "Verified" not in text_of(own)
    forged = await submit(browser, "/mercado/shops/panaderia", {"verified": "1"},
                          action="/mercado/shops/panaderia/verify")  # fmt: skip
    assert forged.status == 403
    assert (await Shop.get(actor__local_username="panaderia")).verified_at is None

    browser.session.cookie_jar.clear()
    await active_account(urls, "marta", role=Role.STAFF)
    await sign_in(browser, "marta")
    page = await (await browser.get("/mercado/shops/panaderia")).text()
    assert "Mark as verified" in text_of(page)
    marked = await submit(browser, "/mercado/shops/panaderia", {"verified": "1"},
                          action="/mercado/shops/panaderia/verify")  # fmt: skip
    assert marked.status == 303
    assert marked.headers["Location"] == "/mercado/shops/panaderia?notice=shop_verified"
    shown = text_of(await (await browser.get(marked.headers["Location"])).text())
    assert "The shop is marked as verified." in shown and "Panadería Ana Verified" in shown
    assert "Remove the verified mark" in shown
    api = await browser.get("/api/v1/shops/panaderia")
    assert (await api.json())["verified"] is True
    # Its listings say so next to the seller's name.
    listing = await listings.create_listing(
        ListingPublisher(urls), urls, await Account.get(username="ana"),
        replace(BREAD, title="Hogaza verificada"),
        shop=await Shop.get(actor__local_username="panaderia"),
    )  # fmt: skip
    seller_line = text_of(await (await browser.get(f"/mercado/{listing.id}")).text())
    assert "Sold by Panadería Ana Verified" in seller_line
    log = text_of(await (await browser.get("/moderation/log")).text())
    assert "@marta marked a shop as verified: @panaderia" in log
    # Sent again (a double tap, a reload): nothing changes and the log has it once.
    again = await submit(browser, "/mercado/shops/panaderia", {"verified": "1"},
                         action="/mercado/shops/panaderia/verify")  # fmt: skip
    assert again.status == 303
    assert await ModerationAction.filter(action="shop_verified").count() == 1

    removed = await submit(browser, "/mercado/shops/panaderia", {"verified": "0"},
                           action="/mercado/shops/panaderia/verify")  # fmt: skip
    assert removed.headers["Location"].endswith("notice=shop_unverified")
    assert (await Shop.get(actor__local_username="panaderia")).verified_at is None
    log = text_of(await (await browser.get("/moderation/log")).text())
    assert "@marta removed a shop's verified mark: @panaderia" in log

    # Suspended staff cannot vouch for anything.
    marta = await Account.get(username="marta")
    await Account.filter(id=marta.id).update(suspended_at=clock.now())
    with pytest.raises(PermissionDenied):
        await shops.verify_shop(await Account.get(id=marta.id), "panaderia")
    assert (await Shop.get(actor__local_username="panaderia")).verified_at is None
