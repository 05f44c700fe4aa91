"""Discovery over HTTP: WebFinger, host-meta, NodeInfo and our JSON-LD context."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient

import schemas
from node import clock
from node.models.accounts import Account
from node.models.actors import Actor, ActorKind
from node.models.social import Note, Visibility
from node.services.accounts import accounts, tokens
from node.services.social.actors import create_local_actor
from node.urls import Urls

SERVICE_REL = "https://www.w3.org/ns/activitystreams#Service"
APPLICATION_REL = "https://www.w3.org/ns/activitystreams#Application"


async def make_user(urls: Urls, username: str = "ana", **kw: object) -> Account:
    return await accounts.create_account(
        urls,
        username=username,
        email=f"{username}@example.org",
        password="a long password",
        **kw,  # type: ignore[arg-type]
    )


async def webfinger(client: TestClient, resource: str | None, **params: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    query = {"resource": resource} if resource is not None else {}
    response = await client.get("/.well-known/webfinger", params={**query, **params})
    body = await response.json(content_type=None)
    if response.status == 200:
        assert response.headers["Content-Type"].startswith("application/jrd+json")
        assert response.headers["Access-Control-Allow-Origin"] == "*"
    return response.status, body


def self_link(jrd: dict) -> str:  # type: ignore[type-arg]
    links = [link for link in jrd["links"] if link["rel"] == "self"]
    assert len(links) == 1 and links[0]["type"] == "application/activity+json"
    return str(links[0]["href"])


@pytest.mark.parametrize(
    "resource",
    [
        "acct:ana@test.example",
        "acct:ANA@Test.Example",
        "acct:@ana@test.example",
        "ana@test.example",
        "https://test.example/users/ana",
        "https://test.example/@ana",
    ],
)
async def test_webfinger_finds_a_user_by_handle_or_url(
    client: TestClient, urls: Urls, resource: str
) -> None:
    await make_user(urls, "ana")
    status, jrd = await webfinger(client, resource)
    assert status == 200
    assert jrd["subject"] == "acct:ana@test.example"
    assert self_link(jrd) == "https://test.example/users/ana"
    assert "https://test.example/users/ana" in jrd["aliases"]
    profile = [link for link in jrd["links"] if link["rel"].endswith("profile-page")]
    assert profile[0]["href"] == "https://test.example/@ana"


async def test_webfinger_finds_shops_and_groups_by_handle(client: TestClient, urls: Urls) -> None:
    await create_local_actor(urls, kind=ActorKind.ORGANIZATION, username="panaderia")
    status, jrd = await webfinger(client, "acct:panaderia@test.example")
    assert status == 200
    assert self_link(jrd) == "https://test.example/actors/panaderia"


async def test_webfinger_finds_the_instance_actor_by_its_acct(client: TestClient) -> None:
    status, jrd = await webfinger(client, "acct:test.example@test.example")
    assert status == 200
    assert jrd["subject"] == "acct:test.example@test.example"
    assert self_link(jrd) == "https://test.example/actor"


@pytest.mark.parametrize("resource", ["https://test.example/", "https://test.example"])
async def test_webfinger_of_the_domain_links_the_instance_actor_as_service(
    client: TestClient, resource: str
) -> None:
    # FEP-d556: the server's own URL resolves to its actor with rel ...#Service.
    status, jrd = await webfinger(client, resource)
    assert status == 200
    assert jrd["subject"] == resource
    service = [link for link in jrd["links"] if link["rel"] == SERVICE_REL]
    assert service == [
        {
            "rel": SERVICE_REL,
            "type": "application/activity+json",
            "href": "https://test.example/actor",
        }
    ]


async def test_webfinger_rel_parameter_filters_links(client: TestClient, urls: Urls) -> None:
    await make_user(urls, "ana")
    status, jrd = await webfinger(client, "acct:ana@test.example", rel="self")
    assert status == 200
    assert [link["rel"] for link in jrd["links"]] == ["self"]


@pytest.mark.parametrize(
    "resource",
    [None, "", "acct:", "acct:ana", "acct:@test.example", "acct:ana@", "mailto:ana@test.example",
     "ftp://test.example/users/ana", "https://", "acct:a b@test.example", "x" * 3000],
)  # fmt: skip
async def test_webfinger_without_a_valid_resource_is_400(
    client: TestClient, resource: str | None
) -> None:
    status, body = await webfinger(client, resource)
    assert status == 400
    assert body["status"] == 400


@pytest.mark.parametrize(
    "resource",
    [
        "acct:nobody@test.example",
        "acct:ana@other.example",
        "acct:ana@test.example.evil",
        "https://other.example/users/ana",
        "https://test.example/users/nobody",
        "https://test.example/notes/1",
    ],
)
async def test_webfinger_for_unknown_accounts_or_other_domains_is_404(
    client: TestClient, urls: Urls, resource: str
) -> None:
    await make_user(urls, "ana")
    status, body = await webfinger(client, resource)
    assert status == 404
    assert body["status"] == 404


async def test_webfinger_never_answers_for_a_remote_actor(client: TestClient) -> None:
    await Actor.create(
        uri="https://other.example/users/bob", username="bob", domain="other.example"
    )
    status, _ = await webfinger(client, "acct:bob@other.example")
    assert status == 404
    status, _ = await webfinger(client, "https://other.example/users/bob")
    assert status == 404


async def test_webfinger_of_a_deleted_actor_is_410(client: TestClient, urls: Urls) -> None:
    account = await make_user(urls, "ana")
    await Actor.filter(account=account).update(gone_at=clock.now())
    status, _ = await webfinger(client, "acct:ana@test.example")
    assert status == 410


async def test_host_meta_points_at_webfinger(client: TestClient) -> None:
    response = await client.get("/.well-known/host-meta")
    assert response.status == 200
    assert response.content_type == "application/xrd+xml"
    text = await response.text()
    assert 'rel="lrdd"' in text
    assert 'template="https://test.example/.well-known/webfinger?resource={uri}"' in text
    response = await client.get("/.well-known/host-meta.json")
    assert (await response.json(content_type=None))["links"][0]["template"] == (
        "https://test.example/.well-known/webfinger?resource={uri}"
    )


async def test_nodeinfo_discovery_links_the_schema_and_the_instance_actor(
    client: TestClient,
) -> None:
    response = await client.get("/.well-known/nodeinfo")
    assert response.status == 200
    links = {link["rel"]: link["href"] for link in (await response.json())["links"]}
    assert links["http://nodeinfo.diaspora.software/ns/schema/2.1"] == (
        "https://test.example/nodeinfo/2.1"
    )
    assert links[APPLICATION_REL] == "https://test.example/actor"  # FEP-2677


async def test_nodeinfo_reports_software_usage_and_city(client: TestClient, urls: Urls) -> None:
    ana = await make_user(urls, "ana")
    await make_user(urls, "luis")
    await make_user(urls, "pending", approved=False)
    await make_user(urls, "old")
    # ana posted today; luis used the API three months ago; old did nothing.
    ana_actor = await accounts.person_actor(ana)
    for _ in range(2):
        await Note.create(
            uri=urls.note(len(await Note.all()) + 1),
            author=ana_actor,
            local=True,
            visibility=Visibility.PUBLIC,
            published=clock.now(),
        )
    luis = await Account.get(username="luis")
    token, _ = await tokens.create_token(luis, "app")
    token.last_used_at = clock.now() - timedelta(days=90)
    await token.save()

    response = await client.get("/nodeinfo/2.1")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert "nodeinfo.diaspora.software/ns/schema/2.1" in response.headers["Content-Type"]
    info = await response.json(content_type=None)
    assert info["version"] == "2.1"
    assert info["software"]["name"] == "ruta"
    assert info["software"]["version"]
    assert info["protocols"] == ["activitypub"]
    assert info["openRegistrations"] is False  # RUTA_REGISTRATIONS defaults to "approval"
    assert info["usage"] == {
        "users": {"total": 3, "activeMonth": 1, "activeHalfyear": 2},
        "localPosts": 2,
    }
    assert info["metadata"]["nodeName"] == "Ruta"


async def test_nodeinfo_says_registrations_are_open_when_configured(
    aiohttp_client: object, settings: object
) -> None:
    from node.main import create_app

    open_settings = settings.with_overrides(registrations="open", city_name="Lepe")  # type: ignore[attr-defined]
    client = await aiohttp_client(create_app(open_settings, run_workers=False))  # type: ignore[operator]
    info = await (await client.get("/nodeinfo/2.1")).json(content_type=None)
    assert info["openRegistrations"] is True
    assert info["metadata"]["nodeName"] == "Lepe"
    assert info["metadata"]["cityName"] == "Lepe"


async def test_our_jsonld_context_is_served_from_the_schemas_file(client: TestClient) -> None:
    response = await client.get("/ns/ruta.jsonld")
    assert response.status == 200
    assert response.content_type == "application/ld+json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    served = json.loads(await response.read())
    assert served == json.loads(schemas.CONTEXT_PATH.read_text())
    assert served["@context"]["ruta"] == schemas.NAMESPACE
