"""The ``ActorResolver`` port: local handles without network, remote handles through
WebFinger, actor URLs, and the domain errors the API shows; plus ``client.setup``'s wiring."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from cryptography.hazmat.primitives.asymmetric import rsa

from federation.fetch import FETCHER, Fetcher
from federation.keyring import KEYRING
from federation.remote.actors import key_lookup_for
from federation.remote.resolver import Resolver
from federation.signatures import VerifiedSigner, sign_request, verify_request
from node.appkeys import RESOLVER
from node.config import Settings
from node.errors import NotFound, PermissionDenied, ValidationFailed
from node.models.actors import Actor, ActorKind
from node.services.moderation.domain_blocks import block_domain
from node.services.social.actors import create_local_actor
from node.urls import Urls
from tests.integration.federation.remote_world import (
    BASE,
    actor_document,
    node_fetcher,
    remote_server,
)

pytestmark = pytest.mark.usefixtures("orm")

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ANA = f"{BASE}/users/ana"


async def test_local_handles_and_urls_resolve_without_any_network(
    settings: Settings, urls: Urls
) -> None:
    maria = await create_local_actor(urls, kind=ActorKind.PERSON, username="maria")
    # Never started: any network use would raise.
    resolver = Resolver(Fetcher(settings), urls)
    for reference in (
        "maria",
        "@Maria",
        f"@maria@{urls.domain}",
        f"maria@{urls.domain}",
        maria.uri,
    ):
        assert (await resolver.resolve(reference)).id == maria.id, reference
    for missing in ("nobody", f"@nobody@{urls.domain}", urls.base + "/users/nobody"):
        with pytest.raises(NotFound):
            await resolver.resolve(missing)


async def test_a_remote_handle_resolves_through_webfinger_and_is_then_cached(
    settings: Settings, urls: Urls
) -> None:
    async with remote_server() as remote, node_fetcher(settings, remote) as fetcher:
        remote.publish(actor_document("ana", KEY))
        resolver = Resolver(fetcher, urls)
        actor = await resolver.resolve("@ana@social.test")
        assert actor.uri == ANA
        assert (await resolver.resolve("ANA@Social.Test")).id == actor.id
        assert (await resolver.resolve("acct:ana@social.test")).id == actor.id
        assert (await resolver.resolve(ANA)).id == actor.id
    assert remote.hits("/.well-known/webfinger") == 1
    assert remote.hits("/users/ana") == 1


@pytest.mark.parametrize(
    "reference",
    ["", "   ", "@", "ana@", "@ana@@social.test", "ana@social test", "a b", "ftp://social.test/x",
     "ana@social.test/x", "x" * 3000],
)  # fmt: skip
async def test_malformed_references_are_validation_errors(
    settings: Settings, urls: Urls, reference: str
) -> None:
    with pytest.raises(ValidationFailed):
        await Resolver(Fetcher(settings), urls).resolve(reference)


async def test_blocked_hosts_are_refused_without_fetching(settings: Settings, urls: Urls) -> None:
    await block_domain("social.test")
    async with remote_server() as remote, node_fetcher(settings, remote) as fetcher:
        remote.publish(actor_document("ana", KEY))
        resolver = Resolver(fetcher, urls)
        for reference in ("@ana@social.test", ANA):
            with pytest.raises(PermissionDenied):
                await resolver.resolve(reference)
    assert remote.seen == []


async def test_unknown_users_and_unusable_documents_are_not_found(
    settings: Settings, urls: Urls
) -> None:
    async with remote_server() as remote, node_fetcher(settings, remote) as fetcher:
        broken = actor_document("ana", KEY)
        broken["publicKey"]["owner"] = BASE + "/users/someone-else"
        remote.publish(broken)
        resolver = Resolver(fetcher, urls)
        for reference in ("@nobody@social.test", "@ana@social.test", BASE + "/users/nobody"):
            with pytest.raises(NotFound):
                await resolver.resolve(reference)
    assert await Actor.filter(domain="social.test").count() == 0


async def test_an_unreachable_server_is_not_found_with_a_try_later_message(
    settings: Settings, urls: Urls
) -> None:
    async with remote_server() as remote:
        pass  # closed: its port no longer answers
    async with node_fetcher(settings, remote) as fetcher:
        with pytest.raises(NotFound, match="cannot be reached"):
            await Resolver(fetcher, urls).resolve("@ana@social.test")


async def test_client_setup_wires_one_session_the_keyring_and_the_resolver(
    settings: Settings,
) -> None:
    from node.main import create_app

    app = create_app(settings, run_workers=False)
    fetcher = app[FETCHER]
    assert isinstance(app[RESOLVER], Resolver)
    async with TestClient(TestServer(app)):
        session = fetcher.session  # opened at start-up
        assert not session.closed
        await _instance_key_signs_and_verifies(app, settings)
    assert session.closed  # closed at shutdown
    with pytest.raises(RuntimeError):
        _ = fetcher.session


async def _instance_key_signs_and_verifies(app: web.Application, settings: Settings) -> None:
    key = await app[KEYRING].instance_key()
    assert key.key_id == Urls(settings).instance_actor() + "#main-key"
    assert await app[KEYRING].instance_key() is key  # parsed once, then kept
    assert app[KEYRING].cached() == 1
    # The instance actor's signature verifies through the app's key lookup (a local key).
    url = settings.base_url + "/inbox"
    headers = sign_request("POST", url, b"{}", *key)
    result = await verify_request("POST", url, headers, b"{}", key_lookup_for(app))
    assert isinstance(result, VerifiedSigner)
    assert result.controller == Urls(settings).instance_actor()
