"""An actor's collections over HTTP: outbox, followers, following (paged) and featured."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from node.models.actors import Actor
from node.models.peers import OutgoingActivity
from node.models.social import Follow, FollowState
from node.services.accounts import accounts
from node.urls import Urls

AS2 = "application/activity+json"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


async def make_user(urls: Urls, username: str = "ana") -> Actor:
    account = await accounts.create_account(
        urls, username=username, email=f"{username}@example.org", password="a long password"
    )
    return await accounts.person_actor(account)


async def remote(n: int) -> Actor:
    return await Actor.create(
        uri=f"https://peer.example/users/u{n}", username=f"u{n}", domain="peer.example"
    )


async def get(client: TestClient, url: str) -> dict[str, Any]:
    path = url.removeprefix("https://test.example")
    response = await client.get(path, headers={"Accept": AS2})
    assert response.status == 200, await response.text()
    assert response.headers["Content-Type"].startswith(AS2)
    result: dict[str, Any] = await response.json(content_type=None)
    return result


async def walk(client: TestClient, collection_url: str) -> tuple[dict[str, Any], list[Any]]:
    """The collection, and every item reached by following ``first`` then ``next``."""
    collection = await get(client, collection_url)
    items: list[Any] = []
    url = collection.get("first")
    pages = 0
    while url:
        page = await get(client, url)
        assert page["type"] == "OrderedCollectionPage"
        assert page["partOf"] == collection_url
        items.extend(page["orderedItems"])
        url = page.get("next")
        pages += 1
        assert pages < 50
    return collection, items


async def add_activities(actor: Actor, count: int, *, public: bool = True) -> list[str]:
    uris = []
    for i in range(count):
        uri = f"{actor.uri}/activities-test/{public}-{i}"
        body = {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": uri,
            "type": "Create",
            "actor": actor.uri,
            "to": [PUBLIC] if public else [actor.uri + "/followers"],
            "object": {"id": uri + "/note", "type": "Note", "content": f"n{i}"},
        }
        await OutgoingActivity.create(uri=uri, actor=actor, body=body, public=public)
        uris.append(uri)
    return uris


async def test_the_outbox_pages_public_activities_newest_first(
    client: TestClient, urls: Urls
) -> None:
    ana = await make_user(urls)
    public = await add_activities(ana, 45)
    await add_activities(ana, 3, public=False)
    collection, items = await walk(client, ana.uri + "/outbox")
    assert collection["type"] == "OrderedCollection"
    assert collection["id"] == "https://test.example/users/ana/outbox"
    assert collection["totalItems"] == 45
    assert collection["first"] == "https://test.example/users/ana/outbox?page=true"
    assert [item["id"] for item in items] == list(reversed(public))
    assert items[0]["object"]["content"] == "n44"  # whole activity bodies


async def test_pages_link_next_and_prev_only_where_items_exist(
    client: TestClient, urls: Urls
) -> None:
    ana = await make_user(urls)
    await add_activities(ana, 25)
    first = await get(client, ana.uri + "/outbox?page=true")
    assert len(first["orderedItems"]) == 20
    assert "prev" not in first and "next" in first
    second = await get(client, first["next"])
    assert len(second["orderedItems"]) == 5
    assert "next" not in second and "prev" in second
    back = await get(client, second["prev"])
    assert [i["id"] for i in back["orderedItems"]] == [i["id"] for i in first["orderedItems"]]
    assert "prev" not in back


async def test_an_empty_outbox_has_an_empty_first_page(client: TestClient, urls: Urls) -> None:
    ana = await make_user(urls)
    collection = await get(client, ana.uri + "/outbox")
    assert collection["totalItems"] == 0
    page = await get(client, collection["first"])
    assert page["orderedItems"] == []
    assert "next" not in page and "prev" not in page


async def test_followers_and_following_list_accepted_follows_only(
    client: TestClient, urls: Urls
) -> None:
    ana = await make_user(urls)
    peers = [await remote(n) for n in range(23)]
    for n, peer in enumerate(peers):
        state = FollowState.ACCEPTED if n < 21 else FollowState.PENDING
        await Follow.create(follower=peer, target=ana, state=state, uri=f"{peer.uri}#follow-{n}")
    await Follow.create(
        follower=ana, target=peers[0], state=FollowState.ACCEPTED, uri=ana.uri + "#f1"
    )
    await Follow.create(
        follower=ana, target=peers[1], state=FollowState.PENDING, uri=ana.uri + "#f2"
    )

    followers, items = await walk(client, ana.uri + "/followers")
    assert followers["totalItems"] == 21
    assert items == [p.uri for p in reversed(peers[:21])]
    following, items = await walk(client, ana.uri + "/following")
    assert following["totalItems"] == 1
    assert items == [peers[0].uri]


async def test_featured_is_an_empty_ordered_collection(client: TestClient, urls: Urls) -> None:
    ana = await make_user(urls)
    featured = await get(client, ana.uri + "/featured")
    assert featured == {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": "https://test.example/users/ana/featured",
        "type": "OrderedCollection",
        "totalItems": 0,
        "orderedItems": [],
    }


async def test_the_instance_actor_has_collections_too(client: TestClient) -> None:
    outbox = await get(client, "https://test.example/actor/outbox")
    assert outbox["id"] == "https://test.example/actor/outbox"
    following = await get(client, "https://test.example/actor/following")
    assert following["totalItems"] == 0


@pytest.mark.parametrize(
    "query", ["?page=true&max_id=abc", "?page=true&min_id=-1", "?page=true&max_id=" + "9" * 30]
)
async def test_malformed_cursors_are_400(client: TestClient, urls: Urls, query: str) -> None:
    ana = await make_user(urls)
    path = ana.uri.removeprefix("https://test.example") + "/outbox" + query
    response = await client.get(path, headers={"Accept": AS2})
    assert response.status == 400


@pytest.mark.parametrize("collection", ["outbox", "followers", "following", "featured"])
async def test_collections_of_unknown_actors_are_404(client: TestClient, collection: str) -> None:
    response = await client.get(f"/users/nobody/{collection}", headers={"Accept": AS2})
    assert response.status == 404
