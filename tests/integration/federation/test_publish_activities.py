"""Every other activity we send, through the real domain services and ``ActivityPublisher``:
the document and exactly which inboxes get it."""

from __future__ import annotations

from typing import Any

import pytest

from federation.publish import ActivityPublisher
from node import clock
from node.models.actors import Actor, ActorKind
from node.models.jobs import Job
from node.models.moderation import Report
from node.models.peers import OutgoingActivity
from node.models.social import Note, Visibility
from node.services.social import blocks, follows, reactions
from node.services.social.actors import create_local_actor
from node.urls import Urls
from tests.integration.federation.delivery_world import accepted_follow, remote_actor

pytestmark = pytest.mark.usefixtures("orm")

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


@pytest.fixture
def publisher(urls: Urls) -> ActivityPublisher:
    return ActivityPublisher(urls, default_language="es")


async def alice(urls: Urls) -> Actor:
    return await create_local_actor(urls, kind=ActorKind.PERSON, username="alice")


async def last(kind: str) -> dict[str, Any]:
    rows = [r.body for r in await OutgoingActivity.all().order_by("created_at", "id")]
    matching = [b for b in rows if b["type"] == kind]
    assert matching, f"no {kind} was published"
    body: dict[str, Any] = matching[-1]
    return body


async def deliveries() -> list[tuple[str, int]]:
    """``(inbox, signer)`` of every delivery job, then forget them."""
    jobs = await Job.filter(queue="deliver")
    await Job.all().delete()
    return sorted((j.payload["inbox"], j.payload["signer_actor_id"]) for j in jobs)


async def remote_note(author: Actor, visibility: Visibility = Visibility.PUBLIC) -> Note:
    return await Note.create(
        uri=f"{author.uri}/notes/1",
        author=author,
        local=False,
        visibility=visibility,
        content_html="<p>hola</p>",
        published=clock.now(),
    )


async def test_follow_and_unfollow_go_to_the_target_and_undo_embeds_the_follow(
    publisher: ActivityPublisher, urls: Urls
) -> None:
    me = await alice(urls)
    bob = await remote_actor("bob", "one.test", shared_inbox=False)
    row = await follows.follow_actor(publisher, me, bob)
    follow = await last("Follow")
    assert follow == {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": row.uri,
        "type": "Follow",
        "actor": me.uri,
        "object": bob.uri,
        "to": [bob.uri],
    }
    assert await deliveries() == [(bob.inbox_url, me.id)]

    await follows.unfollow(publisher, me, bob)
    undo = await last("Undo")
    assert undo["object"] == {k: v for k, v in follow.items() if k != "@context"}
    assert await deliveries() == [(bob.inbox_url, me.id)]
    assert not await OutgoingActivity.filter(uri=row.uri).exists()  # withdrawn


async def test_a_received_follow_is_accepted_with_the_follow_embedded(
    publisher: ActivityPublisher, urls: Urls
) -> None:
    me = await alice(urls)
    bob = await remote_actor("bob", "one.test")
    await follows.receive_follow(publisher, bob, me, "http://one.test/follows/1")
    accept = await last("Accept")
    assert accept["actor"] == me.uri
    assert accept["to"] == [bob.uri]
    assert accept["object"] == {
        "id": "http://one.test/follows/1",
        "type": "Follow",
        "actor": bob.uri,
        "object": me.uri,
        "to": [me.uri],
    }
    assert await deliveries() == [("http://one.test/inbox", me.id)]


async def test_a_rejected_follow_request_is_answered_with_reject(
    publisher: ActivityPublisher, urls: Urls
) -> None:
    me = await alice(urls)
    me.manually_approves_followers = True
    await me.save()
    bob = await remote_actor("bob", "one.test")
    await follows.receive_follow(publisher, bob, me, "http://one.test/follows/2")
    assert await deliveries() == []  # waiting for approval: nothing sent yet
    await follows.reject_follow_request(publisher, me, bob)
    reject = await last("Reject")
    assert reject["object"]["id"] == "http://one.test/follows/2"
    assert await deliveries() == [("http://one.test/inbox", me.id)]


async def test_like_and_unlike_go_to_the_notes_author_only(
    publisher: ActivityPublisher, urls: Urls
) -> None:
    me = await alice(urls)
    await accepted_follow(await remote_actor("fan", "two.test"), me)
    bob = await remote_actor("bob", "one.test")
    note = await remote_note(bob)
    await reactions.like(publisher, me, note.id)
    like = await last("Like")
    assert (like["object"], like["to"]) == (note.uri, [bob.uri])
    assert await deliveries() == [("http://one.test/inbox", me.id)]
    await reactions.unlike(publisher, me, note.id)
    assert (await last("Undo"))["object"]["id"] == like["id"]
    assert await deliveries() == [("http://one.test/inbox", me.id)]


async def test_announce_goes_to_the_boosters_followers_and_the_author(
    publisher: ActivityPublisher, urls: Urls
) -> None:
    me = await alice(urls)
    await accepted_follow(await remote_actor("fan", "two.test"), me)
    bob = await remote_actor("bob", "one.test")
    note = await remote_note(bob)
    await reactions.announce(publisher, me, note.id)
    announce = await last("Announce")
    assert (announce["to"], announce["cc"]) == ([PUBLIC], [me.followers_url, bob.uri])
    assert announce["object"] == note.uri
    assert await deliveries() == [
        ("http://one.test/inbox", me.id),
        ("http://two.test/inbox", me.id),
    ]
    assert await OutgoingActivity.filter(uri=announce["id"], public=True).exists()
    await reactions.unannounce(publisher, me, note.id)
    assert (await last("Undo"))["object"]["id"] == announce["id"]
    assert len(await deliveries()) == 2
    assert not await OutgoingActivity.filter(uri=announce["id"]).exists()


async def test_block_goes_to_the_target_and_ends_the_follows_both_ways(
    publisher: ActivityPublisher, urls: Urls
) -> None:
    me = await alice(urls)
    bob = await remote_actor("bob", "one.test", shared_inbox=False)
    await accepted_follow(bob, me)
    await blocks.block(publisher, me, bob)
    block = await last("Block")
    assert (block["object"], block["to"]) == (bob.uri, [bob.uri])
    assert (await last("Reject"))["object"]["actor"] == bob.uri  # bob no longer follows me
    assert set(await deliveries()) == {(bob.inbox_url, me.id)}
    await blocks.unblock(publisher, me, bob)
    assert (await last("Undo"))["object"]["type"] == "Block"
    assert await deliveries() == [(bob.inbox_url, me.id)]


async def test_a_note_is_not_delivered_to_an_actor_in_a_block_with_its_author(
    publisher: ActivityPublisher, urls: Urls
) -> None:
    me = await alice(urls)
    bob = await remote_actor("bob", "one.test")
    await blocks.block(publisher, me, bob)
    await Job.all().delete()
    await accepted_follow(bob, me)  # a stale row: the block still wins
    await publisher.note_created(
        await Note.create(
            uri=urls.note(1),
            author=me,
            local=True,
            content_html="<p>x</p>",
            language="es",
            published=clock.now(),
        )
    )
    assert await deliveries() == []


async def test_profile_update_goes_to_followers_with_the_actor_embedded(
    publisher: ActivityPublisher, urls: Urls
) -> None:
    me = await alice(urls)
    await accepted_follow(await remote_actor("fan", "two.test"), me)
    me.display_name = "Alicia"
    await me.save()
    await publisher.actor_updated(me)
    update = await last("Update")
    assert update["object"]["id"] == me.uri
    assert update["object"]["name"] == "Alicia"
    assert "publicKey" in update["object"]
    assert await deliveries() == [("http://two.test/inbox", me.id)]


async def test_actor_delete_goes_to_followers_and_to_those_it_follows(
    publisher: ActivityPublisher, urls: Urls
) -> None:
    me = await alice(urls)
    await accepted_follow(await remote_actor("fan", "two.test"), me)
    await accepted_follow(me, await remote_actor("bob", "one.test"))
    await publisher.actor_deleted(me)
    delete = await last("Delete")
    assert (delete["actor"], delete["object"]) == (me.uri, me.uri)
    assert await deliveries() == [
        ("http://one.test/inbox", me.id),
        ("http://two.test/inbox", me.id),
    ]


async def test_a_forwarded_report_is_a_flag_from_the_instance_actor(
    publisher: ActivityPublisher, urls: Urls
) -> None:
    me = await alice(urls)
    bob = await remote_actor("bob", "one.test")
    report = await Report.create(
        reporter=me, target=bob, object_uris=[bob.uri + "/notes/1"], comment="spam"
    )
    await publisher.report_forwarded(report)
    flag = await last("Flag")
    instance = await Actor.get(uri=urls.instance_actor())
    assert flag["actor"] == instance.uri
    assert flag["object"] == [bob.uri, bob.uri + "/notes/1"]
    assert (flag["content"], flag["summary"]) == ("spam", "spam")
    assert await deliveries() == [("http://one.test/inbox", instance.id)]
