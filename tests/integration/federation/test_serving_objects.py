"""Notes and activities at their ids: who may read what, and what a deleted id answers."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from cryptography.hazmat.primitives.asymmetric import rsa

from federation.signatures import load_private_key, sign_request
from node import clock, ids
from node.models.actors import Actor
from node.models.peers import OutgoingActivity
from node.models.social import (
    Block,
    Follow,
    FollowState,
    Note,
    NoteAddressee,
    Tombstone,
    Visibility,
)
from node.services.accounts import accounts
from node.services.accounts.keys import generate_keys_sync
from node.urls import Urls
from tests.contract.validation import assert_valid

AS2 = "application/activity+json"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
BROWSER = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"


async def make_user(urls: Urls, username: str = "ana") -> Actor:
    account = await accounts.create_account(
        urls, username=username, email=f"{username}@example.org", password="a long password"
    )
    return await accounts.person_actor(account)


async def remote_reader(name: str) -> tuple[Actor, rsa.RSAPrivateKey]:
    """A remote actor whose key we hold, cached as key lookups leave it (no network needed)."""
    keys = generate_keys_sync()
    uri = f"https://peer.example/users/{name}"
    actor = await Actor.create(
        uri=uri,
        username=name,
        domain="peer.example",
        inbox_url=uri + "/inbox",
        public_key_id=uri + "#main-key",
        public_key_pem=keys.rsa_public_pem,
        fetched_at=clock.now(),
    )
    return actor, load_private_key(keys.rsa_private_pem)


async def fetch(
    client: TestClient,
    url: str,
    signer: tuple[Actor, rsa.RSAPrivateKey] | None = None,
    accept: str = AS2,
) -> tuple[int, Any]:
    path = url.removeprefix("https://test.example")
    headers = {"Accept": accept}
    if signer is not None:
        actor, key = signer
        headers.update(sign_request("GET", url, None, str(actor.public_key_id), key))
    response = await client.get(path, headers=headers, allow_redirects=False)
    if response.status in (200, 410):
        assert response.headers["Content-Type"].startswith(AS2)
        return response.status, await response.json(content_type=None)
    return response.status, response.headers.get("Location")


async def follow(follower: Actor, target: Actor, state: FollowState = FollowState.ACCEPTED) -> None:
    await Follow.create(
        follower=follower, target=target, state=state, uri=f"{follower.uri}#f{ids.new_id()}"
    )


# --- activities ------------------------------------------------------------------------------


async def activity(
    urls: Urls, actor: Actor, to: list[str], cc: list[str] | None = None, **extra: Any
) -> str:
    activity_id = ids.new_id()
    uri = urls.activity(activity_id)
    body = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": uri,
        "type": "Like",
        "actor": actor.uri,
        "object": "https://peer.example/notes/1",
        "to": to,
        "cc": cc or [],
        **extra,
    }
    await OutgoingActivity.create(
        id=activity_id, uri=uri, actor=actor, body=body, public=PUBLIC in to
    )
    return uri


@pytest.mark.parametrize(
    ("to", "cc"), [([PUBLIC], []), (["x"], [PUBLIC])], ids=["public", "unlisted"]
)
async def test_public_and_unlisted_activities_are_served_to_anyone(
    client: TestClient, urls: Urls, to: list[str], cc: list[str]
) -> None:
    ana = await make_user(urls)
    to = [ana.followers_url if t == "x" else t for t in to]  # type: ignore[misc]
    uri = await activity(urls, ana, to, cc)
    status, body = await fetch(client, uri)
    assert status == 200
    assert body["id"] == uri and body["actor"] == ana.uri
    stored = await OutgoingActivity.get(uri=uri)
    assert body == stored.body


async def test_a_followers_only_activity_is_served_only_to_signed_followers(
    client: TestClient, urls: Urls
) -> None:
    ana = await make_user(urls)
    follower = await remote_reader("follower")
    stranger = await remote_reader("stranger")
    pending = await remote_reader("pending")
    await follow(follower[0], ana)
    await follow(pending[0], ana, FollowState.PENDING)
    uri = await activity(urls, ana, [str(ana.followers_url)])
    assert (await fetch(client, uri))[0] == 404  # unsigned
    assert (await fetch(client, uri, stranger))[0] == 404  # never 403: that would confirm it
    assert (await fetch(client, uri, pending))[0] == 404
    status, body = await fetch(client, uri, follower)
    assert status == 200 and body["id"] == uri


async def test_a_direct_activity_is_served_only_to_its_addressees(
    client: TestClient, urls: Urls
) -> None:
    ana = await make_user(urls)
    addressee = await remote_reader("addressee")
    follower = await remote_reader("follower")
    await follow(follower[0], ana)
    uri = await activity(urls, ana, [addressee[0].uri])
    assert (await fetch(client, uri, follower))[0] == 404
    assert (await fetch(client, uri, addressee))[0] == 200


async def test_a_signature_that_does_not_verify_counts_as_anonymous(
    client: TestClient, urls: Urls
) -> None:
    ana = await make_user(urls)
    follower = await remote_reader("follower")
    impostor_key = (await remote_reader("impostor"))[1]
    await follow(follower[0], ana)
    uri = await activity(urls, ana, [str(ana.followers_url)])
    # Claims the follower's key id but signs with another key.
    assert (await fetch(client, uri, (follower[0], impostor_key)))[0] == 404


async def test_an_activity_embedding_a_deleted_note_answers_410(
    client: TestClient, urls: Urls
) -> None:
    ana = await make_user(urls)
    note_uri = urls.note(ids.new_id())
    created = await activity(
        urls, ana, [PUBLIC], type="Create", object={"id": note_uri, "type": "Note", "content": "x"}
    )
    await Tombstone.create(uri=note_uri)
    deleted = await activity(
        urls, ana, [PUBLIC], type="Delete", object={"id": note_uri, "type": "Tombstone"}
    )
    status, body = await fetch(client, created)
    assert status == 410
    assert body["type"] == "Tombstone" and body["id"] == created
    assert "content" not in str(body)
    assert (await fetch(client, deleted))[0] == 200


@pytest.mark.parametrize("path", ["/activities/1", "/activities/" + "9" * 19, "/activities/abc"])
async def test_unknown_activities_are_404(client: TestClient, path: str) -> None:
    assert (await client.get(path, headers={"Accept": AS2})).status == 404


# --- notes -----------------------------------------------------------------------------------


async def note(
    urls: Urls,
    author: Actor,
    visibility: Visibility,
    *,
    addressed: list[Actor] = (),  # type: ignore[assignment]
) -> Note:
    note_id = ids.new_id()
    created = await Note.create(
        id=note_id,
        uri=urls.note(note_id),
        url=urls.note_page(author.username, note_id),
        author=author,
        local=True,
        visibility=visibility,
        content_html="<p>Pan de campo</p>",
        content_source="Pan de campo",
        language="es",
        published=clock.now(),
    )
    for actor in addressed:
        await NoteAddressee.create(note=created, actor=actor, mentioned=True)
    return created


@pytest.mark.parametrize("visibility", [Visibility.PUBLIC, Visibility.UNLISTED])
async def test_public_and_unlisted_notes_are_served_as_valid_notes(
    client: TestClient, urls: Urls, visibility: Visibility
) -> None:
    ana = await make_user(urls)
    created = await note(urls, ana, visibility)
    status, body = await fetch(client, created.uri)
    assert status == 200
    assert body["id"] == created.uri
    assert body["type"] == "Note"
    assert body["attributedTo"] == ana.uri
    assert body["contentMap"] == {"es": body["content"]}
    assert_valid("note.schema.json", body)


async def test_browsers_are_redirected_to_the_notes_page(client: TestClient, urls: Urls) -> None:
    ana = await make_user(urls)
    created = await note(urls, ana, Visibility.PUBLIC)
    status, location = await fetch(client, created.uri, accept=BROWSER)
    assert status == 302
    assert location == f"https://test.example/@ana/{created.id}"


async def test_a_followers_only_note_is_served_only_to_signed_followers_and_addressees(
    client: TestClient, urls: Urls
) -> None:
    ana = await make_user(urls)
    follower = await remote_reader("follower")
    mentioned = await remote_reader("mentioned")
    stranger = await remote_reader("stranger")
    await follow(follower[0], ana)
    created = await note(urls, ana, Visibility.FOLLOWERS, addressed=[mentioned[0]])
    assert (await fetch(client, created.uri))[0] == 404
    assert (await fetch(client, created.uri, accept=BROWSER))[0] == 404  # no redirect either
    assert (await fetch(client, created.uri, stranger))[0] == 404
    assert (await fetch(client, created.uri, follower))[0] == 200
    assert (await fetch(client, created.uri, mentioned))[0] == 200


async def test_a_direct_note_is_served_only_to_its_addressees(
    client: TestClient, urls: Urls
) -> None:
    ana = await make_user(urls)
    follower = await remote_reader("follower")
    addressee = await remote_reader("addressee")
    await follow(follower[0], ana)
    created = await note(urls, ana, Visibility.DIRECT, addressed=[addressee[0]])
    assert (await fetch(client, created.uri, follower))[0] == 404
    status, body = await fetch(client, created.uri, addressee)
    assert status == 200 and body["id"] == created.uri


async def test_a_blocked_follower_cannot_read_followers_only_notes(
    client: TestClient, urls: Urls
) -> None:
    ana = await make_user(urls)
    follower = await remote_reader("follower")
    await follow(follower[0], ana)
    await Block.create(actor=ana, target=follower[0], uri=ana.uri + "#block")
    created = await note(urls, ana, Visibility.FOLLOWERS)
    assert (await fetch(client, created.uri, follower))[0] == 404


async def test_a_deleted_note_answers_410_with_a_tombstone(client: TestClient, urls: Urls) -> None:
    uri = urls.note(ids.new_id())
    await Tombstone.create(uri=uri, former_type="Note")
    status, body = await fetch(client, uri)
    assert status == 410
    assert body["id"] == uri
    assert body["type"] == "Tombstone"
    assert body["formerType"] == "Note"
    assert_valid("tombstone.schema.json", body)


@pytest.mark.parametrize("path", ["/notes/1", "/notes/" + "9" * 19, "/notes/-1"])
async def test_unknown_notes_are_404(client: TestClient, path: str) -> None:
    assert (await client.get(path, headers={"Accept": AS2})).status == 404


async def test_remote_notes_are_not_served_as_ours(client: TestClient, urls: Urls) -> None:
    peer = (await remote_reader("peer"))[0]
    note_id = ids.new_id()
    # A remote note stored (wrongly) under one of our URLs must still not be served.
    await Note.create(
        id=note_id, uri=urls.note(note_id), author=peer, local=False, published=clock.now()
    )
    assert (await fetch(client, urls.note(note_id)))[0] == 404
