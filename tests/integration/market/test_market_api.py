"""``/api/v1/shops`` and ``/api/v1/listings`` over HTTP: status codes, problems a person can act
on, nothing stored on bad input, drafts private, photos re-encoded, search with filters."""

from __future__ import annotations

import io
from typing import Any

import pytest
from aiohttp import FormData, web
from aiohttp.test_utils import TestClient
from PIL import Image

from node.config import Settings
from node.main import create_app
from node.models.market import Listing, ListingPhoto, Shop
from node.models.peers import OutgoingActivity
from node.urls import Urls
from tests.integration.market.market_fakes import jpeg_bytes
from tests.support.fakes import api_user

BREAD: dict[str, Any] = {
    "title": "Pan de campo 1 kg",
    "description": "Masa madre, horno de **leña**.",
    "price_cents": 300,
    "category": "food",
    "city": "La Palma del Condado",
    "quantity": 20,
    "condition": "new",
    "delivery": ["pickup"],
    "language": "es",
}


@pytest.fixture
def app(settings: Settings) -> web.Application:
    return create_app(settings, run_workers=False)


async def open_shop(client: TestClient, auth: dict[str, str], name: str = "rocio") -> Any:
    response = await client.post(
        "/api/v1/shops",
        json={"username": name, "display_name": "Panadería Rocío", "city": "La Palma del Condado",
              "address": "C/ Real 12", "categories": ["food"]},
        headers=auth,
    )  # fmt: skip
    assert response.status == 201, await response.text()
    return await response.json()


async def post_listing(client: TestClient, auth: dict[str, str], **change: Any) -> Any:
    return await client.post("/api/v1/listings", json={**BREAD, **change}, headers=auth)


async def test_a_shop_opened_over_the_api_is_a_followable_actor(
    client: TestClient, urls: Urls
) -> None:
    _, auth = await api_user(urls, "ana")
    shop = await open_shop(client, auth)
    assert shop["actor"]["kind"] == "Organization"
    assert shop["actor"]["acct"] == "rocio@test.example"
    finger = await client.get("/.well-known/webfinger?resource=acct:rocio@test.example")
    assert finger.status == 200
    doc = await (
        await client.get("/actors/rocio", headers={"Accept": "application/activity+json"})
    ).json()
    assert doc["type"] == "Organization"
    assert doc["followers"].endswith("/actors/rocio/followers")
    assert {"type": "PropertyValue", "name": "Dirección", "value": "C/ Real 12"} in doc[
        "attachment"
    ]
    again = await client.post("/api/v1/shops", json={"username": "rocio"}, headers=auth)
    assert again.status == 409


async def test_publishing_a_listing_answers_201_and_stores_a_create_for_followers(
    client: TestClient, urls: Urls
) -> None:
    _, auth = await api_user(urls, "ana")
    await open_shop(client, auth)
    response = await post_listing(client, auth, shop="rocio")
    assert response.status == 201, await response.text()
    body = await response.json()
    assert body["seller"]["acct"] == "rocio@test.example"
    assert body["shop"] == "rocio"
    assert body["state"] == "published"
    assert "<strong>leña</strong>" in body["description"]
    assert body["source"] == BREAD["description"]
    create = await OutgoingActivity.get(id=int(body["id"]))
    assert create.body["type"] == "Create"
    assert create.body["object"]["content"].startswith(
        "<p><strong>Pan de campo 1 kg — 3,00\xa0€</strong></p>"
    )
    served = await client.get(f"/listings/{body['id']}", headers={"Accept": "application/activity+json"})  # fmt: skip
    assert served.status == 200
    assert (await served.json())["purpose"] == "offer"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"price_cents": -1}, "price_cents"),
        ({"category": "weapons"}, "category"),
        ({"title": "<script>alert(1)</script>Pan"}, "title"),
        ({"title": 5}, "title"),
        ({"condition": "broken"}, "condition"),
        ({"delivery": ["teleport"]}, "delivery.0"),
        ({"state": "sold"}, "state"),
        ({"shop": "nadie"}, None),
    ],
)
async def test_bad_listings_are_4xx_problems_and_store_nothing(
    client: TestClient, urls: Urls, change: dict[str, Any], field: str | None
) -> None:
    _, auth = await api_user(urls, "ana")
    response = await post_listing(client, auth, **change)
    assert response.status in (404, 422), await response.text()
    assert response.content_type == "application/problem+json"
    problem = await response.json()
    assert problem["detail"]
    if field is not None:
        assert field in [e["field"] for e in problem["errors"]]
    assert await Listing.all().count() == 0
    assert await OutgoingActivity.all().count() == 0


async def test_drafts_are_only_for_their_seller_and_states_move_by_the_rules(
    client: TestClient, urls: Urls
) -> None:
    _, ana = await api_user(urls, "ana")
    _, pep = await api_user(urls, "pep")
    draft = await (await post_listing(client, ana, state="draft")).json()
    path = f"/api/v1/listings/{draft['id']}"
    assert (await client.get(path)).status == 404
    assert (await client.get(path, headers=pep)).status == 404
    assert (await client.get(path, headers=ana)).status == 200
    assert (await client.patch(path, json={"title": "Mío"}, headers=pep)).status == 404
    sold = await client.post(path + "/state", json={"state": "sold"}, headers=ana)
    assert sold.status == 409
    assert "allowed: published" in (await sold.json())["detail"]
    published = await client.post(path + "/state", json={"state": "published"}, headers=ana)
    assert (await published.json())["state"] == "published"
    assert (await client.patch(path, json={"title": "Mío"}, headers=pep)).status == 403
    edited = await client.patch(path, json={"price_cents": 350}, headers=ana)
    assert (await edited.json())["price_cents"] == 350
    assert (await client.delete(path, headers=pep)).status == 403
    assert (await client.delete(path, headers=ana)).status == 204
    assert (await client.get(path, headers=ana)).status == 404
    gone = await client.get(f"/listings/{draft['id']}", headers={"Accept": "application/activity+json"})  # fmt: skip
    assert gone.status == 410


async def upload(
    client: TestClient, auth: dict[str, str], listing_id: str, data: bytes, name: str = "p.jpg",
    content_type: str = "image/jpeg", description: str = "Hogaza sobre tabla",
) -> Any:  # fmt: skip
    form = FormData()
    form.add_field("file", data, filename=name, content_type=content_type)
    form.add_field("description", description)
    return await client.post(f"/api/v1/listings/{listing_id}/photos", data=form, headers=auth)


async def test_photos_are_reencoded_without_exif_with_preview_and_blurhash(
    client: TestClient, urls: Urls, settings: Settings
) -> None:
    _, auth = await api_user(urls, "ana")
    listing = await (await post_listing(client, auth)).json()
    response = await upload(client, auth, listing["id"], jpeg_bytes(2400, 1800, exif_gps=True))
    assert response.status == 201, await response.text()
    photo = await response.json()
    assert photo["media_type"] == "image/webp"
    assert (photo["width"], photo["height"]) == (1600, 1200)
    assert photo["blurhash"] and photo["description"] == "Hogaza sobre tabla"
    served = await client.get(photo["url"].removeprefix(urls.base))
    assert served.status == 200
    assert served.content_type == "image/webp"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    stored = Image.open(io.BytesIO(await served.read()))
    assert stored.format == "WEBP"
    assert not stored.getexif()
    preview = await client.get(photo["preview_url"].removeprefix(urls.base))
    assert preview.content_type == "image/jpeg"
    assert len(await preview.read()) <= 200 * 1024
    activities = [a.body for a in await OutgoingActivity.all()]
    updates = [a for a in activities if a["type"] == "Update"]
    assert updates[-1]["object"]["attachment"][0]["summary"] == "Hogaza sobre tabla"
    files = list(settings.media_dir.iterdir())
    assert len(files) == 2


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "x.jpg",
            "image/jpeg",
        ),
        (b"<html><script>alert(1)</script></html>", "x.png", "image/png"),
        (b"GIF89a<script>alert(1)</script>", "x.gif", "image/gif"),
        (b"", "x.jpg", "image/jpeg"),
    ],
)
async def test_files_posing_as_images_are_refused_and_nothing_is_kept(
    client: TestClient, urls: Urls, settings: Settings, data: bytes, name: str, content_type: str
) -> None:
    _, auth = await api_user(urls, "ana")
    listing = await (await post_listing(client, auth)).json()
    response = await upload(client, auth, listing["id"], data, name, content_type)
    assert response.status == 422
    assert (await response.json())["errors"][0]["field"] == "file"
    assert await ListingPhoto.all().count() == 0
    assert not any(settings.media_dir.iterdir()) if settings.media_dir.exists() else True


async def test_oversized_uploads_and_a_ninth_photo_are_refused(
    client: TestClient, urls: Urls
) -> None:
    _, auth = await api_user(urls, "ana")
    listing = await (await post_listing(client, auth)).json()
    huge = await upload(client, auth, listing["id"], b"\xff" * (30 * 1024 * 1024))
    assert huge.status == 413
    for _ in range(8):
        assert (await upload(client, auth, listing["id"], jpeg_bytes())).status == 201
    ninth = await upload(client, auth, listing["id"], jpeg_bytes())
    assert ninth.status == 422
    assert "at most 8" in (await ninth.json())["detail"]
    assert await ListingPhoto.all().count() == 8
    wire = await OutgoingActivity.filter(id=int(listing["id"])).first()
    assert wire is not None
    served = await (await client.get(f"/listings/{listing['id']}", headers={"Accept": "application/activity+json"})).json()  # fmt: skip
    assert len(served["attachment"]) == 4


async def test_search_is_accent_insensitive_with_filters_sort_and_pages(
    client: TestClient, urls: Urls
) -> None:
    _, auth = await api_user(urls, "ana")
    await open_shop(client, auth)
    await post_listing(client, auth, shop="rocio")
    await post_listing(client, auth, title="Reparación de móviles", category="repairs",
                       kind="service", condition=None, price_cents=2500, price_kind="negotiable",
                       city="Faro", delivery=["local_delivery"], description="Cambio de baterías")  # fmt: skip
    await post_listing(client, auth, title="Busco bicicleta", purpose="request", category="other",
                       price_cents=None, price_kind="on_request", city="Lepe", description="De paseo", delivery=["shipping"])  # fmt: skip
    await post_listing(client, auth, title="Pan integral", state="draft")

    async def titles(query: str) -> list[str]:
        response = await client.get("/api/v1/listings?" + query)
        assert response.status == 200, await response.text()
        return [item["title"] for item in await response.json()]

    assert await titles("q=reparacion") == ["Reparación de móviles"]
    assert await titles("q=MOVILES") == ["Reparación de móviles"]
    assert await titles("q=pan") == ["Pan de campo 1 kg"]  # drafts are never found
    assert await titles("q=alimentación") == ["Pan de campo 1 kg"]  # the category label
    assert await titles("q=leña horno") == ["Pan de campo 1 kg"]
    assert await titles("q=pan bicicleta") == []
    assert await titles("q=bateria") == ["Reparación de móviles"]
    assert await titles("purpose=request") == ["Busco bicicleta"]
    assert await titles("city=faro") == ["Reparación de móviles"]
    assert await titles("delivery=pickup") == ["Pan de campo 1 kg"]
    assert await titles("min_price_cents=1000") == ["Reparación de móviles"]
    assert await titles("max_price_cents=1000&category=food") == ["Pan de campo 1 kg"]
    assert await titles("shop=rocio") == ["Pan de campo 1 kg"]
    assert await titles("sort=price_asc") == [
        "Pan de campo 1 kg", "Reparación de móviles", "Busco bicicleta"
    ]  # fmt: skip
    assert await titles("sort=newest&limit=1&offset=1") == ["Reparación de móviles"]
    assert await titles("q=%22%29%28*%20OR") == []  # FTS syntax is never passed through
    bad = await client.get("/api/v1/listings?limit=1000")
    assert bad.status == 422


async def test_categories_come_with_labels_in_each_language(client: TestClient) -> None:
    body = await (await client.get("/api/v1/categories?language=ar")).json()
    food = next(c for c in body if c["slug"] == "food")
    assert food["label"] == "الطعام والشراب"
    assert (await client.get("/api/v1/categories?language=de")).status == 422


async def test_staff_verify_shops_members_cannot(client: TestClient, urls: Urls) -> None:
    _, ana = await api_user(urls, "ana")
    await open_shop(client, ana)
    refused = await client.post("/api/v1/shops/rocio/verify", json={}, headers=ana)
    assert refused.status == 403
    from node.models.accounts import Account, Role

    await Account.filter(username="ana").update(role=Role.STAFF)
    verified = await client.post("/api/v1/shops/rocio/verify", json={}, headers=ana)
    assert (await verified.json())["verified"] is True
    assert await Shop.filter(verified_at__isnull=False).count() == 1


async def test_listings_can_be_sorted_by_distance_those_without_a_place_last(
    client: TestClient, urls: Urls
) -> None:
    _, auth = await api_user(urls, "ana")
    places = {"Faro": (37.019, -7.930), "Lepe": (37.254, -7.204), "Almonte": (37.264, -6.516)}
    for city, (lat, lon) in places.items():
        await post_listing(client, auth, title=f"Mesa en {city}", city=city, latitude=lat, longitude=lon)  # fmt: skip
    await post_listing(client, auth, title="Mesa sin sitio", city="")
    near_palma = "sort=distance&near_lat=37.386&near_lon=-6.553&q=mesa"
    found = await (await client.get("/api/v1/listings?" + near_palma)).json()
    assert [f["title"] for f in found] == [
        "Mesa en Almonte", "Mesa en Lepe", "Mesa en Faro", "Mesa sin sitio"
    ]  # fmt: skip
    missing = await client.get("/api/v1/listings?sort=distance")
    assert missing.status == 422


async def test_the_listing_page_the_note_links_to_shows_it_in_the_visitors_language(
    client: TestClient, urls: Urls
) -> None:
    _, auth = await api_user(urls, "ana")
    listing = await (await post_listing(client, auth, delivery=["pickup", "shipping"])).json()
    await upload(client, auth, listing["id"], jpeg_bytes(), description="Hogaza sobre tabla")
    page = await client.get(
        listing["url"].removeprefix(urls.base), headers={"Accept-Language": "pt"}
    )
    assert page.status == 200, await page.text()
    html = await page.text()
    # The title is isolated (<bdi>) in its own language, whatever the page's direction.
    assert '<h1 id="listing-title"><bdi lang="es">Pan de campo 1 kg</bdi></h1>' in html
    assert "3,00\xa0€" in html
    assert "Recolha na loja, Envio" in html
    assert 'alt="Hogaza sobre tabla"' in html
    assert 'property="og:image" content="https://test.example/media/' in html
    draft = await (await post_listing(client, auth, state="draft")).json()
    assert (await client.get(draft["url"].removeprefix(urls.base))).status == 404
