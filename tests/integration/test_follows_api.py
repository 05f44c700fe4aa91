"""``/api/v1/follows``, ``/followers``, ``/follow_requests``, ``/blocks`` and account lookup
through HTTP, between accounts of this node (federation is covered by the multinode tests)."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from node.config import Settings
from node.main import create_app
from node.models.social import Block, Follow
from node.urls import Urls
from tests.support.fakes import api_user, with_ports


@pytest.fixture
def app(settings: Settings) -> web.Application:
    return with_ports(create_app(settings, run_workers=False))


async def test_following_a_local_account_and_listing_both_sides(
    client: TestClient, urls: Urls
) -> None:
    ana, ana_auth = await api_user(urls, "ana")
    pep, pep_auth = await api_user(urls, "pep")
    response = await client.post(
        "/api/v1/follows", json={"target": "@pep@test.example"}, headers=ana_auth
    )
    assert response.status == 200
    follow = await response.json()
    assert follow["state"] == "accepted"
    assert follow["target"]["id"] == str(pep.id)
    assert follow["follower"]["acct"] == "ana@test.example"
    again = await client.post("/api/v1/follows", json={"target": pep.uri}, headers=ana_auth)
    assert (await again.json())["id"] == follow["id"]

    following = await (await client.get("/api/v1/follows", headers=ana_auth)).json()
    assert [f["target"]["acct"] for f in following] == ["pep@test.example"]
    followers = await (await client.get("/api/v1/followers", headers=pep_auth)).json()
    assert [f["follower"]["acct"] for f in followers] == ["ana@test.example"]

    assert (await client.delete(f"/api/v1/follows/{pep.id}", headers=ana_auth)).status == 204
    assert not await Follow.all().exists()
    assert await (await client.get("/api/v1/follows", headers=ana_auth)).json() == []
    assert ana.id


async def test_requests_to_an_account_that_approves_wait_for_its_answer(
    client: TestClient, urls: Urls
) -> None:
    ana, ana_auth = await api_user(urls, "ana")
    eva, eva_auth = await api_user(urls, "eva")
    _, pep_auth = await api_user(urls, "pep", manually_approves=True)
    for auth in (ana_auth, eva_auth):
        pending = await client.post("/api/v1/follows", json={"target": "pep"}, headers=auth)
        assert (await pending.json())["state"] == "pending"
    requests = await (await client.get("/api/v1/follow_requests", headers=pep_auth)).json()
    assert sorted(r["follower"]["acct"] for r in requests) == [
        "ana@test.example",
        "eva@test.example",
    ]
    ok = await client.post(f"/api/v1/follow_requests/{ana.id}/authorize", headers=pep_auth)
    assert ok.status == 200
    assert (await ok.json())["state"] == "accepted"
    no = await client.post(f"/api/v1/follow_requests/{eva.id}/reject", headers=pep_auth)
    assert no.status == 204
    assert await (await client.get("/api/v1/follow_requests", headers=pep_auth)).json() == []
    again = await client.post(f"/api/v1/follow_requests/{eva.id}/reject", headers=pep_auth)
    assert again.status == 404


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"target": "@ana@test.example"}, 422),  # oneself
        ({"target": "@nadie@test.example"}, 404),
        ({"target": ""}, 422),
        ({}, 422),
        ({"target": ["@pep"]}, 422),
    ],
)
async def test_bad_follows_are_problems_and_store_nothing(
    client: TestClient, urls: Urls, body: dict[str, object], status: int
) -> None:
    _, auth = await api_user(urls, "ana")
    response = await client.post("/api/v1/follows", json=body, headers=auth)
    assert response.status == status
    assert response.content_type == "application/problem+json"
    assert not await Follow.all().exists()


async def test_blocking_over_the_api_ends_follows_and_prevents_new_ones(
    client: TestClient, urls: Urls
) -> None:
    ana, ana_auth = await api_user(urls, "ana")
    pep, pep_auth = await api_user(urls, "pep")
    await client.post("/api/v1/follows", json={"target": "pep"}, headers=ana_auth)
    await client.post("/api/v1/follows", json={"target": "ana"}, headers=pep_auth)
    blocked = await client.post("/api/v1/blocks", json={"target": "pep"}, headers=ana_auth)
    assert blocked.status == 200
    assert (await blocked.json())["target"]["id"] == str(pep.id)
    assert not await Follow.all().exists()
    refused = await client.post("/api/v1/follows", json={"target": "ana"}, headers=pep_auth)
    assert refused.status == 403
    assert not await Follow.all().exists()
    listed = await (await client.get("/api/v1/blocks", headers=ana_auth)).json()
    assert [b["target"]["acct"] for b in listed] == ["pep@test.example"]
    assert (await client.delete(f"/api/v1/blocks/{pep.id}", headers=ana_auth)).status == 204
    assert not await Block.all().exists()
    assert (
        await client.post("/api/v1/follows", json={"target": "ana"}, headers=pep_auth)
    ).status == 200
    assert ana.id


async def test_account_lookup_and_by_id(client: TestClient, urls: Urls) -> None:
    pep, auth = await api_user(urls, "pep")
    found = await client.get("/api/v1/accounts/lookup", params={"acct": "@pep@test.example"}, headers=auth)  # fmt: skip
    assert found.status == 200
    body = await found.json()
    assert body["id"] == str(pep.id)
    assert body["uri"] == pep.uri
    assert body["local"] is True
    assert (await client.get(f"/api/v1/accounts/{pep.id}", headers=auth)).status == 200
    missing = await client.get("/api/v1/accounts/lookup", params={"acct": "@nadie@test.example"}, headers=auth)  # fmt: skip
    assert missing.status == 404
    assert (await client.get("/api/v1/accounts/lookup", headers=auth)).status == 422
    assert (await client.get("/api/v1/accounts/12345", headers=auth)).status == 404
    assert (await client.get("/api/v1/accounts/abc", headers=auth)).status == 404
    anonymous = await client.get("/api/v1/accounts/lookup", params={"acct": "pep"})
    assert anonymous.status == 401


async def test_unfollowing_or_unblocking_unknown_accounts_is_404(
    client: TestClient, urls: Urls
) -> None:
    _, auth = await api_user(urls, "ana")
    for path in ("/api/v1/follows/123", "/api/v1/blocks/123", "/api/v1/follows/x"):
        response = await client.delete(path, headers=auth)
        assert response.status == 404, path
