"""Staff suspend an account of another server by its handle: the node resolves ``@bob@host``
through WebFinger on a real loopback peer, then drops bob's inbound activities and hides his
posts from every timeline until the suspension is lifted; all of it in the audit log."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from node.models.accounts import Account, Role
from node.models.actors import Actor
from node.models.moderation import ModerationAction
from node.models.social import Follow, FollowState, Note
from node.urls import Urls
from tests.integration.federation.inbox_material import RemoteActor, deliver
from tests.integration.federation.webfinger_peer import Peer, app, peer
from tests.support.fakes import api_user

__all__ = ["app", "peer"]  # fixtures

Client = TestClient  # type: ignore[type-arg]


def public_note(bob: RemoteActor, text: str) -> dict[str, Any]:
    note = bob.note(f"<p>{text}</p>")
    return bob.activity("Create", note, to=note["to"], cc=note["cc"])


async def home_texts(client: Client, auth: dict[str, str]) -> list[str]:
    response = await client.get("/api/v1/timelines/home", headers=auth)
    assert response.status == 200
    return [entry["note"]["content"] for entry in await response.json()]


async def test_a_remote_account_suspended_by_handle_is_dropped_and_hidden_until_lifted(
    client: Client, urls: Urls, peer: Peer
) -> None:
    bob = peer.bob
    assert bob is not None
    _, staff = await api_user(urls, "marta")
    await Account.filter(username="marta").update(role=Role.STAFF)
    alice, alice_auth = await api_user(urls, "alice")

    await deliver(client, bob, public_note(bob, "Oferta de pan"))
    bob_actor = await Actor.get(uri=bob.uri)
    await Follow.create(
        uri=urls.base + "/follows/1", follower=alice, target=bob_actor, state=FollowState.ACCEPTED
    )
    assert any("Oferta de pan" in text for text in await home_texts(client, alice_auth))
    first = await Note.get(author=bob_actor)

    handle = f"@bob@{peer.authority}"
    response = await client.post(
        f"/api/v1/admin/accounts/{handle}/action",
        json={"type": "suspend", "note": "spam"},
        headers=staff,
    )
    assert response.status == 200, await response.text()
    assert await response.json() == {"acct": handle.lstrip("@"), "suspended": True}
    await bob_actor.refresh_from_db()
    assert bob_actor.suspended_at is not None

    # His posts leave the timelines and cannot be opened; what he sends now is dropped.
    assert await home_texts(client, alice_auth) == []
    assert (await client.get(f"/api/v1/notes/{first.id}", headers=alice_auth)).status == 404
    await deliver(client, bob, public_note(bob, "Segunda oferta"))
    assert await Note.filter(author=bob_actor).count() == 1

    log = await ModerationAction.filter(action="account_suspended").values_list("target", "note")
    assert log == [(handle, "spam")]

    # Lifted: his posts can be opened again and his new activities are applied; alice's follow
    # ended with the suspension (as on Mastodon), so her home stays without him.
    lifted = await client.post(
        f"/api/v1/admin/accounts/{bob_actor.id}/action", json={"type": "unsuspend"}, headers=staff
    )
    assert lifted.status == 200
    assert (await client.get(f"/api/v1/notes/{first.id}", headers=alice_auth)).status == 200
    assert not await Follow.filter(target=bob_actor).exists()
    assert await home_texts(client, alice_auth) == []
    await deliver(client, bob, public_note(bob, "Tercera oferta"))
    assert await Note.filter(author=bob_actor).count() == 2
    assert await ModerationAction.filter(action="account_unsuspended").count() == 1


async def test_an_unknown_handle_is_resolved_with_webfinger_or_refused_with_a_clear_error(
    client: Client, urls: Urls, peer: Peer
) -> None:
    _, staff = await api_user(urls, "marta")
    await Account.filter(username="marta").update(role=Role.STAFF)
    assert not await Actor.filter(local=False).exists()
    response = await client.post(
        f"/api/v1/admin/accounts/@bob@{peer.authority}/action",
        json={"type": "suspend"},
        headers=staff,
    )
    assert response.status == 200, await response.text()
    assert peer.webfinger_hits == 1
    bob = await Actor.get(local=False)
    assert bob.suspended_at is not None and bob.username == "bob"
    await ModerationAction.all().delete()
    await Actor.filter(id=bob.id).update(suspended_at=None)

    for handle, status in ((f"@nadie@{peer.authority}", 422), ("@nadie", 422), ("999", 404)):
        response = await client.post(
            f"/api/v1/admin/accounts/{handle}/action", json={"type": "suspend"}, headers=staff
        )
        assert response.status == status, handle
        assert response.content_type == "application/problem+json"
        if status == 422:
            assert "Nobody answers to that address" in (await response.json())["detail"]
    assert not await ModerationAction.exists()
    assert not await Actor.filter(suspended_at__isnull=False).exists()
