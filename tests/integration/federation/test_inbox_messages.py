"""Direct notes received from other servers land in conversations: a Mastodon-style direct
reply (addressed to us, with a Mention) joins the conversation it answers; a new direct note
starts one; a group message with someone we never met still reaches our people."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from node.appkeys import PUBLISHER
from node.models.actors import Actor
from node.models.messages import Conversation, ConversationMessage
from node.models.notifications import Notification
from node.models.social import Note, Visibility
from node.services.social import messages
from node.urls import Urls
from tests.integration.federation.inbox_material import RemoteActor, app, bob, deliver, peer
from tests.support.fakes import local_person

__all__ = ["app", "bob", "peer"]  # fixtures

Client = TestClient  # type: ignore[type-arg]


@pytest.fixture
async def alice(client: Client, urls: Urls) -> Actor:
    return await local_person(urls, "alice")


def direct(sender: RemoteActor, to: list[str], text: str, **extra: object) -> dict[str, object]:
    """A Mastodon direct message: to the recipients only, a Mention for each."""
    return sender.note(
        f"<p>{text}</p>",
        to=to,
        cc=[],
        tag=[{"type": "Mention", "href": uri, "name": "@x"} for uri in to],
        **extra,
    )


async def test_a_mastodon_style_direct_reply_joins_the_conversation_it_answers(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    bob_actor = await Actor.get(uri=bob.uri)
    conversation = await messages.start_conversation(
        client.app[PUBLISHER], alice, to=[bob_actor], content="¿Tienes naranjas?", language="es"
    )
    ours = await Note.get(author=alice)
    reply = direct(bob, [alice.uri], "Sí, 3 kg", inReplyTo=ours.uri)
    await deliver(client, bob, bob.activity("Create", reply, to=[alice.uri]))
    stored = await Note.get(uri=reply["id"])
    assert stored.visibility is Visibility.DIRECT
    row = await ConversationMessage.get(note=stored)
    assert row.conversation_id == conversation.id  # type: ignore[attr-defined]
    assert await Conversation.all().count() == 1
    assert await messages.unread_total(alice) == 1
    assert await Notification.filter(kind="message", note_id=stored.id).exists()
    view = await messages.get_conversation(alice, conversation.id)
    assert [n.content_html for n in view.messages] == [
        "<p>¿Tienes naranjas?</p>",
        "<p>Sí, 3 kg</p>",
    ]
    assert await messages.unread_total(alice) == 0


async def test_a_first_direct_note_starts_a_conversation_and_a_replay_is_filed_once(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    note = direct(bob, [alice.uri], "Hola, ¿vendes pan?")
    await deliver(client, bob, bob.activity("Create", note, to=[alice.uri]))
    await deliver(client, bob, bob.activity("Create", note, to=[alice.uri]))  # a new activity id
    listed = await messages.list_conversations(alice)
    assert len(listed) == 1
    assert [a.uri for a in listed[0].others] == [bob.uri]
    assert listed[0].unread_count == 1
    assert await ConversationMessage.all().count() == 1


async def test_public_and_followers_notes_are_not_messages(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    public = bob.note("<p>@alice hola</p>", tag=[{"type": "Mention", "href": alice.uri}])
    await deliver(client, bob, bob.activity("Create", public))
    followers = bob.note(to=[bob.uri + "/followers"], cc=[alice.uri])
    await deliver(client, bob, bob.activity("Create", followers))
    assert await Note.filter(author__uri=bob.uri).count() == 2
    assert await Conversation.all().count() == 0


async def test_a_group_message_naming_someone_unknown_still_reaches_us(
    client: Client, alice: Actor, bob: RemoteActor, urls: Urls
) -> None:
    carol = await local_person(urls, "carol")
    stranger = "https://elsewhere.example/users/zoe"
    note = direct(bob, [alice.uri, carol.uri, stranger], "Reunión el lunes")
    await deliver(client, bob, bob.activity("Create", note, to=note["to"]))
    for person in (alice, carol):
        listed = await messages.list_conversations(person)
        assert len(listed) == 1 and listed[0].unread_count == 1
    conversation = await Conversation.get()
    # The answer goes to everyone we know in it, and lands in the same conversation.
    answer = await messages.reply(
        client.app[PUBLISHER], alice, conversation.id, content="Allí estaré", language="es"
    )
    assert {t["href"] for t in answer.tags if t["type"] == "Mention"} == {bob.uri, carol.uri}
    assert await ConversationMessage.filter(conversation_id=conversation.id).count() == 2
