"""``post_signed`` (what delivery uses) and the WebFinger client, against loopback servers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from aiohttp import web

from federation.fetch import FetchError, parse_retry_after
from federation.signatures import ResolvedKey, VerifiedSigner, verify_request
from node import clock
from tests.integration.federation.loopback_peers import (
    INSTANCE_KEY,
    INSTANCE_KEY_ID,
    Peer,
    make_fetcher,
)
from tests.support.ports import free_port

BODY = b'{"type":"Follow","id":"http://ours.test/activities/1"}'


async def served(aiohttp_server: Any, peer: Peer) -> str:
    server = await aiohttp_server(peer.app())
    return f"http://127.0.0.1:{server.port}"


def answer(status: int, text: str = "", headers: dict[str, str] | None = None) -> Any:
    async def handler(request: web.Request) -> web.StreamResponse:
        await request.read()
        return web.Response(status=status, text=text, headers=headers)

    return handler


async def test_post_signed_delivers_a_signed_body_that_verifies(aiohttp_server: Any) -> None:
    peer = Peer()
    base = await served(aiohttp_server, peer)
    verified: list[object] = []

    async def lookup(key_id: str) -> ResolvedKey | None:
        return ResolvedKey("http://ours.test/actor", INSTANCE_KEY.public_key())

    async def inbox(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        url = base + request.raw_path
        verified.append(await verify_request("POST", url, request.headers, body, lookup))
        assert body == BODY
        return web.Response(status=202)

    peer.routes["/inbox"] = inbox
    async with make_fetcher(allow={base.removeprefix("http://")}) as fetcher:
        result = await fetcher.post_signed(
            base + "/inbox", BODY, key_id=INSTANCE_KEY_ID, private_key=INSTANCE_KEY
        )
    assert (result.status, result.retry_after) == (202, None)
    assert isinstance(verified[0], VerifiedSigner)
    headers = peer.seen[0][2]
    assert headers["Content-Type"] == "application/activity+json"
    assert 'headers="(request-target) host date digest"' in headers["Signature"]
    assert headers["Digest"].startswith("SHA-256=")


@pytest.mark.parametrize(
    ("status", "headers", "retry_after"),
    [
        (500, {}, None),
        (429, {"Retry-After": "120"}, 120.0),
        (503, {"Retry-After": "soon"}, None),
        (410, {}, None),
        (302, {"Location": "http://elsewhere.example/inbox"}, None),
    ],
)
async def test_post_signed_returns_any_status_without_raising(
    aiohttp_server: Any, status: int, headers: dict[str, str], retry_after: float | None
) -> None:
    peer = Peer()
    base = await served(aiohttp_server, peer)
    peer.routes["/inbox"] = answer(status, "x" * 5000 + "tail", headers)
    async with make_fetcher(allow={base.removeprefix("http://")}) as fetcher:
        result = await fetcher.post_signed(
            base + "/inbox", BODY, key_id=INSTANCE_KEY_ID, private_key=INSTANCE_KEY
        )
    assert result.status == status
    assert result.retry_after == retry_after
    assert 0 < len(result.body_excerpt) <= 300
    assert len(peer.seen) == 1  # a 3xx is not followed for a POST


def test_retry_after_is_read_from_seconds_or_an_http_date() -> None:
    moment = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)
    with clock.frozen(moment):
        later = format_datetime(moment + timedelta(minutes=5), usegmt=True)
        earlier = format_datetime(moment - timedelta(minutes=5), usegmt=True)
        assert parse_retry_after(later) == 300.0
        assert parse_retry_after(earlier) == 0.0
    assert parse_retry_after("3600") == 3600.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("-5") is None
    assert parse_retry_after("next week") is None


async def test_post_signed_raises_on_connection_failure_and_the_guard() -> None:
    port = free_port()  # nobody listens here
    async with make_fetcher(allow={f"127.0.0.1:{port}"}) as fetcher:
        with pytest.raises(FetchError) as failed:
            await fetcher.post_signed(
                f"http://127.0.0.1:{port}/inbox",
                BODY,
                key_id=INSTANCE_KEY_ID,
                private_key=INSTANCE_KEY,
            )
        assert failed.value.reason == "connection"
    async with make_fetcher() as fetcher:
        with pytest.raises(FetchError) as refused:
            await fetcher.post_signed(
                f"http://127.0.0.1:{port}/inbox",
                BODY,
                key_id=INSTANCE_KEY_ID,
                private_key=INSTANCE_KEY,
            )
        assert refused.value.reason == "private_address"


def jrd(links: list[dict[str, Any]], content_type: str = "application/jrd+json") -> Any:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.json_response(
            {"subject": request.query["resource"], "links": links}, content_type=content_type
        )

    return handler


async def test_webfinger_finds_the_as2_self_link_over_http_for_test_hosts(
    aiohttp_server: Any,
) -> None:
    peer = Peer()
    server = await aiohttp_server(peer.app())
    peer.routes["/.well-known/webfinger"] = jrd(
        [
            {"rel": "http://webfinger.net/rel/profile-page", "href": "http://social.test/@ana"},
            {"rel": "self", "type": "text/html", "href": "http://social.test/@ana"},
            {
                "rel": "self",
                "type": "application/activity+json",
                "href": "http://social.test/u/ana",
            },
        ]
    )
    mapping = {"social.test:80": ("127.0.0.1", server.port)}
    async with make_fetcher(resolve=mapping, allow={"social.test"}) as fetcher:
        assert await fetcher.webfinger("ana", "social.test") == "http://social.test/u/ana"
    _method, path, headers = peer.seen[0]
    assert path == "/.well-known/webfinger?resource=acct:ana@social.test"
    assert "Signature" not in headers


async def test_webfinger_without_an_actor_link_or_user_fails(aiohttp_server: Any) -> None:
    peer = Peer()
    server = await aiohttp_server(peer.app())
    host = f"127.0.0.1:{server.port}"
    async with make_fetcher(allow={host}) as fetcher:
        with pytest.raises(FetchError) as missing:
            await fetcher.webfinger("nobody", host)
        assert (missing.value.reason, missing.value.status) == ("status", 404)
        peer.routes["/.well-known/webfinger"] = jrd(
            [{"rel": "self", "type": "text/html", "href": "http://x.test/"}]
        )
        with pytest.raises(FetchError) as no_actor:
            await fetcher.webfinger("ana", host)
        assert no_actor.value.reason == "not_actor"
        peer.routes["/.well-known/webfinger"] = jrd([], content_type="text/html")
        with pytest.raises(FetchError) as wrong_type:
            await fetcher.webfinger("ana", host)
        assert wrong_type.value.reason == "content_type"
        for user, bad_host in (("a/b", host), ("ana", "x.test/evil"), ("", host), ("a@b", host)):
            with pytest.raises(FetchError) as malformed:
                await fetcher.webfinger(user, bad_host)
            assert malformed.value.reason == "invalid_url"


async def test_webfinger_uses_https_for_real_hosts() -> None:
    """Nothing listens: the point is the scheme and port the guard is asked about."""
    async with make_fetcher(resolve={"social.example:443": ("127.0.0.1", 9)}) as fetcher:
        with pytest.raises(FetchError) as refused:
            await fetcher.webfinger("ana", "social.example")
    assert refused.value.reason == "private_address"  # resolved via the :443 mapping, so https
    assert refused.value.url is not None
    assert refused.value.url.startswith("https://social.example/.well-known/webfinger")
