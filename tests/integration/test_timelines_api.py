"""``/api/v1/timelines`` through HTTP: content, order, paging and the ``Link`` header."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from node.config import Settings
from node.main import create_app
from node.urls import Urls
from tests.support.fakes import api_user, with_ports


@pytest.fixture
def app(settings: Settings) -> web.Application:
    return with_ports(create_app(settings, run_workers=False))


async def post(client: TestClient, auth: dict[str, str], content: str, **kw: str) -> str:
    response = await client.post(
        "/api/v1/notes", json={"content": content, "language": "es", **kw}, headers=auth
    )
    assert response.status == 201
    note_id: str = (await response.json())["id"]
    return note_id


async def test_home_timeline_pages_and_shows_boosts(client: TestClient, urls: Urls) -> None:
    _, ana = await api_user(urls, "ana")
    _, pep = await api_user(urls, "pep")
    _, eva = await api_user(urls, "eva")
    await client.post("/api/v1/follows", json={"target": "pep"}, headers=ana)
    for i in range(3):
        await post(client, pep, f"pep {i}")
    shared = await post(client, eva, "de eva")
    await client.post(f"/api/v1/notes/{shared}/announce", headers=pep)
    await post(client, eva, "eva, no seguida")

    first = await client.get("/api/v1/timelines/home", params={"limit": "2"}, headers=ana)
    assert first.status == 200
    entries = await first.json()
    assert [e["note"]["content"] for e in entries] == ["<p>de eva</p>", "<p>pep 2</p>"]
    assert entries[0]["announced_by"]["acct"] == "pep@test.example"
    assert entries[1]["announced_by"] is None
    link = first.headers["Link"]
    assert f"max_id={entries[-1]['id']}" in link
    assert 'rel="next"' in link
    assert link.startswith("<https://test.example/api/v1/timelines/home?")

    older = await client.get(
        "/api/v1/timelines/home", params={"limit": "2", "max_id": entries[-1]["id"]}, headers=ana
    )
    assert [e["note"]["content"] for e in await older.json()] == ["<p>pep 1</p>", "<p>pep 0</p>"]


@pytest.mark.parametrize(
    "params",
    [{"limit": "0"}, {"limit": "41"}, {"limit": "x"}, {"max_id": "abc"}, {"min_id": "9" * 19}],
)
async def test_bad_paging_is_422(client: TestClient, urls: Urls, params: dict[str, str]) -> None:
    _, ana = await api_user(urls, "ana")
    response = await client.get("/api/v1/timelines/home", params=params, headers=ana)
    assert response.status == 422
    assert response.content_type == "application/problem+json"


async def test_home_needs_a_token_and_public_does_not(client: TestClient, urls: Urls) -> None:
    _, ana = await api_user(urls, "ana")
    await post(client, ana, "pública")
    await post(client, ana, "no listada", visibility="unlisted")
    await post(client, ana, "seguidores", visibility="followers")
    assert (await client.get("/api/v1/timelines/home")).status == 401
    public = await client.get("/api/v1/timelines/public")
    assert public.status == 200
    assert [e["note"]["content"] for e in await public.json()] == ["<p>pública</p>"]


async def test_direct_messages_are_in_conversations_not_in_the_home_timeline(
    client: TestClient, urls: Urls
) -> None:
    _, ana = await api_user(urls, "ana")
    _, pep = await api_user(urls, "pep")
    await client.post("/api/v1/follows", json={"target": "pep"}, headers=ana)
    await client.post("/api/v1/follows", json={"target": "ana"}, headers=pep)
    await post(client, ana, "pública de ana")
    await post(client, pep, "¿Sigue a la venta la bici? @ana", visibility="direct")
    await post(client, ana, "Sí, sigue. @pep", visibility="direct")

    for auth in (ana, pep):
        home = await client.get("/api/v1/timelines/home", headers=auth)
        assert [e["note"]["content"] for e in await home.json()] == ["<p>pública de ana</p>"]
        listed = await (await client.get("/api/v1/conversations", headers=auth)).json()
        assert len(listed["conversations"]) == 1
    assert [e["note"]["content"] for e in await (await client.get(
        "/api/v1/timelines/public")).json()] == ["<p>pública de ana</p>"]  # fmt: skip
