"""Received notes at the service level: storing, updating, deleting, tombstones, forgetting."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from node.errors import PermissionDenied
from node.models.actors import Actor
from node.models.social import (
    Announce,
    Follow,
    Like,
    Note,
    NoteAddressee,
    Tombstone,
    Visibility,
)
from node.services.social import notes, reactions
from node.services.social.follows import follow_actor, receive_follow
from node.services.social.remote_content import RemoteNote, forget_actor
from node.urls import Urls
from tests.support.fakes import RecordingPublisher, local_person, remote_actor

pytestmark = pytest.mark.usefixtures("orm")

T0 = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)


def received(uri: str = "https://faro.example/notes/1", **kw: object) -> RemoteNote:
    values: dict[str, object] = {
        "uri": uri,
        "url": "https://faro.example/@bob/1",
        "content_html": "<p>Olá <b>mundo</b></p>",
        "language": "pt",
        "published": T0,
    }
    values.update(kw)
    return RemoteNote(**values)  # type: ignore[arg-type]


@pytest.fixture
async def bob() -> Actor:
    return await remote_actor("bob", "faro.example")


async def test_a_received_note_is_stored_sanitised(bob: Actor) -> None:
    note = await notes.store_remote_note(
        bob,
        received(
            content_html="<p>hi<script>alert(1)</script><img src=x onerror=alert(1)>"
            '<a href="javascript:alert(1)">x</a></p>',
            summary="<b>CW</b> &amp; aviso",
            language="PT-br",
            url="javascript:alert(1)",
        ),
    )
    assert note is not None
    stored = await Note.get(uri="https://faro.example/notes/1")
    assert stored.content_html == '<p>hi<a rel="nofollow noopener noreferrer">x</a></p>'
    assert stored.summary == "CW & aviso"
    assert stored.sensitive
    assert stored.language == "pt-BR"
    assert stored.url is None
    assert not stored.local
    assert stored.published == T0


async def test_storing_the_same_note_twice_keeps_one(bob: Actor) -> None:
    first = await notes.store_remote_note(bob, received())
    second = await notes.store_remote_note(bob, received())
    assert first is not None
    assert second is not None
    assert first.id == second.id
    assert await Note.filter(uri="https://faro.example/notes/1").count() == 1


async def test_an_update_applies_only_when_newer(bob: Actor) -> None:
    await notes.store_remote_note(bob, received())
    newer = T0 + timedelta(hours=1)
    await notes.store_remote_note(bob, received(content_html="<p>v2</p>", updated=newer))
    assert (await Note.get(uri="https://faro.example/notes/1")).content_html == "<p>v2</p>"
    for stale in (newer, T0 + timedelta(minutes=5), None):
        await notes.store_remote_note(bob, received(content_html="<p>old</p>", updated=stale))
    stored = await Note.get(uri="https://faro.example/notes/1")
    assert stored.content_html == "<p>v2</p>"
    assert stored.edited_at == newer


async def test_a_tombstoned_id_is_never_created_again(bob: Actor) -> None:
    await notes.store_remote_note(bob, received())
    await notes.delete_remote_note("https://faro.example/notes/1", bob)
    assert not await Note.filter(uri="https://faro.example/notes/1").exists()
    assert await notes.store_remote_note(bob, received()) is None
    assert await notes.store_remote_note(bob, received(updated=T0 + timedelta(days=1))) is None
    assert not await Note.filter(uri="https://faro.example/notes/1").exists()


async def test_a_delete_that_arrives_before_the_create_still_wins(bob: Actor) -> None:
    await notes.delete_remote_note("https://faro.example/notes/9", bob)
    assert await Tombstone.filter(uri="https://faro.example/notes/9").exists()
    assert await notes.store_remote_note(bob, received("https://faro.example/notes/9")) is None


async def test_nobody_stores_updates_or_deletes_anothers_notes(bob: Actor, urls: Urls) -> None:
    eve = await remote_actor("eve", "faro.example")
    mallory = await remote_actor("mallory", "evil.example")
    await notes.store_remote_note(bob, received())
    with pytest.raises(PermissionDenied):
        await notes.store_remote_note(
            eve, received(content_html="<p>hacked</p>", updated=T0 + timedelta(days=1))
        )
    with pytest.raises(PermissionDenied):
        await notes.delete_remote_note("https://faro.example/notes/1", eve)
    with pytest.raises(PermissionDenied):  # another host's id
        await notes.store_remote_note(mallory, received("https://faro.example/notes/2"))
    with pytest.raises(PermissionDenied):
        await notes.delete_remote_note("https://faro.example/notes/1", mallory)
    ana = await local_person(urls, "ana")
    mine = await notes.create_note(
        RecordingPublisher(), ana, content="mío", language="es", visibility=Visibility.PUBLIC
    )
    with pytest.raises(PermissionDenied):
        await notes.delete_remote_note(mine.uri, mallory)
    assert (await Note.get(uri="https://faro.example/notes/1")).content_html.startswith("<p>Olá")
    assert await Note.filter(id=mine.id).exists()
    assert not await Tombstone.filter(uri=mine.uri).exists()


async def test_replies_link_to_known_parents_in_either_order(bob: Actor) -> None:
    child = await notes.store_remote_note(
        bob,
        received("https://faro.example/notes/2", in_reply_to_uri="https://faro.example/notes/1"),
    )
    assert child is not None
    assert child.in_reply_to_id is None  # type: ignore[attr-defined]
    parent = await notes.store_remote_note(bob, received())
    assert parent is not None
    assert parent.reply_count == 1
    assert (await Note.get(id=child.id)).in_reply_to_id == parent.id  # type: ignore[attr-defined]
    await notes.store_remote_note(
        bob,
        received("https://faro.example/notes/3", in_reply_to_uri="https://faro.example/notes/1"),
    )
    assert (await Note.get(id=parent.id)).reply_count == 2
    await notes.delete_remote_note("https://faro.example/notes/3", bob)
    assert (await Note.get(id=parent.id)).reply_count == 1


async def test_addressed_and_mentioned_local_actors_may_see_a_direct_note(
    bob: Actor, urls: Urls
) -> None:
    ana = await local_person(urls, "ana")
    pep = await local_person(urls, "pep")
    eva = await local_person(urls, "eva")
    note = await notes.store_remote_note(
        bob,
        received(
            visibility=Visibility.DIRECT,
            addressed_local_actor_ids=[ana.id, bob.id],  # bob is not local: ignored
            mentioned_local_actor_ids=[pep.id],
        ),
    )
    assert note is not None
    rows = {
        (r.actor_id, r.mentioned)  # type: ignore[attr-defined]
        for r in await NoteAddressee.filter(note_id=note.id)
    }
    assert rows == {(ana.id, False), (pep.id, True)}
    assert await notes.can_see(note, ana)
    assert await notes.can_see(note, pep)
    assert not await notes.can_see(note, eva)
    assert not await notes.can_see(note, None)


async def test_a_remote_followers_only_note_is_seen_by_its_local_followers(
    bob: Actor, urls: Urls
) -> None:
    ana = await local_person(urls, "ana")
    pep = await local_person(urls, "pep")
    follow = await follow_actor(RecordingPublisher(), ana, bob)
    from node.services.social.follows import receive_follow_accepted

    await receive_follow_accepted(ana, bob)
    note = await notes.store_remote_note(bob, received(visibility=Visibility.FOLLOWERS))
    assert note is not None
    assert follow.id
    assert await notes.can_see(note, ana)
    assert not await notes.can_see(note, pep)


async def test_forgetting_a_deleted_actor_drops_its_content_and_recounts(
    bob: Actor, urls: Urls
) -> None:
    ana = await local_person(urls, "ana")
    mine = await notes.create_note(
        RecordingPublisher(), ana, content="hola", language="es", visibility=Visibility.PUBLIC
    )
    theirs = await notes.store_remote_note(bob, received())
    reply = await notes.store_remote_note(
        bob, received("https://faro.example/notes/2", in_reply_to_uri=mine.uri)
    )
    assert theirs is not None
    assert reply is not None
    await reactions.receive_like(bob, mine.uri, "https://faro.example/likes/1")
    await reactions.receive_announce(bob, mine, "https://faro.example/announces/1")
    await receive_follow(RecordingPublisher(), bob, ana, "https://faro.example/follows/1")
    await follow_actor(RecordingPublisher(), ana, bob)
    assert (await Note.get(id=mine.id)).like_count == 1

    await forget_actor(bob)

    assert not await Note.filter(author_id=bob.id).exists()
    assert await Tombstone.filter(uri=theirs.uri).exists()
    assert await Tombstone.filter(uri=reply.uri).exists()
    assert not await Like.filter(actor_id=bob.id).exists()
    assert not await Announce.filter(actor_id=bob.id).exists()
    assert not await Follow.filter(follower_id=bob.id).exists()
    assert not await Follow.filter(target_id=bob.id).exists()
    stored = await Note.get(id=mine.id)
    assert (stored.like_count, stored.announce_count, stored.reply_count) == (0, 0, 0)
    assert (await Actor.get(id=bob.id)).gone_at is not None
    assert await notes.store_remote_note(bob, received()) is None


async def test_local_actors_cannot_be_forgotten_as_remote_ones(urls: Urls) -> None:
    ana = await local_person(urls, "ana")
    with pytest.raises(PermissionDenied):
        await forget_actor(ana)
    with pytest.raises(PermissionDenied):
        await notes.store_remote_note(ana, received("https://test.example/notes/1"))


async def test_remote_note_fields_are_bounded(bob: Actor) -> None:
    many = [{"type": "Hashtag", "name": f"#t{i}", "href": f"https://x/{i}"} for i in range(500)]
    files = [{"url": f"https://faro.example/m/{i}.png"} for i in range(50)]
    note = await notes.store_remote_note(bob, received(tags=many, attachments=files))
    assert note is not None
    stored = await Note.get(id=note.id)
    assert len(stored.tags) == 100
    assert len(stored.attachments) == 20
    frozen = received()
    with pytest.raises(AttributeError):
        frozen.uri = "https://elsewhere/"  # type: ignore[misc]
    assert replace(frozen, uri="https://faro.example/notes/5").uri.endswith("/5")
