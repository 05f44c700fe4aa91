"""Notifications: follows, replies, mentions, likes, boosts and messages, made where the events
happen (on this node and in received activities), an unread badge in the header, mark as read;
nobody sees another person's notifications."""

from __future__ import annotations

import re
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from node.appkeys import JOBS, SETTINGS
from node.jobs.worker import drain
from node.models.accounts import Account
from node.models.actors import Actor
from node.models.notifications import Notification, NotificationKind
from node.models.social import Follow, FollowState, Note, Visibility
from node.services import notifications
from node.services.accounts.accounts import person_actor
from node.services.social import follows, notes, reactions
from node.urls import Urls
from tests.integration.federation.inbox_material import RemoteActor, post_signed
from tests.integration.web.conftest import SpyPublisher
from tests.integration.web.webforms import active_account, sign_in, submit, text_of
from web.views.notifications import PAGE

pytestmark = pytest.mark.usefixtures("orm")


async def kinds(account: Account) -> list[str]:
    rows = await Notification.filter(account_id=account.id).order_by("id")
    return [row.kind.value for row in rows]


def badge(page: str) -> str | None:
    match = re.search(r'<span class="badge">([^<]+)<span class="visually-hidden"> unread', page)
    return match.group(1) if match else None


async def test_local_follows_replies_mentions_likes_and_boosts_notify_the_author(
    browser: TestClient,
    urls: Urls,
    publisher: SpyPublisher,  # type: ignore[type-arg]
) -> None:
    ana_account = await active_account(urls, "ana")
    ana = await person_actor(ana_account)
    bob = await person_actor(await active_account(urls, "bob", display_name="Bob"))
    post = await notes.create_note(publisher, ana, content="Abrimos el lunes", language="es",
                                   visibility=Visibility.PUBLIC)  # fmt: skip
    await follows.follow_actor(publisher, bob, ana)
    await reactions.like(publisher, bob, post.id)
    await reactions.announce(publisher, bob, post.id)
    await notes.create_note(publisher, bob, content="¡Genial!", language="es",
                            visibility=Visibility.PUBLIC, in_reply_to=str(post.id))  # fmt: skip
    await notes.create_note(publisher, bob, content="Comprad en la tienda de @ana", language="es",
                            visibility=Visibility.PUBLIC)  # fmt: skip
    assert await kinds(ana_account) == ["follow", "like", "boost", "reply", "mention"]
    # Undo and again: not told twice. One's own actions: never told.
    await reactions.unlike(publisher, bob, post.id)
    await reactions.like(publisher, bob, post.id)
    await reactions.like(publisher, ana, post.id)
    await notes.create_note(publisher, ana, content="Gracias @bob", language="es",
                            visibility=Visibility.PUBLIC, in_reply_to=str(post.id))  # fmt: skip
    assert await kinds(ana_account) == ["follow", "like", "boost", "reply", "mention"]
    assert await kinds(await Account.get(username="bob")) == ["mention"]

    await sign_in(browser, "ana")
    page = await (await browser.get("/")).text()
    assert badge(page) == "5"
    listing = await (await browser.get("/notifications")).text()
    text = text_of(listing)
    for line in ("Bob followed you", "Bob liked your post", "Bob shared your post",
                 "Bob answered your post", "Bob mentioned you"):  # fmt: skip
        assert line in text, line
    assert "Comprad en la tienda de @ana" in text
    assert listing.count("notification--unread") == 5

    response = await submit(browser, "/notifications", {}, action="/notifications/read")
    assert response.status == 303
    page = await (await browser.get("/notifications")).text()
    assert badge(page) is None and "notification--unread" not in page
    assert await notifications.unread_count(ana_account) == 0


async def test_a_follow_request_is_a_notification_of_its_own(
    browser: TestClient,
    urls: Urls,
    publisher: SpyPublisher,  # type: ignore[type-arg]
) -> None:
    shop_account = await active_account(urls, "tienda")
    shop = await person_actor(shop_account)
    shop.manually_approves_followers = True
    await shop.save()
    bob = await person_actor(await active_account(urls, "bob", display_name="Bob"))
    await follows.follow_actor(publisher, bob, shop)
    assert await kinds(shop_account) == ["follow_request"]
    await sign_in(browser, "tienda")
    page = await (await browser.get("/notifications")).text()
    assert "Bob asked to follow you" in text_of(page)
    accept = f"/notifications/follow-requests/{bob.id}/accept"
    assert f'action="{accept}"' in page
    forged = await browser.post(accept, allow_redirects=False)
    assert forged.status == 403
    response = await submit(browser, "/notifications", {}, action=accept)
    assert response.status == 303
    row = await Follow.get(follower_id=bob.id, target_id=shop.id)
    assert row.state is FollowState.ACCEPTED
    assert accept not in await (await browser.get("/notifications")).text()  # answered


async def test_a_follow_request_can_be_refused_and_only_by_the_one_asked(
    browser: TestClient,
    urls: Urls,
    publisher: SpyPublisher,  # type: ignore[type-arg]
) -> None:
    shop = await person_actor(await active_account(urls, "tienda"))
    shop.manually_approves_followers = True
    await shop.save()
    bob = await person_actor(await active_account(urls, "bob"))
    await active_account(urls, "carla")
    await follows.follow_actor(publisher, bob, shop)
    # carla cannot answer a request made to someone else: there is none to her.
    await sign_in(browser, "carla")
    response = await submit(browser, "/notifications", {},
                            action=f"/notifications/follow-requests/{bob.id}/accept")  # fmt: skip
    assert response.status == 404
    assert (await Follow.get(follower_id=bob.id, target_id=shop.id)).state is FollowState.PENDING
    browser.session.cookie_jar.clear()
    await sign_in(browser, "tienda")
    response = await submit(browser, "/notifications", {},
                            action=f"/notifications/follow-requests/{bob.id}/reject")  # fmt: skip
    assert response.status == 303
    assert not await Follow.exists(follower_id=bob.id, target_id=shop.id)


async def test_marking_as_read_needs_the_csrf_token_and_touches_only_ones_own(
    browser: TestClient,
    urls: Urls,
    publisher: SpyPublisher,  # type: ignore[type-arg]
) -> None:
    ana_account = await active_account(urls, "ana")
    bob_account = await active_account(urls, "bob")
    ana, bob = await person_actor(ana_account), await person_actor(bob_account)
    await follows.follow_actor(publisher, bob, ana)
    await follows.follow_actor(publisher, ana, bob)
    await sign_in(browser, "ana")
    forged = await browser.post("/notifications/read", allow_redirects=False)
    assert forged.status == 403
    assert await notifications.unread_count(ana_account) == 1
    await submit(browser, "/notifications", {}, action="/notifications/read")
    assert await notifications.unread_count(ana_account) == 0
    assert await notifications.unread_count(bob_account) == 1  # bob's stay unread
    # ana's list shows only hers: bob was followed by ana, ana does not see bob's notification.
    page = text_of(await (await browser.get("/notifications")).text())
    assert "followed you" in page and page.count("followed you") == 1
    browser.session.cookie_jar.clear()
    anonymous = await browser.get("/notifications", allow_redirects=False)
    assert anonymous.status == 303 and anonymous.headers["Location"].startswith("/sign-in")


async def test_a_notification_that_arrived_after_the_page_stays_unread(
    browser: TestClient,
    urls: Urls,
    publisher: SpyPublisher,  # type: ignore[type-arg]
) -> None:
    ana_account = await active_account(urls, "ana")
    ana = await person_actor(ana_account)
    bob = await person_actor(await active_account(urls, "bob"))
    carla = await person_actor(await active_account(urls, "carla"))
    await follows.follow_actor(publisher, bob, ana)
    await sign_in(browser, "ana")
    page = await (await browser.get("/notifications")).text()
    await follows.follow_actor(publisher, carla, ana)  # while ana reads the page
    up_to = re.search(r'name="up_to" value="(\d+)"', page)
    assert up_to is not None
    # The button pressed on the page as it was shown (a token from another page: opening
    # /notifications again would show carla's follow, and so mark it read).
    await submit(browser, "/", {"up_to": up_to.group(1)}, action="/notifications/read")
    assert await notifications.unread_count(ana_account) == 1


async def test_the_messages_helper_can_notify_a_message_and_blocks_silence_notifications(
    urls: Urls, publisher: SpyPublisher
) -> None:
    ana_account = await active_account(urls, "ana")
    ana = await person_actor(ana_account)
    bob = await person_actor(await active_account(urls, "bob"))
    row = await notifications.notify(ana_account, NotificationKind.MESSAGE, bob,
                                     "https://test.example/messages/1")  # fmt: skip
    assert row is not None and row.object_uri == "https://test.example/messages/1"
    assert await notifications.notify(ana, "message", bob) is not None  # by actor, by name
    assert await notifications.notify(ana, "message", ana) is None  # oneself
    from node.services.social.blocks import block

    await block(publisher, ana, bob)
    assert await notifications.notify(ana_account, NotificationKind.MESSAGE, bob) is None
    assert await kinds(ana_account) == ["message", "message"]


# --- received from other servers -----------------------------------------------------------


async def deliver(client: TestClient, sender: RemoteActor, activity: dict[str, Any]) -> None:  # type: ignore[type-arg]
    status, answer = await post_signed(client, sender, activity)
    assert status == 202, answer
    app: web.Application = client.app  # type: ignore[assignment]
    await drain(app[JOBS], app[SETTINGS], queues=["inbox"])


async def test_received_follows_likes_boosts_replies_and_mentions_notify_too(
    browser: TestClient,
    urls: Urls,
    publisher: SpyPublisher,  # type: ignore[type-arg]
) -> None:
    ana_account = await active_account(urls, "ana")
    ana = await person_actor(ana_account)
    post = await notes.create_note(publisher, ana, content="Pan de pueblo", language="es",
                                   visibility=Visibility.PUBLIC)  # fmt: skip
    joao = RemoteActor(uri="https://faro.example/users/joao", name="João")
    await joao.store()
    await deliver(browser, joao, joao.activity("Follow", ana.uri))
    await deliver(browser, joao, joao.activity("Like", post.uri))
    await deliver(browser, joao, joao.activity("Announce", post.uri))
    reply = joao.note("<p>Que bom!</p>", inReplyTo=post.uri)
    await deliver(browser, joao, joao.activity("Create", reply))
    mention = joao.note(f'<p><a href="{ana.uri}" class="mention">@ana</a> olá</p>',
                        tag=[{"type": "Mention", "href": ana.uri, "name": "@ana@test.example"}])  # fmt: skip
    await deliver(browser, joao, joao.activity("Create", mention))
    assert await kinds(ana_account) == ["follow", "like", "boost", "reply", "mention"]
    sender = await Actor.get(uri=joao.uri)
    assert {r.actor_id for r in await Notification.all()} == {sender.id}  # type: ignore[attr-defined]
    stored_reply = await Note.get(uri=reply["id"])
    assert await Notification.exists(kind=NotificationKind.REPLY, note_id=stored_reply.id)

    await sign_in(browser)
    assert badge(await (await browser.get("/")).text()) == "5"
    page = await (await browser.get("/notifications")).text()
    assert "João followed you" in text_of(page)
    assert f'href="/@joao@faro.example/{stored_reply.id}"' in page
    # A remote thread page works too.
    thread = text_of(await (await browser.get(f"/@joao@faro.example/{stored_reply.id}")).text())
    assert "Pan de pueblo" in thread and "Que bom!" in thread
    # When the remote account is deleted, what it caused goes with it.
    await deliver(browser, joao, joao.activity("Delete", joao.uri))
    assert await Notification.all().count() == 0


async def test_opening_the_notifications_page_marks_what_it_shows_read(
    browser: TestClient,
    urls: Urls,
    publisher: SpyPublisher,  # type: ignore[type-arg]
) -> None:
    ana_account = await active_account(urls, "ana")
    bob = await person_actor(await active_account(urls, "bob", display_name="Bob"))
    for n in range(PAGE + 2):  # one page and two more
        await notifications.notify(ana_account, NotificationKind.MESSAGE, bob,
                                   f"https://test.example/messages/{n}")  # fmt: skip
    await sign_in(browser, "ana")
    assert badge(await (await browser.get("/")).text()) == str(PAGE + 2)

    first = await (await browser.get("/notifications")).text()
    assert first.count("notification--unread") == PAGE  # shown as new this once
    # The badge clears for what was seen; the two on the older page wait to be seen.
    assert badge(await (await browser.get("/")).text()) == "2"
    again = await (await browser.get("/notifications")).text()
    assert "notification--unread" not in again
    assert "Mark all as read" in text_of(again)  # still two unread further down

    response = await submit(browser, "/", {}, action="/notifications/read")
    assert response.status == 303
    assert await notifications.unread_count(ana_account) == 0
    home = await (await browser.get("/")).text()
    assert badge(home) is None
    assert "Mark all as read" not in text_of(await (await browser.get("/notifications")).text())
