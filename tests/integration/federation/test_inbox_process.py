"""Processing received activities: each type applied once, through real HTTP and the real
``inbox`` queue. Deliveries our answers cause are only queued (queue ``deliver`` is not run)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from tortoise import connections
from tortoise.backends.base.client import TransactionalDBClient

from federation.fetch import FETCHER, Fetcher
from node import clock
from node.appkeys import JOBS, SETTINGS
from node.jobs import queue
from node.jobs.worker import drain
from node.models.actors import Actor, ActorKind
from node.models.jobs import Job, JobState
from node.models.moderation import Report
from node.models.peers import OutgoingActivity
from node.models.social import (
    Announce,
    Block,
    Follow,
    FollowState,
    Like,
    Note,
    Tombstone,
    Visibility,
)
from node.services.social.actors import create_local_actor
from node.urls import Urls
from tests.integration.federation.inbox_material import (
    ActorServer,
    RemoteActor,
    alice,
    app,
    bob,
    bob_actor,
    deliver,
    peer,
    post_signed,
)

__all__ = ["alice", "app", "bob", "bob_actor", "peer"]  # fixtures

Client = TestClient  # type: ignore[type-arg]
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


async def local_note(author: Actor, urls: Urls, visibility: Visibility = Visibility.PUBLIC) -> Note:
    from node import ids

    note_id = ids.new_id()
    return await Note.create(
        id=note_id,
        uri=urls.note(note_id),
        author=author,
        local=True,
        visibility=visibility,
        content_html="<p>pan de campo</p>",
        language="es",
        published=clock.now(),
    )


async def outgoing(kind: str) -> list[dict[str, Any]]:
    return [row.body for row in await OutgoingActivity.all() if row.body.get("type") == kind]


# --- Follow, Undo, Accept, Reject ---------------------------------------------------------------


async def test_a_follow_is_accepted_and_answered_with_an_accept_embedding_the_follow(
    client: Client, alice: Actor, bob: RemoteActor, bob_actor: Actor
) -> None:
    activity = bob.activity("Follow", alice.uri)
    await deliver(client, bob, activity)
    row = await Follow.get(follower=bob_actor, target=alice)
    assert (row.state, row.uri) == (FollowState.ACCEPTED, activity["id"])
    [accept] = await outgoing("Accept")
    assert accept["actor"] == alice.uri
    assert accept["object"]["id"] == activity["id"]
    assert accept["object"]["type"] == "Follow"
    assert await Job.filter(queue="deliver").count() == 1


async def test_a_follow_of_an_actor_who_approves_followers_waits_without_an_accept(
    client: Client, urls: Urls, bob: RemoteActor, bob_actor: Actor
) -> None:
    shop = await create_local_actor(
        urls, kind=ActorKind.ORGANIZATION, username="panaderia", manually_approves_followers=True
    )
    await deliver(client, bob, bob.activity("Follow", shop.uri))
    row = await Follow.get(follower=bob_actor, target=shop)
    assert row.state is FollowState.PENDING
    assert await outgoing("Accept") == []


async def test_a_follow_of_someone_who_is_not_ours_is_ignored(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    await deliver(client, bob, bob.activity("Follow", "https://elsewhere.example/users/x"))
    assert await Follow.all().count() == 0


async def test_undo_of_an_embedded_follow_ends_it(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    activity = bob.activity("Follow", alice.uri)
    await deliver(client, bob, activity)
    await deliver(client, bob, bob.activity("Undo", activity))
    assert await Follow.all().count() == 0


async def test_undo_of_a_follow_by_its_id_only_ends_it(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    activity = bob.activity("Follow", alice.uri)
    await deliver(client, bob, activity)
    await deliver(client, bob, bob.activity("Undo", activity["id"]))
    assert await Follow.all().count() == 0


async def test_undo_naming_another_actors_follow_changes_nothing(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    carol = RemoteActor(uri="https://remote.example/users/carol")
    await carol.store()
    their_follow = carol.activity("Follow", alice.uri)
    await deliver(client, carol, their_follow)
    await deliver(client, bob, bob.activity("Undo", their_follow["id"]))
    assert await Follow.filter(uri=their_follow["id"]).exists()


async def pending_follow(alice: Actor, target: Actor, urls: Urls) -> Follow:
    return await Follow.create(
        follower=alice, target=target, uri=urls.absolute("/follows/1"), state=FollowState.PENDING
    )


async def test_accept_of_our_follow_makes_it_accepted(
    client: Client, alice: Actor, bob: RemoteActor, bob_actor: Actor, urls: Urls
) -> None:
    ours = await pending_follow(alice, bob_actor, urls)
    embedded = {"id": ours.uri, "type": "Follow", "actor": alice.uri, "object": bob.uri}
    await deliver(client, bob, bob.activity("Accept", embedded))
    await ours.refresh_from_db()
    assert ours.state is FollowState.ACCEPTED


async def test_accept_without_the_follows_id_is_matched_by_follower_and_target(
    client: Client, alice: Actor, bob: RemoteActor, bob_actor: Actor, urls: Urls
) -> None:
    ours = await pending_follow(alice, bob_actor, urls)
    embedded = {"type": "Follow", "actor": alice.uri, "object": bob.uri}
    await deliver(client, bob, bob.activity("Accept", embedded))
    await ours.refresh_from_db()
    assert ours.state is FollowState.ACCEPTED


async def test_accept_by_someone_other_than_the_followed_actor_changes_nothing(
    client: Client, alice: Actor, bob: RemoteActor, bob_actor: Actor, urls: Urls
) -> None:
    ours = await pending_follow(alice, bob_actor, urls)
    carol = RemoteActor(uri="https://remote.example/users/carol")
    await carol.store()
    embedded = {"id": ours.uri, "type": "Follow", "actor": alice.uri, "object": bob.uri}
    await deliver(client, carol, carol.activity("Accept", embedded))
    await ours.refresh_from_db()
    assert ours.state is FollowState.PENDING


async def test_reject_of_our_follow_removes_it(
    client: Client, alice: Actor, bob: RemoteActor, bob_actor: Actor, urls: Urls
) -> None:
    ours = await pending_follow(alice, bob_actor, urls)
    await deliver(client, bob, bob.activity("Reject", ours.uri))
    assert not await Follow.exists(id=ours.id)


# --- notes: Create, Update, Delete --------------------------------------------------------------


async def test_a_created_note_is_stored_sanitised_with_its_language_and_visibility(
    client: Client, alice: Actor, bob: RemoteActor, bob_actor: Actor
) -> None:
    note = bob.note('<p>hola <script>alert(1)</script><a href="https://x.example">x</a></p>')
    await deliver(client, bob, bob.activity("Create", note, to=note["to"], cc=note["cc"]))
    stored = await Note.get(uri=note["id"])
    assert stored.author_id == bob_actor.id  # type: ignore[attr-defined]
    assert "<script" not in stored.content_html and "hola" in stored.content_html
    assert stored.language == "es"
    assert stored.visibility is Visibility.PUBLIC
    assert not stored.local


async def test_herds_compacted_addressing_is_understood(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    # bovine-herd sends "to": "as:Public" and a string cc.
    note = bob.note(to="as:Public", cc=bob.uri + "/followers")
    await deliver(client, bob, bob.activity("Create", note, to="as:Public", cc=note["cc"]))
    assert (await Note.get(uri=note["id"])).visibility is Visibility.PUBLIC


async def test_a_direct_note_to_alice_is_stored_for_her_only(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    note = bob.note(to=[alice.uri], cc=[], tag=[{"type": "Mention", "href": alice.uri}])
    await deliver(client, bob, bob.activity("Create", note, to=[alice.uri]))
    stored = await Note.get(uri=note["id"])
    assert stored.visibility is Visibility.DIRECT
    assert await stored.addressees.filter(actor_id=alice.id).exists()


async def test_a_create_carrying_only_the_note_id_fetches_it_from_the_sender(
    client: Client, alice: Actor, peer: ActorServer
) -> None:
    carol = peer.actor("carol")
    await carol.store()
    note = carol.note("<p>desde el origen</p>")
    peer.serve(note)
    await deliver(client, carol, carol.activity("Create", note["id"]))
    assert "desde el origen" in (await Note.get(uri=note["id"])).content_html


async def test_an_update_with_a_newer_updated_time_changes_the_note(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    note = bob.note("<p>v1</p>")
    await deliver(client, bob, bob.activity("Create", note))
    edited = {**note, "content": "<p>v2</p>", "contentMap": {"es": "<p>v2</p>"},
              "updated": "2025-06-02T08:00:00Z"}  # fmt: skip
    await deliver(client, bob, bob.activity("Update", edited))
    assert "v2" in (await Note.get(uri=note["id"])).content_html


async def test_an_update_that_is_not_newer_is_ignored(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    note = bob.note("<p>v1</p>", updated="2025-06-03T08:00:00Z")
    await deliver(client, bob, bob.activity("Create", note))
    stale = {**note, "content": "<p>old</p>", "contentMap": {"es": "<p>old</p>"},
             "updated": "2025-06-02T08:00:00Z"}  # fmt: skip
    await deliver(client, bob, bob.activity("Update", stale))
    assert "v1" in (await Note.get(uri=note["id"])).content_html


async def test_a_deleted_note_is_tombstoned_and_never_created_again(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    note = bob.note()
    await deliver(client, bob, bob.activity("Create", note))
    await deliver(client, bob, bob.activity("Delete", {"id": note["id"], "type": "Tombstone"}))
    assert not await Note.exists(uri=note["id"])
    assert await Tombstone.exists(uri=note["id"])
    await deliver(client, bob, bob.activity("Create", note))  # a late replay, new activity id
    assert not await Note.exists(uri=note["id"])


# --- Like, Announce ----------------------------------------------------------------------------


async def test_a_like_of_our_note_is_counted_once_and_undone(
    client: Client, alice: Actor, bob: RemoteActor, urls: Urls
) -> None:
    note = await local_note(alice, urls)
    like = bob.activity("Like", note.uri)
    await deliver(client, bob, like)
    await deliver(client, bob, bob.activity("Like", note.uri))  # a second like, another id
    assert await Like.filter(note=note).count() == 1
    assert (await Note.get(id=note.id)).like_count == 1
    await deliver(client, bob, bob.activity("Undo", like))
    assert await Like.filter(note=note).count() == 0
    assert (await Note.get(id=note.id)).like_count == 0


async def test_an_announce_of_our_note_is_stored(
    client: Client, alice: Actor, bob: RemoteActor, urls: Urls
) -> None:
    note = await local_note(alice, urls)
    boost = bob.activity("Announce", note.uri, published="2025-06-01T09:00:00Z")
    await deliver(client, bob, boost)
    assert (await Note.get(id=note.id)).announce_count == 1
    await deliver(client, bob, bob.activity("Undo", {"id": boost["id"], "type": "Announce",
                                                     "actor": bob.uri}))  # fmt: skip
    assert await Announce.all().count() == 0


async def test_an_announced_note_is_fetched_from_its_origin_not_taken_from_the_activity(
    client: Client, alice: Actor, bob: RemoteActor, peer: ActorServer
) -> None:
    carol = peer.actor("carol")
    original = carol.note("<p>lo que carol escribió</p>")
    peer.serve(original)
    forged = {**original, "content": "<p>forged</p>", "contentMap": {"es": "<p>forged</p>"}}
    await deliver(client, bob, bob.activity("Announce", forged))
    stored = await Note.get(uri=original["id"])
    assert "lo que carol escribió" in stored.content_html
    assert (await stored.author).uri == carol.uri
    assert await Announce.filter(note=stored).count() == 1
    assert peer.signed[f"/notes/{original['id'].rsplit('/', 1)[1]}"] is True


async def test_remote_fetches_happen_before_the_transaction_opens(
    client: Client, alice: Actor, bob: RemoteActor, peer: ActorServer
) -> None:
    carol = peer.actor("carol")
    original = carol.note()
    peer.serve(original)
    fetcher: Fetcher = client.app[FETCHER]
    in_transaction_during_fetch: list[bool] = []
    real_get_json = fetcher.get_json

    async def spying_get_json(url: str, *, signed: bool = True) -> dict[str, Any]:
        in_transaction_during_fetch.append(
            isinstance(connections.get("default"), TransactionalDBClient)
        )
        return await real_get_json(url, signed=signed)

    fetcher.get_json = spying_get_json  # type: ignore[method-assign]
    await deliver(client, bob, bob.activity("Announce", original["id"]))
    assert in_transaction_during_fetch and not any(in_transaction_during_fetch)
    assert await Announce.all().count() == 1


# --- Block, actors, Flag, unknown types ----------------------------------------------------


async def test_a_block_ends_the_follows_both_ways_and_undo_lifts_it(
    client: Client, alice: Actor, bob: RemoteActor, bob_actor: Actor, urls: Urls
) -> None:
    await deliver(client, bob, bob.activity("Follow", alice.uri))
    block = bob.activity("Block", alice.uri)
    await deliver(client, bob, block)
    assert await Block.filter(actor=bob_actor, target=alice).exists()
    assert await Follow.all().count() == 0
    await deliver(client, bob, bob.activity("Undo", block))
    assert await Block.all().count() == 0


async def test_an_update_of_the_actor_refetches_its_profile_from_its_server(
    client: Client, alice: Actor, peer: ActorServer
) -> None:
    carol = peer.actor("carol")
    await carol.store()
    carol.name = "Carol Nueva"
    peer.serve(carol.document())
    embedded = {**carol.document(), "name": "forged name"}
    await deliver(client, carol, carol.activity("Update", embedded))
    assert (await Actor.get(uri=carol.uri)).display_name == "Carol Nueva"


async def test_a_deleted_actor_leaves_nothing_behind(
    client: Client, alice: Actor, bob: RemoteActor, urls: Urls
) -> None:
    note = bob.note()
    await deliver(client, bob, bob.activity("Create", note))
    await deliver(client, bob, bob.activity("Follow", alice.uri))
    await deliver(client, bob, bob.activity("Like", (await local_note(alice, urls)).uri))
    await deliver(client, bob, bob.activity("Delete", bob.uri))
    assert not await Note.exists(uri=note["id"])
    assert await Follow.all().count() == 0
    assert await Like.all().count() == 0
    assert (await Actor.get(uri=bob.uri)).gone_at is not None


async def test_a_flag_of_our_actor_and_note_becomes_a_report(
    client: Client, alice: Actor, bob: RemoteActor, bob_actor: Actor, urls: Urls
) -> None:
    note = await local_note(alice, urls)
    flag = bob.activity(
        "Flag",
        [alice.uri, note.uri, "https://elsewhere.example/notes/1"],
        content="spam de pan",
    )
    await deliver(client, bob, flag)
    report = await Report.get(uri=flag["id"])
    assert report.reporter_id == bob_actor.id  # type: ignore[attr-defined]
    assert report.target_id == alice.id  # type: ignore[attr-defined]
    assert report.object_uris == [note.uri]
    assert report.comment == "spam de pan"


async def test_a_flag_about_nothing_of_ours_is_ignored(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    await deliver(client, bob, bob.activity("Flag", ["https://elsewhere.example/users/x"]))
    assert await Report.all().count() == 0


@pytest.mark.parametrize("kind", ["Join", "EmojiReact", "Move", "x:Custom"])
async def test_unknown_activity_types_are_acknowledged_and_ignored(
    client: Client, alice: Actor, bob: RemoteActor, kind: str
) -> None:
    await deliver(client, bob, bob.activity(kind, alice.uri))
    assert await Follow.all().count() == 0
    assert await OutgoingActivity.all().count() == 0


# --- exactly once ------------------------------------------------------------------------------


async def test_a_crash_before_completion_applies_nothing_and_the_retry_applies_it_once(
    client: Client, alice: Actor, bob: RemoteActor, monkeypatch: pytest.MonkeyPatch
) -> None:
    activity = bob.activity("Follow", alice.uri)
    status, _ = await post_signed(client, bob, activity)
    assert status == 202
    real_complete = queue.complete
    crashes = []

    async def crash_once(job: Job) -> None:
        if not crashes:
            crashes.append(job.id)
            raise RuntimeError("power cut between the handler's writes and the commit")
        await real_complete(job)

    monkeypatch.setattr(queue, "complete", crash_once)
    app = client.app
    patient = app[SETTINGS].with_overrides(retry_base_seconds=60.0)
    await drain(app[JOBS], patient, queues=["inbox"])
    # The first attempt rolled back whole: no follow, no Accept queued.
    job = await Job.get(queue="inbox")
    assert (job.state, job.attempts) == (JobState.PENDING, 1)
    assert await Follow.all().count() == 0
    assert await OutgoingActivity.all().count() == 0

    with clock.shifted(timedelta(hours=1)):
        await drain(app[JOBS], patient, queues=["inbox"])
    assert await Job.filter(queue="inbox").count() == 0
    assert await Follow.all().count() == 1
    assert len(await outgoing("Accept")) == 1


async def test_a_redelivered_activity_is_not_processed_again(
    client: Client, alice: Actor, bob: RemoteActor, urls: Urls
) -> None:
    note = await local_note(alice, urls)
    like = bob.activity("Like", note.uri)
    await deliver(client, bob, like)
    await deliver(client, bob, bob.activity("Undo", like))
    await deliver(client, bob, like)  # the same Like again, after its Undo
    assert await Like.all().count() == 0


async def test_activities_of_one_actor_are_applied_in_arrival_order(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    follow = bob.activity("Follow", alice.uri)
    for activity in (follow, bob.activity("Undo", follow)):
        status, _ = await post_signed(client, bob, activity)
        assert status == 202
    app = client.app
    await drain(app[JOBS], app[SETTINGS], queues=["inbox"])
    assert await Follow.all().count() == 0
