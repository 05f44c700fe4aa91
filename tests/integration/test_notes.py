"""Local notes at the service level: who sees what, writing, mentions, editing and deleting."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from node.errors import NotFound, PermissionDenied, ValidationFailed
from node.models.actors import Actor
from node.models.social import Follow, FollowState, Note, NoteAddressee, Tombstone, Visibility
from node.services.social import notes
from node.services.social.follows import follow_actor
from node.urls import Urls
from tests.support.fakes import FakeResolver, RecordingPublisher, local_person, remote_actor

pytestmark = pytest.mark.usefixtures("orm")


@dataclass
class People:
    author: Actor
    follower: Actor
    addressee: Actor
    stranger: Actor


@pytest.fixture
async def people(urls: Urls) -> People:
    author = await local_person(urls, "ana")
    follower = await local_person(urls, "fol")
    addressee = await local_person(urls, "adr")
    stranger = await local_person(urls, "str")
    await follow_actor(RecordingPublisher(), follower, author)
    return People(author, follower, addressee, stranger)


async def write(
    author: Actor, content: str = "hola", visibility: Visibility = Visibility.PUBLIC, **kw: object
) -> Note:
    return await notes.create_note(
        RecordingPublisher(),
        author,
        content=content,
        language="es",
        visibility=visibility,
        resolver=FakeResolver(),
        **kw,  # type: ignore[arg-type]
    )


VISIBILITY_MATRIX = {
    # visibility: who sees it among (author, follower, addressee, stranger, anonymous)
    Visibility.PUBLIC: (True, True, True, True, True),
    Visibility.UNLISTED: (True, True, True, True, True),
    Visibility.FOLLOWERS: (True, True, True, False, False),
    Visibility.DIRECT: (True, False, True, False, False),
}


async def test_visibility_matrix_for_every_visibility_and_kind_of_viewer(
    people: People,
) -> None:
    viewers: list[tuple[str, Actor | None]] = [
        ("author", people.author),
        ("follower", people.follower),
        ("addressee", people.addressee),
        ("stranger", people.stranger),
        ("anonymous", None),
    ]
    wrong = []
    for visibility, expected in VISIBILITY_MATRIX.items():
        note = await write(people.author, "para @adr", visibility)
        for (kind, viewer), allowed in zip(viewers, expected, strict=True):
            sees = await notes.can_see(note, viewer)
            listed = await Note.filter(notes.visible_to(viewer), id=note.id).exists()
            try:
                await notes.get_visible_note(str(note.id), viewer)
                fetched = True
            except NotFound:
                fetched = False
            if not (sees == listed == fetched == allowed):
                wrong.append((visibility.value, kind, sees, listed, fetched, allowed))
    assert wrong == []


async def test_a_pending_follower_does_not_see_followers_only_notes(urls: Urls) -> None:
    author = await local_person(urls, "ana", manually_approves=True)
    asker = await local_person(urls, "pep")
    follow = await follow_actor(RecordingPublisher(), asker, author)
    assert follow.state is FollowState.PENDING
    note = await write(author, "solo seguidores", Visibility.FOLLOWERS)
    assert not await notes.can_see(note, asker)


async def test_someone_the_author_blocks_does_not_see_even_public_notes(people: People) -> None:
    from node.services.social.blocks import block

    note = await write(people.author)
    await block(RecordingPublisher(), people.author, people.stranger)
    assert not await notes.can_see(note, people.stranger)
    with pytest.raises(NotFound):
        await notes.get_visible_note(note.id, people.stranger)


async def test_create_note_renders_markdown_stores_it_and_publishes_inside_the_transaction(
    people: People, urls: Urls
) -> None:
    publisher = RecordingPublisher()
    note = await notes.create_note(
        publisher,
        people.author,
        content="**Pan** recién hecho #Pan <script>alert(1)</script>",
        language="es",
        visibility=Visibility.PUBLIC,
        urls=urls,
    )
    stored = await Note.get(id=note.id)
    assert stored.uri == urls.note(note.id)
    assert stored.url == urls.note_page("ana", note.id)
    assert stored.local
    assert stored.content_source.startswith("**Pan**")
    assert "<strong>Pan</strong>" in stored.content_html
    assert "<script" not in stored.content_html
    assert stored.language == "es"
    assert {"type": "Hashtag", "name": "#pan", "href": urls.tag("pan")} in stored.tags
    assert [(c.name, c.in_transaction) for c in publisher.calls] == [("note_created", True)]


async def test_mentions_resolve_before_the_transaction_and_become_addressees(
    people: People, urls: Urls
) -> None:
    remote = await remote_actor("bob", "faro.example")
    resolver = FakeResolver()
    note = await notes.create_note(
        RecordingPublisher(),
        people.author,
        content="hola @adr y @bob@faro.example y @nadie@faro.example",
        language="es",
        visibility=Visibility.DIRECT,
        resolver=resolver,
    )
    assert resolver.calls == [
        ("@adr@test.example", False),
        ("@bob@faro.example", False),
        ("@nadie@faro.example", False),
    ]
    rows = await NoteAddressee.filter(note_id=note.id).order_by("id")
    assert {(r.actor_id, r.mentioned) for r in rows} == {  # type: ignore[attr-defined]
        (people.addressee.id, True),
        (remote.id, True),
    }
    assert 'href="https://faro.example/@bob" class="u-url mention"' in note.content_html
    assert "@nadie@faro.example" in note.content_html
    mentions = [t for t in note.tags if t["type"] == "Mention"]
    assert {m["href"] for m in mentions} == {people.addressee.uri, remote.uri}
    assert await notes.can_see(note, people.addressee)


async def test_to_adds_addressees_and_unknown_references_are_field_errors(
    people: People,
) -> None:
    note = await write(
        people.author,
        "sin menciones",
        Visibility.DIRECT,
        to=[people.addressee, "@fol@test.example"],
    )
    assert await notes.can_see(note, people.addressee)
    assert await notes.can_see(note, people.follower)
    assert not await notes.can_see(note, people.stranger)
    before = await Note.all().count()
    with pytest.raises(ValidationFailed) as error:
        await write(people.author, "x", Visibility.DIRECT, to=["@nadie@test.example"])
    assert error.value.errors[0].field == "to"
    assert await Note.all().count() == before


async def test_a_direct_note_needs_an_addressee(people: People) -> None:
    with pytest.raises(ValidationFailed) as error:
        await write(people.author, "a nadie", Visibility.DIRECT)
    assert error.value.errors[0].field == "to"
    assert await Note.all().count() == 0


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("content", {"content": ""}),
        ("content", {"content": "x" * 5001}),
        ("language", {"language": "de"}),
        ("visibility", {"visibility": "secret"}),
        ("in_reply_to", {"in_reply_to": "123456"}),
        ("in_reply_to", {"in_reply_to": "https://nowhere.example/notes/1"}),
    ],
)
async def test_bad_input_is_a_field_error_and_stores_nothing(
    people: People, field: str, kwargs: dict[str, object]
) -> None:
    values: dict[str, object] = {"content": "hola", "language": "es", "visibility": "public"}
    values.update(kwargs)
    publisher = RecordingPublisher()
    with pytest.raises(ValidationFailed) as error:
        await notes.create_note(publisher, people.author, **values)  # type: ignore[arg-type]
    assert error.value.errors[0].field == field
    assert await Note.all().count() == 0
    assert publisher.calls == []


async def test_a_reply_links_its_parent_counts_and_addresses_the_parents_author(
    people: People,
) -> None:
    parent = await write(people.follower, "pregunta", Visibility.FOLLOWERS)
    # The author of the reply does not follow the parent's author: it may not see the parent.
    with pytest.raises(ValidationFailed):
        await write(people.author, "respuesta", in_reply_to=str(parent.id))
    await follow_actor(RecordingPublisher(), people.author, people.follower)
    reply = await write(people.author, "respuesta", Visibility.DIRECT, in_reply_to=parent.uri)
    assert reply.in_reply_to_id == parent.id  # type: ignore[attr-defined]
    assert reply.in_reply_to_uri == parent.uri
    assert (await Note.get(id=parent.id)).reply_count == 1
    assert await notes.can_see(reply, people.follower)


async def test_only_the_author_edits_and_editing_publishes_an_update(people: People) -> None:
    note = await write(people.author, "primera versión")
    publisher = RecordingPublisher()
    with pytest.raises(PermissionDenied):
        await notes.edit_note(publisher, people.stranger, note.id, content="mío")
    hidden = await write(people.author, "privado @adr", Visibility.DIRECT)
    with pytest.raises(NotFound):  # may not even know it exists
        await notes.edit_note(publisher, people.stranger, hidden.id, content="mío")
    assert publisher.calls == []
    edited = await notes.edit_note(
        publisher, people.author, note.id, content="segunda versión @adr", language="pt",
        resolver=FakeResolver(),
    )  # fmt: skip
    stored = await Note.get(id=note.id)
    assert stored.content_source == "segunda versión @adr"
    assert "segunda" in stored.content_html
    assert stored.language == "pt"
    assert stored.edited_at is not None
    assert edited.edited_at == stored.edited_at
    assert [(c.name, c.in_transaction) for c in publisher.calls] == [("note_updated", True)]
    assert await NoteAddressee.filter(note_id=note.id, actor_id=people.addressee.id).exists()


async def test_only_the_author_deletes_and_the_id_is_tombstoned(people: People) -> None:
    parent = await write(people.follower, "padre")
    note = await write(people.author, "adiós", in_reply_to=str(parent.id))
    assert (await Note.get(id=parent.id)).reply_count == 1
    publisher = RecordingPublisher()
    with pytest.raises(PermissionDenied):
        await notes.delete_note(publisher, people.stranger, note.id)
    assert await Note.filter(id=note.id).exists()
    await notes.delete_note(publisher, people.author, note.id)
    assert not await Note.filter(id=note.id).exists()
    assert await Tombstone.filter(uri=note.uri).exists()
    assert (await Note.get(id=parent.id)).reply_count == 0
    assert [(c.name, c.in_transaction) for c in publisher.calls] == [("note_deleted", True)]
    # The publisher saw the note while it still existed, with its uri.
    assert publisher.calls[0].obj.uri == note.uri
    with pytest.raises(NotFound):
        await notes.delete_note(publisher, people.author, note.id)


async def test_unknown_or_malformed_ids_are_not_found(people: People) -> None:
    for bad in ("0", "99999999999", "abc", "-1", "1e5", "٣", "9" * 19, "9" * 40, 2**64):
        with pytest.raises(NotFound):
            await notes.get_visible_note(bad, people.author)


async def test_mentioning_someone_the_author_blocks_does_not_address_them(
    people: People,
) -> None:
    from node.services.social.blocks import block

    await block(RecordingPublisher(), people.stranger, people.author)
    note = await write(people.author, "hola @str y @adr", Visibility.DIRECT)
    assert not await notes.can_see(note, people.stranger)
    assert await notes.can_see(note, people.addressee)
    assert not await Follow.filter(follower_id=people.stranger.id).exists()
