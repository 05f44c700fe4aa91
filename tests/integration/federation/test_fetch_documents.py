"""The Fetcher's caps, timeouts and document checks (SECURITY.md "Outbound requests" and the
fetched-document rule of "Inbound federation"), against real servers on loopback."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest
from aiohttp import web

from federation.fetch import MAX_DOCUMENT_BYTES, FetchError, Limits
from federation.signatures import ResolvedKey, VerifiedSigner, verify_request
from tests.integration.federation.loopback_peers import (
    INSTANCE_KEY,
    INSTANCE_KEY_ID,
    Peer,
    as2,
    make_fetcher,
    redirect,
)

LD_JSON_AS2 = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'


async def served(aiohttp_server: Any, peer: Peer) -> str:
    server = await aiohttp_server(peer.app())
    return f"http://127.0.0.1:{server.port}"


def allow(base: str) -> set[str]:
    return {base.removeprefix("http://")}


def test_default_limits_are_the_figures_of_security_md() -> None:
    limits = Limits()
    assert (limits.connect, limits.read, limits.total) == (5.0, 10.0, 30.0)
    assert limits.max_bytes == MAX_DOCUMENT_BYTES == 1024 * 1024
    assert limits.max_redirects == 3
    assert make_fetcher().limits == limits


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_a_body_over_one_mebibyte_is_refused(aiohttp_server: Any, chunked: bool) -> None:
    peer = Peer()
    base = await served(aiohttp_server, peer)
    big = b'{"id": "x", "pad": "' + b"a" * MAX_DOCUMENT_BYTES + b'"}'

    async def huge(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/activity+json"})
        if chunked:
            response.enable_chunked_encoding()
        else:
            response.content_length = len(big)
        await response.prepare(request)
        for start in range(0, len(big), 65536):
            await response.write(big[start : start + 65536])
        return response

    peer.routes["/big"] = huge
    async with make_fetcher(allow=allow(base)) as fetcher:
        with pytest.raises(FetchError) as refused:
            await fetcher.get_json(base + "/big")
    assert refused.value.reason == "too_large"


async def test_a_body_of_exactly_the_cap_is_read(aiohttp_server: Any) -> None:
    peer = Peer()
    base = await served(aiohttp_server, peer)
    head = json.dumps({"id": base + "/doc", "type": "Note", "content": ""})[:-2]
    body = (head + "a" * (MAX_DOCUMENT_BYTES - len(head) - 2) + '"}').encode()
    assert len(body) == MAX_DOCUMENT_BYTES
    peer.routes["/doc"] = lambda request: _bytes(body)
    async with make_fetcher(allow=allow(base)) as fetcher:
        document = await fetcher.get_json(base + "/doc")
    assert document["id"] == base + "/doc"


async def _bytes(body: bytes) -> web.Response:
    return web.Response(body=body, headers={"Content-Type": "application/activity+json"})


async def test_a_server_that_does_not_answer_in_time_times_out(aiohttp_server: Any) -> None:
    peer = Peer()
    base = await served(aiohttp_server, peer)
    release = asyncio.Event()

    async def slow(request: web.Request) -> web.StreamResponse:
        await release.wait()
        return web.Response(text="late")

    async def dribble(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/activity+json"})
        await response.prepare(request)
        while not release.is_set():  # one byte every 50 ms: each read is quick, the total is not
            await response.write(b" ")
            await asyncio.sleep(0.05)
        return response

    peer.routes["/slow"] = slow
    peer.routes["/dribble"] = dribble
    limits = Limits(connect=0.5, read=0.3, total=0.8)
    async with make_fetcher(allow=allow(base), limits=limits) as fetcher:
        for path in ("/slow", "/dribble"):
            started = time.monotonic()
            with pytest.raises(FetchError) as refused:
                await fetcher.get(base + path)
            assert refused.value.reason == "timeout"
            assert time.monotonic() - started < 2.0
    release.set()


@pytest.mark.parametrize(
    ("content_type", "accepted"),
    [
        ("application/activity+json", True),
        ("application/activity+json; charset=utf-8", True),
        (LD_JSON_AS2, True),
        ("application/ld+json", False),
        ("application/json", False),
        ("text/html; charset=utf-8", False),
        ("", False),
    ],
)
async def test_only_activitypub_content_types_count_as_documents(
    aiohttp_server: Any, content_type: str, accepted: bool
) -> None:
    peer = Peer()
    base = await served(aiohttp_server, peer)
    peer.routes["/doc"] = as2({"id": base + "/doc", "type": "Note"}, content_type=content_type)
    async with make_fetcher(allow=allow(base)) as fetcher:
        if accepted:
            assert (await fetcher.get_json(base + "/doc"))["type"] == "Note"
        else:
            with pytest.raises(FetchError) as refused:
                await fetcher.get_json(base + "/doc")
            assert refused.value.reason == "content_type"


async def test_a_document_whose_id_is_not_its_final_url_is_refused(aiohttp_server: Any) -> None:
    peer = Peer()
    base = await served(aiohttp_server, peer)
    peer.routes["/other"] = as2({"id": "http://victim.example/users/a", "type": "Person"})
    peer.routes["/moved"] = redirect("/final")
    peer.routes["/final"] = as2({"id": base + "/moved", "type": "Person"})  # claims the old URL
    peer.routes["/noid"] = as2({"type": "Person"})
    async with make_fetcher(allow=allow(base)) as fetcher:
        for path in ("/other", "/moved", "/noid"):
            with pytest.raises(FetchError) as refused:
                await fetcher.get_json(base + path)
            assert refused.value.reason == "id_mismatch", path


async def test_the_id_may_spell_the_final_url_with_a_default_port_and_a_fragment_is_not_sent(
    aiohttp_server: Any,
) -> None:
    peer = Peer()
    base = await served(aiohttp_server, peer)
    peer.routes["/users/a"] = as2({"id": base + "/users/a", "type": "Person"})
    async with make_fetcher(allow=allow(base)) as fetcher:
        document = await fetcher.get_json(base + "/users/a#main-key")
    assert document["id"] == base + "/users/a"
    assert peer.seen[0][1] == "/users/a"


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b"{" * 5000, b""])
async def test_bodies_that_are_not_a_json_object_are_refused(
    aiohttp_server: Any, body: bytes
) -> None:
    peer = Peer()
    base = await served(aiohttp_server, peer)
    peer.routes["/doc"] = lambda request: _bytes(body)
    async with make_fetcher(allow=allow(base)) as fetcher:
        with pytest.raises(FetchError) as refused:
            await fetcher.get_json(base + "/doc")
    assert refused.value.reason == "json"


async def test_an_error_status_is_a_status_failure_with_the_code(aiohttp_server: Any) -> None:
    peer = Peer()
    base = await served(aiohttp_server, peer)
    peer.routes["/gone"] = as2({"type": "Tombstone"}, status=410)
    async with make_fetcher(allow=allow(base)) as fetcher:
        with pytest.raises(FetchError) as refused:
            await fetcher.get_json(base + "/gone")
    assert (refused.value.reason, refused.value.status) == ("status", 410)


async def test_get_json_is_signed_by_the_instance_actor_and_verifies(aiohttp_server: Any) -> None:
    peer = Peer()
    base = await served(aiohttp_server, peer)
    results: list[object] = []

    async def lookup(key_id: str) -> ResolvedKey | None:
        if key_id != INSTANCE_KEY_ID:
            return None
        return ResolvedKey("http://ours.test/actor", INSTANCE_KEY.public_key())

    async def authorized(request: web.Request) -> web.StreamResponse:
        url = base + request.raw_path
        result = await verify_request("GET", url, request.headers, None, lookup)
        results.append(result)
        if not isinstance(result, VerifiedSigner):
            return web.Response(status=401)
        return await as2({"id": base + "/users/a?page=1", "type": "Person"})(request)

    peer.routes["/users/a"] = authorized
    async with make_fetcher(allow=allow(base)) as fetcher:
        document = await fetcher.get_json(base + "/users/a?page=1")
        assert document["type"] == "Person"
        with pytest.raises(FetchError) as refused:
            await fetcher.get_json(base + "/users/a?page=1", signed=False)
    assert refused.value.status == 401
    assert isinstance(results[0], VerifiedSigner)
    assert results[0].controller == "http://ours.test/actor"
    headers = peer.seen[0][2]
    assert headers["Accept"].startswith("application/activity+json")
    assert headers["User-Agent"].startswith("Ruta/")
    assert 'headers="(request-target) host date"' in headers["Signature"]
    assert "Signature" not in peer.seen[1][2]


async def test_each_redirect_hop_is_signed_for_its_own_host(aiohttp_server: Any) -> None:
    first, second = Peer(), Peer()
    base1 = await served(aiohttp_server, first)
    base2 = await served(aiohttp_server, second)
    first.routes["/a"] = redirect(base2 + "/b")
    second.routes["/b"] = as2({"id": base2 + "/b", "type": "Note"})
    async with make_fetcher(allow=allow(base1) | allow(base2)) as fetcher:
        await fetcher.get_json(base1 + "/a")
    assert first.seen[0][2]["Host"] == base1.removeprefix("http://")
    assert second.seen[0][2]["Host"] == base2.removeprefix("http://")
    assert "Signature" in second.seen[0][2]
