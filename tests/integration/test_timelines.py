"""Home and public timelines and threads: what shows, in which order, paged by id."""

from __future__ import annotations

import pytest

from node.errors import NotFound
from node.models.actors import Actor
from node.models.social import Note, Visibility
from node.services.social import messages, notes, profiles, reactions, timelines
from node.services.social.blocks import block
from node.services.social.follows import follow_actor, receive_follow_accepted
from node.services.social.remote_content import RemoteNote
from node.urls import Urls
from tests.support.fakes import RecordingPublisher, local_person, remote_actor

pytestmark = pytest.mark.usefixtures("orm")


async def write(
    author: Actor,
    content: str = "hola",
    visibility: Visibility = Visibility.PUBLIC,
    in_reply_to: Note | None = None,
) -> Note:
    return await notes.create_note(
        RecordingPublisher(),
        author,
        content=content,
        language="es",
        visibility=visibility,
        in_reply_to=str(in_reply_to.id) if in_reply_to else None,
    )


def texts(entries: list[timelines.TimelineEntry]) -> list[str]:
    return [
        (f"{e.announced_by.username}>" if e.announced_by else "") + (e.note.content_source or "")
        for e in entries
    ]


async def test_home_has_own_and_followed_notes_the_viewer_may_see_and_boosts(
    urls: Urls,
) -> None:
    ana = await local_person(urls, "ana")
    pep = await local_person(urls, "pep")
    eva = await local_person(urls, "eva")
    bob = await remote_actor("bob")
    publisher = RecordingPublisher()
    await follow_actor(publisher, ana, pep)
    await follow_actor(publisher, ana, bob)
    await receive_follow_accepted(ana, bob)

    await write(ana, "mía")
    await write(pep, "de pep")
    await write(pep, "pep a sus seguidores", Visibility.FOLLOWERS)
    await write(pep, "pep a eva", Visibility.DIRECT, in_reply_to=await write(eva, "eva"))
    await write(eva, "de eva, a quien no sigo")
    boosted = await write(eva, "eva, compartida por pep")
    await reactions.announce(publisher, pep, boosted.id)
    remote = await notes.store_remote_note(
        bob, RemoteNote(uri="https://faro.example/n/1", content_html="<p>de bob</p>")
    )
    assert remote is not None

    entries = await timelines.home(ana)
    assert texts(entries) == [
        "",  # bob's remote note has no markdown source
        "pep>eva, compartida por pep",
        "pep a sus seguidores",
        "de pep",
        "mía",
    ]
    assert entries[0].note.content_html == "<p>de bob</p>"
    ids = [e.id for e in entries]
    assert ids == sorted(ids, reverse=True)
    assert entries[1].announced_at is not None


async def test_home_pages_backwards_with_max_id_and_forwards_with_min_id(urls: Urls) -> None:
    ana = await local_person(urls, "ana")
    pep = await local_person(urls, "pep")
    publisher = RecordingPublisher()
    await follow_actor(publisher, ana, pep)
    written = [await write(pep, f"n{i}") for i in range(7)]
    first = await timelines.home(ana, limit=3)
    assert texts(first) == ["n6", "n5", "n4"]
    second = await timelines.home(ana, max_id=first[-1].id, limit=3)
    assert texts(second) == ["n3", "n2", "n1"]
    last = await timelines.home(ana, max_id=second[-1].id, limit=3)
    assert texts(last) == ["n0"]
    assert await timelines.home(ana, max_id=last[-1].id) == []
    newer = await timelines.home(ana, min_id=written[1].id, limit=2)
    assert texts(newer) == ["n3", "n2"]  # just after n1, newest first
    assert len(await timelines.home(ana, limit=1000)) == 7  # limit is capped at 40 (7 here)


async def test_home_hides_authors_the_viewer_blocks_or_is_blocked_by(urls: Urls) -> None:
    ana = await local_person(urls, "ana")
    pep = await local_person(urls, "pep")
    eva = await local_person(urls, "eva")
    publisher = RecordingPublisher()
    await follow_actor(publisher, ana, pep)
    shared = await write(eva, "de eva")
    await reactions.announce(publisher, pep, shared.id)
    assert texts(await timelines.home(ana)) == ["pep>de eva"]
    await block(publisher, eva, ana)
    assert texts(await timelines.home(ana)) == []


async def test_public_local_timeline_has_only_local_public_notes(urls: Urls) -> None:
    ana = await local_person(urls, "ana")
    pep = await local_person(urls, "pep")
    bob = await remote_actor("bob")
    await write(ana, "pública")
    await write(ana, "no listada", Visibility.UNLISTED)
    await write(ana, "seguidores", Visibility.FOLLOWERS)
    await write(pep, "directa @ana", Visibility.DIRECT)
    await notes.store_remote_note(bob, RemoteNote(uri="https://faro.example/n/1"))
    assert texts(await timelines.public_local()) == ["pública"]
    assert texts(await timelines.public_local(pep)) == ["pública"]


async def test_a_thread_shows_visible_ancestors_and_descendants_in_reading_order(
    urls: Urls,
) -> None:
    ana = await local_person(urls, "ana")
    pep = await local_person(urls, "pep")
    eva = await local_person(urls, "eva")
    root = await write(ana, "raíz")
    a = await write(pep, "a", in_reply_to=root)
    a1 = await write(ana, "a1", in_reply_to=a)
    await write(pep, "a1x", in_reply_to=a1)
    b = await write(eva, "b", in_reply_to=root)
    # (A reply also addresses the parent's author: reply to pep's own note to exclude eva.)
    hidden = await write(pep, "solo ana @ana", Visibility.DIRECT, in_reply_to=a)
    await write(ana, "bajo la oculta @pep", Visibility.DIRECT, in_reply_to=hidden)

    around_a1 = await timelines.thread(a1.id, eva)
    assert [n.content_source for n in around_a1.ancestors] == ["raíz", "a"]
    assert [n.content_source for n in around_a1.descendants] == ["a1x"]

    for_eva = await timelines.thread(root.id, eva)
    assert for_eva.ancestors == []
    assert [n.content_source for n in for_eva.descendants] == ["a", "a1", "a1x", "b"]
    for_ana = await timelines.thread(root.id, ana)
    assert [n.content_source for n in for_ana.descendants] == [
        "a", "a1", "a1x", "solo ana @ana", "bajo la oculta @pep", "b",
    ]  # fmt: skip
    anonymous = await timelines.thread(root.id, None)
    assert [n.content_source for n in anonymous.descendants] == ["a", "a1", "a1x", "b"]
    assert (await timelines.thread(b.id, eva)).descendants == []
    with pytest.raises(NotFound):
        await timelines.thread(hidden.id, eva)


async def test_direct_messages_stay_out_of_timelines_and_profiles_but_in_messages(
    urls: Urls,
) -> None:
    ana = await local_person(urls, "ana")
    pep = await local_person(urls, "pep")
    bob = await remote_actor("bob")
    publisher = RecordingPublisher()
    # Everyone follows everyone: only the visibility can keep a message off their homes.
    await follow_actor(publisher, ana, pep)
    await follow_actor(publisher, pep, ana)
    await follow_actor(publisher, ana, bob)
    await receive_follow_accepted(ana, bob)
    await write(ana, "pública de ana")
    await write(pep, "pública de pep")
    await messages.start_conversation(
        publisher, ana, to=[pep], content="¿Te queda miel?", language="es"
    )
    await write(pep, "Sí, dos tarros @ana", Visibility.DIRECT)
    received = await notes.store_remote_note(
        bob,
        RemoteNote(
            uri="https://faro.example/n/dm",
            content_html="<p>Hola ana, soy bob</p>",
            visibility=Visibility.DIRECT,
            addressed_local_actor_ids=[ana.id],
        ),
    )
    assert received is not None

    for viewer in (ana, pep):
        shown = texts(await timelines.home(viewer))
        assert shown == ["pública de pep", "pública de ana"], viewer.username
    assert all("bob" not in e.note.content_html for e in await timelines.home(ana))
    for author in (ana, pep):
        for viewer in (ana, pep, None):
            listed = await profiles.author_notes(author, viewer)
            assert [n.visibility for n in listed] == [Visibility.PUBLIC]
            assert (await profiles.profile(author, viewer)).notes == 1
    assert await profiles.author_notes(bob, ana) == []

    # They are all in Messages, for the sender and the receiver.
    for viewer, expected in ((ana, 2), (pep, 1)):
        conversations = await messages.list_conversations(viewer)
        assert len(conversations) == expected
    bob_line = [c for c in await messages.list_conversations(ana) if c.others == [bob]]
    assert bob_line[0].last_message is not None
    assert bob_line[0].last_message.id == received.id
