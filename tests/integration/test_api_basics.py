"""The JSON API's foundations: bearer auth, problem+json errors, health and readiness."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from node import clock
from node.config import Settings
from node.main import create_app
from node.models.accounts import Account, ApiToken, Role
from node.services.accounts import accounts, tokens
from node.urls import Urls


async def make_token(
    urls: Urls, username: str = "ana", role: Role = Role.MEMBER
) -> tuple[Account, str]:
    account = await accounts.create_account(
        urls,
        username=username,
        email=f"{username}@example.org",
        password="a long password",
        role=role,
    )
    _, secret = await tokens.create_token(account, "tests")
    return account, secret


async def test_me_returns_the_tokens_account(client: TestClient, urls: Urls) -> None:
    _, secret = await make_token(urls, "ana", Role.MENTOR)
    response = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.status == 200
    body = await response.json()
    assert body["username"] == "ana"
    assert body["acct"] == "ana@test.example"
    assert body["role"] == "mentor"
    assert body["actor"] == "https://test.example/users/ana"
    assert isinstance(body["id"], str)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer",
        "Bearer ",
        "Basic YWxhZGRpbjpvcGVuc2VzYW1l",
        "Bearer ruta_not-a-real-token",
        "Bearer " + "x" * 5000,
    ],
)
async def test_me_without_a_valid_token_is_a_401_problem(
    client: TestClient, header: str | None
) -> None:
    headers = {"Authorization": header} if header is not None else {}
    response = await client.get("/api/v1/me", headers=headers)
    assert response.status == 401
    assert response.content_type == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    body = await response.json()
    assert body["status"] == 401
    assert body["title"] == "Authentication required"
    assert "token" in body["detail"]


async def test_a_revoked_token_stops_working(client: TestClient, urls: Urls) -> None:
    _, secret = await make_token(urls)
    token = await ApiToken.get()
    assert (
        await client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    ).status == 200
    await tokens.revoke_token(token.id)
    assert (
        await client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    ).status == 401


async def test_a_suspended_accounts_token_stops_working(client: TestClient, urls: Urls) -> None:
    account, secret = await make_token(urls)
    account.suspended_at = clock.now()
    await account.save()
    assert (
        await client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    ).status == 401


async def test_tokens_and_passwords_are_stored_only_as_hashes(
    client: TestClient, urls: Urls
) -> None:
    account, secret = await make_token(urls)
    token = await ApiToken.get()
    assert secret not in token.token_hash
    assert len(token.token_hash) == 64
    assert account.password_hash.startswith("$argon2id$")


async def test_unknown_api_path_is_a_404_problem(client: TestClient) -> None:
    response = await client.get("/api/v1/no-such-thing")
    assert response.status == 404
    assert response.content_type == "application/problem+json"


async def test_wrong_method_is_a_405_problem_with_allow(client: TestClient) -> None:
    response = await client.delete("/api/v1/me")
    assert response.status == 405
    assert response.content_type == "application/problem+json"
    assert "GET" in response.headers["Allow"]


async def test_healthz_and_readyz(client: TestClient) -> None:
    assert (await client.get("/healthz")).status == 200
    ready = await client.get("/readyz")
    assert ready.status == 200
    assert (await ready.json())["status"] == "ready"


async def test_every_response_carries_the_security_headers(client: TestClient) -> None:
    response = await client.get("/healthz")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    # Served over https, remote pictures must come over https too.
    assert "img-src 'self' https: data:;" in response.headers["Content-Security-Policy"]
    assert " http:" not in response.headers["Content-Security-Policy"]


async def test_remote_pictures_come_over_https_unless_the_node_itself_is_plain_http(
    settings: Settings, aiohttp_client: Any
) -> None:
    # On a laptop or a loopback test network every node is on http: so are their pictures.
    plain = await aiohttp_client(create_app(replace(settings, scheme="http"), run_workers=False))
    over_http = (await plain.get("/healthz")).headers["Content-Security-Policy"]
    assert "img-src 'self' http: https: data:;" in over_http
    assert "script-src 'self';" in over_http and "frame-ancestors 'none'" in over_http


async def test_readyz_is_503_while_migrations_are_pending_but_healthz_is_up(
    client: TestClient,
) -> None:
    from node import db

    conn = db.connection()
    applied = await conn.execute_query_dict("SELECT app, name, applied_at FROM tortoise_migrations")
    await conn.execute_query("DELETE FROM tortoise_migrations")
    try:
        ready = await client.get("/readyz")
        assert ready.status == 503
        body = await ready.json()
        assert "ruta migrate" in body["detail"]
        assert body["pending"] == [f"{r['app']}.{r['name']}" for r in applied]
        assert (await client.get("/healthz")).status == 200
    finally:
        # PostgreSQL tests share one migrated database per run: put the history back.
        insert = (
            "INSERT INTO tortoise_migrations (app, name, applied_at) VALUES ($1, $2, $3)"
            if db.dialect() == "postgres"
            else "INSERT INTO tortoise_migrations (app, name, applied_at) VALUES (?, ?, ?)"
        )
        for row in applied:
            await conn.execute_query(insert, [row["app"], row["name"], row["applied_at"]])
