"""Direct messages on the pages and in the API: starting a conversation, answering, unread
counts, a conversation per participant set (and subject), and nobody else reading it."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from node.models.accounts import Account
from node.models.actors import Actor
from node.models.messages import Conversation, ConversationMessage, ConversationParticipant
from node.models.notifications import Notification
from node.models.social import Note, Visibility
from node.services.accounts.accounts import person_actor
from node.services.accounts.tokens import create_token
from node.services.social import messages
from node.urls import Urls
from tests.integration.web.conftest import SpyPublisher
from tests.integration.web.webforms import active_account, csrf_in, sign_in, submit, text_of
from tests.support.fakes import remote_actor

pytestmark = pytest.mark.usefixtures("orm")

Client = TestClient  # type: ignore[type-arg]


async def _people(urls: Urls) -> tuple[Actor, Actor]:
    ana = await person_actor(await active_account(urls, "ana", display_name="Ana García"))
    bea = await person_actor(await active_account(urls, "bea", display_name="Bea Lima"))
    return ana, bea


async def _conversation_id(page_location: str) -> int:
    return int(page_location.split("/messages/")[1].split("#")[0])


async def test_starting_a_conversation_sends_a_direct_note_and_the_recipient_sees_it_unread(
    browser: Client, urls: Urls, publisher: SpyPublisher
) -> None:
    ana, bea = await _people(urls)
    await sign_in(browser, "ana")
    response = await submit(
        browser,
        "/messages/new?to=@bea",
        {"to": "@bea", "content": "¿Tienes pan mañana?", "language": "es"},
    )
    assert response.status == 303
    conversation_id = await _conversation_id(response.headers["Location"])
    note = await Note.get(author=ana)
    assert note.visibility is Visibility.DIRECT
    assert {"type": "Mention", "name": "@bea@test.example", "href": bea.uri} in note.tags
    assert publisher.of("note_created") == [note]
    assert await ConversationMessage.filter(conversation_id=conversation_id, note=note).exists()
    # Bea has one unread message, a notification, and reads it on her conversation page.
    assert await messages.unread_total(bea) == 1
    assert await Notification.filter(kind="message", note_id=note.id).count() == 1
    await browser.post("/sign-out", data={"csrf": csrf_in(await (await browser.get("/")).text())})
    await sign_in(browser, "bea")
    home = await (await browser.get("/")).text()
    assert '<a href="/messages">Messages <span class="badge">1<' in home
    listing = text_of(await (await browser.get("/messages")).text())
    assert "You have 1 unread message." in listing
    assert "Ana García" in listing and "1 unread" in listing
    page = await browser.get(f"/messages/{conversation_id}")
    assert page.status == 200
    assert "¿Tienes pan mañana?" in text_of(await page.text())
    assert await messages.unread_total(bea) == 0
    after = await (await browser.get("/messages")).text()
    assert "You have" not in text_of(after) and "conversation-item--unread" not in after


async def test_a_reply_lands_in_the_same_conversation_and_writing_again_reuses_it(
    browser: Client, urls: Urls
) -> None:
    ana, bea = await _people(urls)
    await sign_in(browser, "bea")
    first = await messages.start_conversation(
        _publisher(browser), ana, to=["bea"], content="Hola Bea", language="es"
    )
    response = await submit(
        browser, f"/messages/{first.id}", {"content": "Hola Ana, sí", "language": "es"}
    )
    assert response.status == 303
    reply = await Note.get(author=bea)
    assert reply.visibility is Visibility.DIRECT
    first_note = await Note.get(author=ana)
    assert reply.in_reply_to_id == first_note.id  # type: ignore[attr-defined]
    assert await ConversationMessage.filter(conversation_id=first.id).count() == 2
    again = await messages.start_conversation(
        _publisher(browser), ana, to=["@bea@test.example"], content="Otra cosa", language="es"
    )
    assert again.id == first.id
    assert await Conversation.all().count() == 1
    assert await messages.unread_total(ana) == 1  # Bea's reply
    assert await messages.unread_total(bea) == 1  # "Otra cosa"


def _publisher(client: Client) -> Any:
    from node.appkeys import PUBLISHER

    return client.app[PUBLISHER]  # type: ignore[index]


async def test_a_conversation_about_a_listing_is_its_own_and_federates_in_reply_to_it(
    browser: Client, urls: Urls
) -> None:
    ana, _ = await _people(urls)
    listing = "https://test.example/listings/42"
    about = await messages.start_conversation(
        _publisher(browser), ana, to=["bea"], content="¿Sigue a la venta?", language="es",
        about_uri=listing,
    )  # fmt: skip
    general = await messages.start_conversation(
        _publisher(browser), ana, to=["bea"], content="Hola", language="es"
    )
    assert about.id != general.id and about.about_uri == listing
    note = await Note.get(content_source="¿Sigue a la venta?")
    assert note.in_reply_to_uri == listing
    await sign_in(browser, "bea")
    page = text_of(await (await browser.get(f"/messages/{about.id}")).text())
    assert "About: " + listing in page


async def test_group_conversations_are_one_per_participant_set(urls: Urls, browser: Client) -> None:
    ana, bea = await _people(urls)
    cris = await person_actor(await active_account(urls, "cris"))
    joao = await remote_actor("joao", "faro.example")
    publisher = _publisher(browser)
    three = await messages.start_conversation(
        publisher, ana, to=["bea", cris], content="Reunión", language="es"
    )
    two = await messages.start_conversation(
        publisher, ana, to=["bea"], content="Solo tú", language="es"
    )
    same = await messages.start_conversation(
        publisher, cris, to=["ana", "bea"], content="Vale", language="es"
    )
    with_remote = await messages.start_conversation(
        publisher, ana, to=[joao], content="Olá", language="pt"
    )
    assert len({three.id, two.id, with_remote.id}) == 3
    assert same.id == three.id
    people = await ConversationParticipant.filter(conversation_id=with_remote.id).values_list(
        "actor_id", flat=True
    )
    assert sorted(people) == sorted([ana.id, joao.id])
    listed = await messages.list_conversations(bea)
    assert {s.conversation.id for s in listed} == {three.id, two.id}


async def test_bad_input_is_refused_and_nothing_is_stored(browser: Client, urls: Urls) -> None:
    await _people(urls)
    await sign_in(browser, "ana")
    cases = [
        ({"to": "", "content": "hola", "language": "es"}, "Write the address of at least one"),
        ({"to": "@bea", "content": "   ", "language": "es"}, "Write a message of at most 5000"),
        ({"to": "@nadie", "content": "hola", "language": "es"}, "We could not find this person"),
        ({"to": "@bea", "content": "x" * 5001, "language": "es"}, "at most 5000"),
        ({"to": "@bea", "content": "hola", "language": "xx"}, "Choose one of the offered"),
        ({"to": "@bea", "content": "hola", "language": "es", "about": "javascript:alert(1)"},
         "The subject must be a web address"),
    ]  # fmt: skip
    for data, expected in cases:
        response = await submit(browser, "/messages/new", data)
        assert response.status == 422, data
        assert expected in text_of(await response.text()), data
    assert await Note.all().count() == 0
    assert await Conversation.all().count() == 0


async def test_a_form_post_without_csrf_is_refused(browser: Client, urls: Urls) -> None:
    ana, _ = await _people(urls)
    await sign_in(browser, "ana")
    response = await browser.post(
        "/messages/new",
        data={"to": "@bea", "content": "hola", "language": "es"},
        allow_redirects=False,
    )
    assert response.status == 403
    conversation = await messages.start_conversation(
        _publisher(browser), ana, to=["bea"], content="uno", language="es"
    )
    response = await browser.post(
        f"/messages/{conversation.id}", data={"content": "dos", "language": "es"},
        allow_redirects=False,
    )  # fmt: skip
    assert response.status == 403
    assert await Note.all().count() == 1


async def test_someone_else_cannot_read_or_answer_a_conversation(
    browser: Client, urls: Urls
) -> None:
    ana, _ = await _people(urls)
    await active_account(urls, "eve")
    conversation = await messages.start_conversation(
        _publisher(browser), ana, to=["bea"], content="secreto", language="es"
    )
    await sign_in(browser, "eve")
    page = await browser.get(f"/messages/{conversation.id}")
    assert page.status == 404
    assert "secreto" not in await page.text()
    response = await submit(browser, "/messages", {"content": "hola", "language": "es"},
                            action=f"/messages/{conversation.id}")  # fmt: skip
    assert response.status == 404
    assert "secreto" not in text_of(await (await browser.get("/messages")).text())
    assert await Note.all().count() == 1
    anonymous = await browser.get("/messages", allow_redirects=False)
    assert anonymous.status == 200  # still eve; now sign out and try
    await browser.post("/sign-out", data={"csrf": csrf_in(await anonymous.text())})
    response = await browser.get(f"/messages/{conversation.id}", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"].startswith("/sign-in")


async def test_the_api_lists_starts_reads_answers_and_marks_read(
    client: Client, urls: Urls
) -> None:
    await _people(urls)
    _, ana_token = await create_token(await Account.get(username="ana"))
    _, bea_token = await create_token(await Account.get(username="bea"))
    _, eve_token = await create_token(await active_account(urls, "eve"))

    def auth(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    response = await client.post(
        "/api/v1/conversations",
        json={"to": ["bea"], "content": "Hola desde la app", "language": "es"},
        headers=auth(ana_token),
    )
    assert response.status == 201, await response.text()
    created = await response.json()
    assert [p["acct"] for p in created["participants"]] == ["bea@test.example"]
    assert created["messages"][0]["visibility"] == "direct"
    conversation_id = created["id"]

    listed = await (await client.get("/api/v1/conversations", headers=auth(bea_token))).json()
    assert listed["unread_total"] == 1
    assert listed["conversations"][0]["unread_count"] == 1
    detail = await client.get(f"/api/v1/conversations/{conversation_id}", headers=auth(bea_token))
    assert (await detail.json())["messages"][0]["content"] == "<p>Hola desde la app</p>"
    answer = await client.post(
        f"/api/v1/conversations/{conversation_id}/messages",
        json={"content": "Recibido", "language": "es"},
        headers=auth(bea_token),
    )
    assert answer.status == 201
    read = await client.post(
        f"/api/v1/conversations/{conversation_id}/read", headers=auth(bea_token)
    )
    assert read.status == 204
    listed = await (await client.get("/api/v1/conversations", headers=auth(bea_token))).json()
    assert listed["unread_total"] == 0
    listed = await (await client.get("/api/v1/conversations", headers=auth(ana_token))).json()
    assert listed["unread_total"] == 1

    for method, path in [
        ("GET", f"/api/v1/conversations/{conversation_id}"),
        ("POST", f"/api/v1/conversations/{conversation_id}/read"),
    ]:
        response = await client.request(method, path, headers=auth(eve_token))
        assert response.status == 404
    response = await client.post(
        f"/api/v1/conversations/{conversation_id}/messages",
        json={"content": "intrusa", "language": "es"},
        headers=auth(eve_token),
    )
    assert response.status == 404
    bad = await client.post(
        "/api/v1/conversations", json={"to": [], "content": "x", "language": "es"},
        headers=auth(ana_token),
    )  # fmt: skip
    assert bad.status == 422
    assert await Note.filter(content_source="intrusa").count() == 0
    document = await (await client.get("/api/openapi.json")).json()
    assert "/api/v1/conversations/{id}/messages" in document["paths"]
    assert document["paths"]["/api/v1/conversations"]["post"]["tags"] == ["messages"]


async def test_the_data_export_holds_the_messages_sent_and_received(
    browser: Client, urls: Urls
) -> None:
    ana, bea = await _people(urls)
    publisher = _publisher(browser)
    conversation = await messages.start_conversation(
        publisher, ana, to=["bea"], content="Pregunta", language="es"
    )
    await messages.reply(publisher, bea, conversation.id, content="Respuesta", language="es")
    await sign_in(browser, "ana")
    page = await browser.get("/settings")
    response = await browser.post("/settings/export", data={"csrf": csrf_in(await page.text())})
    assert response.status == 200
    archive = zipfile.ZipFile(io.BytesIO(await response.read()))
    rows = json.loads(archive.read("messages.json"))
    assert [(r["from"], r["sent"], r["content_html"]) for r in rows] == [
        ("ana@test.example", True, "<p>Pregunta</p>"),
        ("bea@test.example", False, "<p>Respuesta</p>"),
    ]
    assert rows[0]["with"] == ["bea@test.example"]
    assert "Respuesta" in archive.read("messages.csv").decode("utf-8-sig")


@pytest.mark.parametrize("language", ["es", "pt", "fr", "ar"])
async def test_the_message_pages_speak_the_visitors_language(
    browser: Client, urls: Urls, language: str
) -> None:
    await _people(urls)
    await sign_in(browser, "ana")
    headers = {"Accept-Language": language}
    page = await (await browser.get("/messages/new", headers=headers)).text()
    expected = {"es": "Nuevo mensaje", "pt": "Nova mensagem", "fr": "Nouveau message",
                "ar": "رسالة جديدة"}[language]  # fmt: skip
    assert expected in page
    assert f'<html lang="{language}" dir="{"rtl" if language == "ar" else "ltr"}">' in page
    assert '<label for="f-content">' in page and '<label for="f-to">' in page
