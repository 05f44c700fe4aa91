"""Serving actors over HTTP: AS2 documents, content negotiation, the instance actor, the cache."""

from __future__ import annotations

import json

import pytest
from aiohttp.test_utils import TestClient
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from node.models.actors import Actor, ActorKind
from node.services.accounts import accounts
from node.services.market.mercado import ensure_market_group
from node.services.social.actors import create_local_actor
from node.urls import Urls

AS2 = "application/activity+json"
LD_PROFILE = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


async def make_user(urls: Urls, username: str = "ana", **kw: object) -> Actor:
    account = await accounts.create_account(
        urls,
        username=username,
        email=f"{username}@example.org",
        password="a long password",
        **kw,  # type: ignore[arg-type]
    )
    return await accounts.person_actor(account)


async def fetch_json(client: TestClient, path: str, accept: str = AS2) -> dict[str, object]:
    response = await client.get(path, headers={"Accept": accept})
    assert response.status == 200, await response.text()
    assert response.headers["Content-Type"].startswith(AS2)
    document: dict[str, object] = json.loads(await response.read())
    return document


@pytest.mark.parametrize("accept", [AS2, LD_PROFILE, "application/json", "*/*"])
async def test_a_user_is_served_as_a_person_to_activitypub_clients(
    client: TestClient, urls: Urls, accept: str
) -> None:
    await make_user(urls, "ana", display_name="Ana García")
    response = await client.get("/users/ana", headers={"Accept": accept})
    assert response.status == 200
    assert response.headers["Content-Type"].startswith(AS2)
    assert response.headers["Vary"] == "Accept"
    actor = await response.json(content_type=None)
    assert actor["id"] == "https://test.example/users/ana"
    assert actor["type"] == "Person"
    assert actor["preferredUsername"] == "ana"
    assert actor["name"] == "Ana García"
    assert actor["webfinger"] == "ana@test.example"
    assert actor["url"] == "https://test.example/@ana"
    assert actor["inbox"] == "https://test.example/users/ana/inbox"
    assert actor["outbox"] == "https://test.example/users/ana/outbox"
    assert actor["followers"] == "https://test.example/users/ana/followers"
    assert actor["following"] == "https://test.example/users/ana/following"
    assert actor["featured"] == "https://test.example/users/ana/featured"
    assert actor["endpoints"] == {"sharedInbox": "https://test.example/inbox"}
    assert actor["manuallyApprovesFollowers"] is False
    assert actor["discoverable"] is True and actor["indexable"] is True


async def test_the_actor_publishes_its_rsa_key_and_ed25519_multikey(
    client: TestClient, urls: Urls
) -> None:
    stored = await make_user(urls, "ana")
    actor = await fetch_json(client, "/users/ana")
    key = actor["publicKey"]
    assert key == {
        "id": "https://test.example/users/ana#main-key",
        "owner": "https://test.example/users/ana",
        "publicKeyPem": stored.public_key_pem,
    }
    public = serialization.load_pem_public_key(key["publicKeyPem"].encode())  # type: ignore[index]
    assert isinstance(public, rsa.RSAPublicKey) and public.key_size == 2048
    assert actor["assertionMethod"] == [
        {
            "id": "https://test.example/users/ana#ed25519-key",
            "type": "Multikey",
            "controller": "https://test.example/users/ana",
            "publicKeyMultibase": stored.ed25519_multibase,
        }
    ]
    assert str(stored.ed25519_multibase).startswith("z6Mk")


async def test_the_context_declares_every_extension_term_the_actor_uses(
    client: TestClient, urls: Urls
) -> None:
    await make_user(urls, "ana")
    actor = await fetch_json(client, "/users/ana")
    context = actor["@context"]
    assert isinstance(context, list)
    assert context[:4] == [
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
        "https://www.w3.org/ns/cid/v1",
        "https://purl.archive.org/socialweb/webfinger",
    ]
    terms = context[4]
    assert terms["PropertyValue"] == "sc:PropertyValue" and terms["sc"] == "http://schema.org#"
    for term in ("discoverable", "indexable", "featured", "manuallyApprovesFollowers"):
        assert term in terms


async def test_profile_fields_icon_and_header_are_published(client: TestClient, urls: Urls) -> None:
    actor = await make_user(urls, "ana")
    actor.profile_fields = [
        {"name": "Horario", "value": "L–S 8:00–14:00"},
        {"name": "", "value": "dropped: no name"},
        "not a field",
    ]
    actor.icon_url = "https://test.example/media/avatar.webp"
    actor.header_url = "https://test.example/media/banner.png"
    await actor.save()
    document = await fetch_json(client, "/users/ana")
    assert document["attachment"] == [
        {"type": "PropertyValue", "name": "Horario", "value": "L–S 8:00–14:00"}
    ]
    assert document["icon"] == {
        "type": "Image",
        "mediaType": "image/webp",
        "url": "https://test.example/media/avatar.webp",
    }
    assert document["image"] == {
        "type": "Image",
        "mediaType": "image/png",
        "url": "https://test.example/media/banner.png",
    }


async def test_an_actor_without_images_has_no_icon_or_image(client: TestClient, urls: Urls) -> None:
    await make_user(urls, "ana")
    document = await fetch_json(client, "/users/ana")
    assert "icon" not in document and "image" not in document
    assert document["attachment"] == []


async def test_browsers_are_redirected_to_the_html_profile(client: TestClient, urls: Urls) -> None:
    await make_user(urls, "ana")
    response = await client.get("/users/ana", headers={"Accept": BROWSER}, allow_redirects=False)
    assert response.status == 302
    assert response.headers["Location"] == "https://test.example/@ana"
    assert response.headers["Vary"] == "Accept"


async def test_the_instance_actor_is_an_application_fetchable_without_signature(
    client: TestClient, urls: Urls
) -> None:
    actor = await fetch_json(client, "/actor")
    assert actor["id"] == "https://test.example/actor"
    assert actor["type"] == "Application"
    assert actor["preferredUsername"] == "test.example"
    assert actor["webfinger"] == "test.example@test.example"
    assert actor["inbox"] == "https://test.example/actor/inbox"
    assert actor["publicKey"]["id"] == "https://test.example/actor#main-key"  # type: ignore[index]


async def test_organizations_and_groups_are_served_under_their_own_paths(
    client: TestClient, urls: Urls
) -> None:
    await create_local_actor(
        urls, kind=ActorKind.ORGANIZATION, username="panaderia", display_name="Panadería"
    )
    await ensure_market_group(urls)  # the node creates it at start; this only finds it
    shop = await fetch_json(client, "/actors/panaderia")
    assert shop["type"] == "Organization" and shop["name"] == "Panadería"
    group = await fetch_json(client, "/groups/mercado")
    assert group["type"] == "Group" and group["id"] == "https://test.example/groups/mercado"
    # An id is looked up whole: the shop is not also a /users/ or /groups/ actor.
    assert (await client.get("/users/panaderia", headers={"Accept": AS2})).status == 404
    assert (await client.get("/groups/panaderia", headers={"Accept": AS2})).status == 404


@pytest.mark.parametrize("path", ["/users/nobody", "/actors/nobody", "/groups/nobody"])
async def test_unknown_actors_are_404(client: TestClient, path: str) -> None:
    response = await client.get(path, headers={"Accept": AS2})
    assert response.status == 404
    assert response.content_type == "application/problem+json"


async def test_remote_actors_are_never_served_as_ours(client: TestClient, urls: Urls) -> None:
    # A row that claims one of our URLs but is not local (a hostile or confused remote document).
    await Actor.create(
        uri="https://test.example/users/mallory", username="mallory", domain="test.example"
    )
    assert (await client.get("/users/mallory", headers={"Accept": AS2})).status == 404


async def test_a_deleted_actor_answers_410_with_a_tombstone(client: TestClient, urls: Urls) -> None:
    actor = await make_user(urls, "ana")
    from node import clock

    actor.gone_at = clock.now()
    await actor.save()
    response = await client.get("/users/ana", headers={"Accept": AS2})
    assert response.status == 410
    body = await response.json(content_type=None)
    assert body["type"] == "Tombstone"
    assert body["id"] == "https://test.example/users/ana"
    assert body["formerType"] == "Person"


async def test_a_profile_change_is_served_at_once(client: TestClient, urls: Urls) -> None:
    actor = await make_user(urls, "ana", display_name="Ana")
    assert (await fetch_json(client, "/users/ana"))["name"] == "Ana"  # now cached
    actor.display_name = "Ana García"
    actor.summary = "<p>Panadera</p>"
    await actor.save()
    document = await fetch_json(client, "/users/ana")
    assert document["name"] == "Ana García"
    assert document["summary"] == "<p>Panadera</p>"


async def test_cached_documents_expire_even_without_a_save_signal(
    client: TestClient, urls: Urls
) -> None:
    from datetime import timedelta

    from node import clock

    await make_user(urls, "ana", display_name="Ana")
    assert (await fetch_json(client, "/users/ana"))["name"] == "Ana"
    # Another process (or a bulk update) changes the row: no signal reaches this cache.
    await Actor.filter(local_username="ana").update(display_name="Ana G.")
    assert (await fetch_json(client, "/users/ana"))["name"] == "Ana"
    with clock.shifted(timedelta(seconds=61)):
        assert (await fetch_json(client, "/users/ana"))["name"] == "Ana G."
