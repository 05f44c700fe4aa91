"""``PATCH /api/v1/listings/{id}`` as a PATCH: a field left out stays, an explicit ``null``
empties the fields that may be empty, and a ``null`` elsewhere changes nothing."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from node.config import Settings
from node.main import create_app
from node.models.market import Condition, Listing
from node.urls import Urls
from tests.support.fakes import api_user

TABLE = {
    "title": "Mesa de pino", "price_cents": 4000, "category": "home", "city": "Lepe",
    "condition": "good", "quantity": 2, "latitude": 37.25, "longitude": -7.2, "language": "es",
}  # fmt: skip


@pytest.fixture
def app(settings: Settings) -> web.Application:
    return create_app(settings, run_workers=False)


async def test_absent_fields_stay_and_explicit_nulls_clear(client: TestClient, urls: Urls) -> None:  # type: ignore[type-arg]
    _, auth = await api_user(urls, "ana")
    created = await client.post("/api/v1/listings", json=TABLE, headers=auth)
    assert created.status == 201, await created.text()
    path = f"/api/v1/listings/{(await created.json())['id']}"

    response = await client.patch(path, json={"title": "Mesa de pino maciza"}, headers=auth)
    body = await response.json()
    assert response.status == 200, body
    assert body["title"] == "Mesa de pino maciza"
    assert (body["city"], body["condition"], body["quantity"]) == ("Lepe", "good", 2)

    response = await client.patch(
        path, json={"city": None, "condition": None, "latitude": None}, headers=auth
    )
    body = await response.json()
    assert response.status == 200, body
    assert body["city"] == "" and body["condition"] is None
    assert body["latitude"] is None and body["longitude"] is None  # a place has both or neither
    assert body["quantity"] == 2 and body["title"] == "Mesa de pino maciza"
    stored = await Listing.get(uri=body["uri"])
    assert stored.city == "" and stored.condition is None

    # null on a field that must have a value means "unchanged", as before.
    response = await client.patch(path, json={"title": None, "condition": "fair"}, headers=auth)
    body = await response.json()
    assert response.status == 200 and body["title"] == "Mesa de pino maciza"
    assert (await Listing.get(uri=body["uri"])).condition is Condition.FAIR


async def test_a_shop_answers_its_owner_with_the_markdown_it_was_written_in(
    client: TestClient,  # type: ignore[type-arg]
    urls: Urls,
) -> None:
    _, auth = await api_user(urls, "ana")
    about = "Pan de **masa madre**. #pan"
    opened = await client.post(
        "/api/v1/shops", json={"username": "horno", "summary": about}, headers=auth
    )
    body = await opened.json()
    assert opened.status == 201, body
    assert body["summary_source"] == about
    assert "<strong>masa madre</strong>" in body["actor"]["summary"]
    edited = await client.patch(
        "/api/v1/shops/horno", json={"summary": "Bollería _fina_."}, headers=auth
    )
    assert (await edited.json())["summary_source"] == "Bollería _fina_."
    public = await (await client.get("/api/v1/shops/horno")).json()
    assert public["summary_source"] is None and "<em>fina</em>" in public["actor"]["summary"]
