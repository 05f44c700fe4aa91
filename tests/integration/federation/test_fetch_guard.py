"""SECURITY.md "Outbound requests": the private-address guard, at connect time, after redirects,
with the explicit allow-list and name mapping tests and demo networks use."""

from __future__ import annotations

from typing import Any

import pytest

from federation.fetch import FetchError
from tests.integration.federation.loopback_peers import Peer, as2, make_fetcher, redirect


def actor_doc(url: str) -> dict[str, Any]:
    return {"id": url, "type": "Person", "inbox": url + "/inbox"}


async def served(aiohttp_server: Any, peer: Peer) -> int:
    server = await aiohttp_server(peer.app())
    return int(server.port)


async def test_a_loopback_server_is_refused_unless_its_host_is_allow_listed(
    aiohttp_server: Any,
) -> None:
    peer = Peer()
    port = await served(aiohttp_server, peer)
    url = f"http://127.0.0.1:{port}/users/a"
    peer.routes["/users/a"] = as2(actor_doc(url))

    async with make_fetcher() as fetcher:
        with pytest.raises(FetchError) as refused:
            await fetcher.get_json(url)
    assert refused.value.reason == "private_address"
    assert peer.seen == []  # refused before connecting: nothing reached the server

    async with make_fetcher(allow={f"127.0.0.1:{port}"}) as fetcher:
        assert (await fetcher.get_json(url))["id"] == url
    assert len(peer.seen) == 1


async def test_an_allow_list_entry_for_another_port_does_not_let_this_one_through(
    aiohttp_server: Any,
) -> None:
    peer = Peer()
    port = await served(aiohttp_server, peer)
    async with make_fetcher(allow={f"127.0.0.1:{port + 1}"}) as fetcher:
        with pytest.raises(FetchError) as refused:
            await fetcher.get(f"http://127.0.0.1:{port}/")
    assert refused.value.reason == "private_address"
    assert peer.seen == []


async def test_a_name_that_resolves_to_a_private_address_is_refused_on_the_resolved_address(
    aiohttp_server: Any,
) -> None:
    """RUTA_RESOLVE maps a public-looking name to loopback, as DNS rebinding would."""
    peer = Peer()
    port = await served(aiohttp_server, peer)
    peer.routes["/users/a"] = as2(actor_doc("http://social.test/users/a"))
    mapping = {"social.test:80": ("127.0.0.1", port)}

    async with make_fetcher(resolve=mapping) as fetcher:
        with pytest.raises(FetchError) as refused:
            await fetcher.get_json("http://social.test/users/a")
    assert refused.value.reason == "private_address"
    assert peer.seen == []

    async with make_fetcher(resolve=mapping, allow={"social.test"}) as fetcher:
        document = await fetcher.get_json("http://social.test/users/a")
    assert document["id"] == "http://social.test/users/a"
    assert peer.seen[0][2]["Host"] == "social.test"


async def test_localhost_resolved_by_dns_is_refused(aiohttp_server: Any) -> None:
    peer = Peer()
    port = await served(aiohttp_server, peer)
    async with make_fetcher() as fetcher:
        with pytest.raises(FetchError) as refused:
            await fetcher.get(f"http://localhost:{port}/")
    assert refused.value.reason == "private_address"
    assert peer.seen == []


@pytest.mark.parametrize(
    "url",
    [
        "http://[::1]:9/",
        "http://[::ffff:127.0.0.1]:9/",
        "http://0.0.0.0:9/",
        "http://[::]:9/",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/",
        "http://100.64.0.1/",
        "http://192.168.1.1/",
        "http://[fd00::1]/",
        "http://[fe80::1]/",
        "http://224.0.0.1/",
        "http://[::ffff:169.254.169.254]/",
    ],
)
async def test_private_address_literals_are_refused_without_connecting(url: str) -> None:
    async with make_fetcher() as fetcher:
        with pytest.raises(FetchError) as refused:
            await fetcher.get(url)
    assert refused.value.reason == "private_address"


async def test_a_redirect_to_a_private_address_after_an_allowed_hop_is_refused(
    aiohttp_server: Any,
) -> None:
    inner = Peer()
    inner_port = await served(aiohttp_server, inner)
    inner.routes["/secret"] = as2(actor_doc(f"http://127.0.0.1:{inner_port}/secret"))
    outer = Peer()
    outer_port = await served(aiohttp_server, outer)
    outer.routes["/to-ip"] = redirect(f"http://127.0.0.1:{inner_port}/secret")
    outer.routes["/to-name"] = redirect("http://internal.test/secret")
    mapping = {
        "social.test:80": ("127.0.0.1", outer_port),
        "internal.test:80": ("127.0.0.1", inner_port),
    }
    async with make_fetcher(resolve=mapping, allow={"social.test"}) as fetcher:
        for path in ("/to-ip", "/to-name"):
            with pytest.raises(FetchError) as refused:
                await fetcher.get_json("http://social.test" + path)
            assert refused.value.reason == "private_address"
    assert [path for _, path, _ in outer.seen] == ["/to-ip", "/to-name"]
    assert inner.seen == []


@pytest.mark.parametrize(
    "url", ["ftp://social.test/x", "file:///etc/passwd", "gopher://social.test/", "/relative"]
)
async def test_only_http_and_https_urls_are_fetched(url: str) -> None:
    async with make_fetcher() as fetcher:
        with pytest.raises(FetchError) as refused:
            await fetcher.get(url)
    assert refused.value.reason == "invalid_url"


async def test_a_redirect_to_a_non_http_scheme_is_refused(aiohttp_server: Any) -> None:
    peer = Peer()
    port = await served(aiohttp_server, peer)
    peer.routes["/x"] = redirect("file:///etc/passwd")
    async with make_fetcher(allow={f"127.0.0.1:{port}"}) as fetcher:
        with pytest.raises(FetchError) as refused:
            await fetcher.get(f"http://127.0.0.1:{port}/x")
    assert refused.value.reason == "invalid_url"


async def test_three_redirects_are_followed_and_a_fourth_is_refused(aiohttp_server: Any) -> None:
    peer = Peer()
    port = await served(aiohttp_server, peer)
    base = f"http://127.0.0.1:{port}"
    for i in range(4):
        peer.routes[f"/r{i}"] = redirect(f"/r{i + 1}", status=301 if i % 2 else 308)
    peer.routes["/r4"] = as2(actor_doc(base + "/r4"))
    async with make_fetcher(allow={f"127.0.0.1:{port}"}) as fetcher:
        document = await fetcher.get_json(base + "/r1")  # r1 → r2 → r3 → r4: three redirects
        assert document["id"] == base + "/r4"
        with pytest.raises(FetchError) as refused:
            await fetcher.get_json(base + "/r0")  # four redirects
    assert refused.value.reason == "redirects"
    assert "/r4" not in [path for _, path, _ in peer.seen[4:]]


async def test_a_blocked_domain_is_refused_before_connecting(aiohttp_server: Any) -> None:
    peer = Peer()
    port = await served(aiohttp_server, peer)
    mapping = {"spam.test:80": ("127.0.0.1", port), "social.test:80": ("127.0.0.1", port)}
    peer.routes["/go"] = redirect("http://spam.test/x")
    async with make_fetcher(
        resolve=mapping, allow={"spam.test", "social.test"}, blocked={"spam.test"}
    ) as fetcher:
        with pytest.raises(FetchError) as refused:
            await fetcher.get("http://spam.test/x")
        assert refused.value.reason == "blocked_domain"
        assert peer.seen == []
        with pytest.raises(FetchError) as refused:
            await fetcher.get("http://social.test/go")  # blocked after a redirect, too
        assert refused.value.reason == "blocked_domain"
    assert [path for _, path, _ in peer.seen] == ["/go"]
