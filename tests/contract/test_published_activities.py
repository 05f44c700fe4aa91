"""Everything the node actually publishes validates against the schemas.

Real domain services and the real publisher write ``OutgoingActivity`` rows (what delivery sends
and ``/activities/{id}`` serves); every row's body must validate against the schema of its type,
and what is served at its id must be that body.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient

from federation.publish import ActivityPublisher
from node import clock
from node.appkeys import PUBLISHER, SETTINGS
from node.models.actors import Actor
from node.models.peers import OutgoingActivity
from node.models.social import Note, Visibility
from node.ports import Publisher
from node.services.accounts import accounts
from node.services.social import blocks, follows, notes, reactions
from node.urls import Urls
from tests.contract.validation import assert_valid

AS2 = "application/activity+json"
SCHEMA_OF = {
    "Create": "create.schema.json",
    "Update": "update.schema.json",
    "Delete": "delete.schema.json",
    "Follow": "follow.schema.json",
    "Undo": "undo.schema.json",
    "Accept": "accept.schema.json",
    "Reject": "reject.schema.json",
    "Like": "like.schema.json",
    "Announce": "announce.schema.json",
    "Block": "block.schema.json",
    "Flag": "flag.schema.json",
    "Offer": "offer.schema.json",
}


class Checker:
    """Validates every outgoing activity once, as soon as it exists (undoing withdraws rows)."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.seen: dict[str, str] = {}

    async def __call__(self) -> None:
        for row in await OutgoingActivity.all():
            if row.uri in self.seen:
                continue
            body: dict[str, Any] = row.body
            kind = body["type"]
            assert_valid(SCHEMA_OF[kind], body)
            label = kind if kind not in ("Undo", "Update", "Delete") else self._label(body)
            self.seen[row.uri] = label
            if row.public:
                response = await self.client.get(
                    row.uri.removeprefix("https://test.example"), headers={"Accept": AS2}
                )
                assert response.status == 200, (row.uri, await response.text())
                assert json.loads(await response.read()) == body

    @staticmethod
    def _label(body: dict[str, Any]) -> str:
        embedded = body["object"]
        inner = embedded.get("type") if isinstance(embedded, dict) else "actor"
        return f"{body['type']}{{{inner}}}"


def publisher_of(app: web.Application, urls: Urls) -> Publisher:
    publisher = app.get(PUBLISHER)
    if publisher is None:  # delivery not wired yet: the same class its wiring installs
        publisher = ActivityPublisher(urls, default_language=app[SETTINGS].default_language)
    return publisher


async def test_every_activity_the_services_publish_validates(
    client: TestClient, app: web.Application, urls: Urls
) -> None:
    check = Checker(client)
    publisher = publisher_of(app, urls)
    account = await accounts.create_account(
        urls, username="ana", email="ana@example.org", password="a long password"
    )
    ana = await accounts.person_actor(account)
    bob = await Actor.create(
        uri="https://faro.example/users/bob",
        username="bob",
        domain="faro.example",
        inbox_url="https://faro.example/users/bob/inbox",
        shared_inbox_url="https://faro.example/inbox",
        followers_url="https://faro.example/users/bob/followers",
        fetched_at=clock.now(),
    )

    await follows.receive_follow(publisher, bob, ana, "https://faro.example/follows/1")
    await check()
    public = await notes.create_note(
        publisher, ana, content="Pan de campo #pan", language="es", visibility=Visibility.PUBLIC
    )
    await notes.create_note(
        publisher, ana, content="¿Te quedan?", language="es", visibility=Visibility.DIRECT, to=[bob]
    )
    await notes.create_note(
        publisher, ana, content="Seguidores", language="es", visibility=Visibility.FOLLOWERS
    )
    await check()
    await notes.edit_note(publisher, ana, public.id, content="Pan de campo, 3 €")
    await check()
    await notes.delete_note(publisher, ana, public.id)
    await check()

    await follows.follow_actor(publisher, ana, bob)
    await check()
    await follows.unfollow(publisher, ana, bob)
    await check()

    remote_note = await Note.create(
        uri="https://faro.example/notes/1",
        author=bob,
        local=False,
        visibility=Visibility.PUBLIC,
        content_html="<p>Hola</p>",
        language="es",
        published=clock.now(),
    )
    await reactions.like(publisher, ana, remote_note.id)
    await check()
    await reactions.unlike(publisher, ana, remote_note.id)
    await check()
    await reactions.announce(publisher, ana, remote_note.id)
    await check()
    await reactions.unannounce(publisher, ana, remote_note.id)
    await check()

    await blocks.block(publisher, ana, bob)
    await check()
    await blocks.unblock(publisher, ana, bob)
    await check()

    await publisher.actor_updated(ana)
    await check()
    await publisher.actor_deleted(ana)
    await check()

    published = sorted(set(check.seen.values()))
    assert published == sorted(  # (blocking a follower also rejects its follow, as Mastodon does)
        {
            "Accept",
            "Create",
            "Update{Note}",
            "Delete{Tombstone}",
            "Follow",
            "Undo{Follow}",
            "Like",
            "Undo{Like}",
            "Announce",
            "Undo{Announce}",
            "Block",
            "Reject",
            "Undo{Block}",
            "Update{Person}",
            "Delete{actor}",
        }
    )
