"""Likes and announces at the service level: idempotent, visible-only, counters consistent."""

from __future__ import annotations

import pytest

from node.errors import NotFound, PermissionDenied
from node.models.actors import Actor
from node.models.social import Announce, Like, Note, Visibility
from node.services.social import notes, reactions
from node.services.social.remote_content import RemoteNote
from node.urls import Urls
from tests.support.fakes import RecordingPublisher, local_person, remote_actor

pytestmark = pytest.mark.usefixtures("orm")


async def write(author: Actor, visibility: Visibility = Visibility.PUBLIC) -> Note:
    return await notes.create_note(
        RecordingPublisher(), author, content="hola", language="es", visibility=visibility
    )


async def test_liking_is_idempotent_and_counted(urls: Urls) -> None:
    ana = await local_person(urls, "ana")
    pep = await local_person(urls, "pep")
    note = await write(ana)
    publisher = RecordingPublisher()
    first = await reactions.like(publisher, pep, note.id)
    second = await reactions.like(publisher, pep, str(note.id))
    assert first.like_count == second.like_count == 1
    assert await Like.filter(note_id=note.id).count() == 1
    assert publisher.calls == []  # a local author needs no federation
    state = await reactions.reactions_of(pep, [note.id])
    assert note.id in state.liked
    unliked = await reactions.unlike(publisher, pep, note.id)
    assert unliked.like_count == 0
    assert (await reactions.unlike(publisher, pep, note.id)).like_count == 0
    assert not await Like.all().exists()


async def test_a_like_of_a_remote_note_is_published_inside_the_transaction(urls: Urls) -> None:
    ana = await local_person(urls, "ana")
    bob = await remote_actor("bob")
    note = await notes.store_remote_note(bob, RemoteNote(uri="https://faro.example/n/1"))
    assert note is not None
    publisher = RecordingPublisher()
    await reactions.like(publisher, ana, note.id)
    await reactions.announce(publisher, ana, note.id)
    await reactions.unlike(publisher, ana, note.id)
    await reactions.unannounce(publisher, ana, note.id)
    assert [(c.name, c.in_transaction) for c in publisher.calls] == [
        ("liked", True),
        ("announced", True),
        ("unliked", True),
        ("unannounced", True),
    ]
    like = publisher.calls[0].obj
    assert like.uri.startswith("https://test.example/activities/")
    stored = await Note.get(id=note.id)
    assert (stored.like_count, stored.announce_count) == (0, 0)


async def test_notes_one_may_not_see_cannot_be_liked_and_private_ones_not_shared(
    urls: Urls,
) -> None:
    ana = await local_person(urls, "ana")
    pep = await local_person(urls, "pep")
    hidden = await write(ana, Visibility.FOLLOWERS)
    publisher = RecordingPublisher()
    with pytest.raises(NotFound):
        await reactions.like(publisher, pep, hidden.id)
    with pytest.raises(NotFound):
        await reactions.announce(publisher, pep, hidden.id)
    with pytest.raises(PermissionDenied):  # the author sees it but may not boost it
        await reactions.announce(publisher, ana, hidden.id)
    assert not await Like.all().exists()
    assert not await Announce.all().exists()
    assert publisher.calls == []


async def test_announcing_is_idempotent_counted_and_always_published(urls: Urls) -> None:
    ana = await local_person(urls, "ana")
    pep = await local_person(urls, "pep")
    note = await write(ana, Visibility.UNLISTED)
    publisher = RecordingPublisher()
    assert (await reactions.announce(publisher, pep, note.id)).announce_count == 1
    assert (await reactions.announce(publisher, pep, note.id)).announce_count == 1
    # Local followers read the database; remote followers of the booster need the Announce.
    assert publisher.names() == ["announced"]
    assert (await reactions.unannounce(publisher, pep, note.id)).announce_count == 0


async def test_received_likes_and_announces_count_once_and_undo_by_id(urls: Urls) -> None:
    ana = await local_person(urls, "ana")
    bob = await remote_actor("bob")
    eve = await remote_actor("eve")
    note = await write(ana)
    like = await reactions.receive_like(bob, note.uri, "https://faro.example/l/1")
    assert like is not None
    assert (await reactions.receive_like(bob, note.uri, "https://faro.example/l/1")).id == like.id  # type: ignore[union-attr]
    assert (await reactions.receive_like(bob, note.uri, "https://faro.example/l/2")).id == like.id  # type: ignore[union-attr]
    await reactions.receive_like(eve, note.uri, "https://faro.example/l/3")
    assert (await Note.get(id=note.id)).like_count == 2
    await reactions.receive_undo_like(eve, "https://faro.example/l/1")  # not eve's: ignored
    assert (await Note.get(id=note.id)).like_count == 2
    await reactions.receive_undo_like(bob, "https://faro.example/l/1")
    await reactions.receive_undo_like(bob, "https://faro.example/l/1")
    assert (await Note.get(id=note.id)).like_count == 1

    boost = await reactions.receive_announce(bob, note, "https://faro.example/a/1")
    assert boost is not None
    assert (await reactions.receive_announce(bob, note, "https://faro.example/a/1")).id == boost.id  # type: ignore[union-attr]
    assert (await Note.get(id=note.id)).announce_count == 1
    await reactions.receive_undo_announce(bob, "https://faro.example/a/1")
    assert (await Note.get(id=note.id)).announce_count == 0


async def test_received_reactions_to_unknown_or_hidden_notes_are_ignored(urls: Urls) -> None:
    ana = await local_person(urls, "ana")
    bob = await remote_actor("bob")
    hidden = await write(ana, Visibility.FOLLOWERS)
    assert (
        await reactions.receive_like(bob, "https://test.example/notes/1", "https://f/l/1") is None
    )
    assert await reactions.receive_like(bob, hidden.uri, "https://f/l/2") is None
    assert await reactions.receive_announce(bob, hidden, "https://f/a/1") is None
    assert not await Like.all().exists()
    assert not await Announce.all().exists()
    assert (await Note.get(id=hidden.id)).like_count == 0
