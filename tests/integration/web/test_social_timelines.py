"""The home and local timelines, the composer, threads, and like and boost buttons as forms
that work without JavaScript."""

from __future__ import annotations

import re

import pytest
from aiohttp.test_utils import TestClient

from node.models.social import Announce, Like, Note, Visibility
from node.services.accounts.accounts import person_actor
from node.services.social import notes
from node.urls import Urls
from tests.integration.web.conftest import SpyPublisher
from tests.integration.web.webforms import active_account, csrf_in, sign_in, submit, text_of

pytestmark = pytest.mark.usefixtures("orm")


async def switch_to(browser: TestClient, username: str) -> None:  # type: ignore[type-arg]
    browser.session.cookie_jar.clear()
    response = await sign_in(browser, username)
    assert response.status == 303


async def post(browser: TestClient, content: str, **fields: str) -> Note:  # type: ignore[type-arg]
    data = {"content": content, "language": "es", "visibility": "public", **fields}
    response = await submit(browser, "/", data, action="/compose")
    assert response.status == 303, await response.text()
    note_id = int(response.headers["Location"].rsplit("#note-", 1)[1])
    return await Note.get(id=note_id).prefetch_related("author")


async def test_a_post_from_the_composer_shows_on_home_and_the_local_timeline(
    browser: TestClient,
    urls: Urls,
    publisher: SpyPublisher,  # type: ignore[type-arg]
) -> None:
    await active_account(urls, display_name="Ana García")
    await sign_in(browser)
    home = await (await browser.get("/")).text()
    assert 'name="visibility"' in home and 'for="f-content"' in home
    assert "Hello, Ana García" in text_of(home)

    note = await post(browser, "Pan de pueblo recién hecho **hoy**", language="es")
    assert note.local and note.language == "es" and note.visibility is Visibility.PUBLIC
    assert publisher.names().count("note_created") == 1

    page = await browser.get("/?notice=posted")
    html = await page.text()
    assert "Your post is published." in text_of(html)
    assert f'id="note-{note.id}"' in html
    assert "<strong>hoy</strong>" in html
    assert 'lang="es"' in html

    browser.session.cookie_jar.clear()
    local = await (await browser.get("/local")).text()
    assert f'id="note-{note.id}"' in local
    assert "/notes/" not in local  # anonymous visitors get counts, no buttons


async def test_the_composer_refuses_an_empty_post_and_keeps_nothing(
    browser: TestClient,
    urls: Urls,  # type: ignore[type-arg]
) -> None:
    await active_account(urls)
    await sign_in(browser)
    response = await submit(browser, "/", {"content": "   ", "language": "es",
                                           "visibility": "public"}, action="/compose")  # fmt: skip
    assert response.status == 422
    assert "Write your post" in text_of(await response.text())
    response = await submit(browser, "/", {"content": "hola", "language": "xx",
                                           "visibility": "public"}, action="/compose")  # fmt: skip
    assert response.status == 422
    assert 'aria-invalid="true"' in await response.text()
    response = await submit(browser, "/", {"content": "solo yo", "language": "es",
                                           "visibility": "direct"}, action="/compose")  # fmt: skip
    assert response.status == 422
    assert "at least one @mention" in text_of(await response.text())
    assert await Note.all().count() == 0


async def test_posting_liking_and_sharing_without_a_csrf_token_is_refused(
    browser: TestClient,
    urls: Urls,  # type: ignore[type-arg]
) -> None:
    account = await active_account(urls)
    await sign_in(browser)
    forged = await browser.post("/compose", data={"content": "spam", "language": "es",
                                                  "visibility": "public"}, allow_redirects=False)  # fmt: skip
    assert forged.status == 403
    assert await Note.all().count() == 0
    note = await post(browser, "Mi tienda abre el lunes")
    for action in ("like", "boost"):
        forged = await browser.post(f"/notes/{note.id}/{action}", allow_redirects=False)
        assert forged.status == 403
    assert await Like.all().count() == 0 and await Announce.all().count() == 0
    assert (await person_actor(account)).id == note.author.id


async def test_home_shows_followed_people_and_their_boosts_and_likes_work_as_forms(
    browser: TestClient,
    urls: Urls,
    publisher: SpyPublisher,  # type: ignore[type-arg]
) -> None:
    for name in ("ana", "bob", "carla"):
        await active_account(urls, name)
    await sign_in(browser, "carla")
    carla_note = await post(browser, "Taller de costura el martes")
    await switch_to(browser, "ana")
    ana_note = await post(browser, "Vendo aceite de oliva")
    # bob follows ana; ana's note reaches bob's home, carla's does not.
    await switch_to(browser, "bob")
    await submit(browser, "/@ana", {}, action="/@ana/follow")
    home = await (await browser.get("/")).text()
    assert f'id="note-{ana_note.id}"' in home
    assert f'id="note-{carla_note.id}"' not in home

    like = await submit(browser, "/", {"next": "/"}, action=f"/notes/{ana_note.id}/like")
    assert like.status == 303 and like.headers["Location"] == f"/#note-{ana_note.id}"
    assert await Like.filter(note_id=ana_note.id).count() == 1
    home = await (await browser.get("/")).text()
    card = home[home.index(f'id="note-{ana_note.id}"') :]
    assert f'action="/notes/{ana_note.id}/unlike"' in card.split("</article>")[0]
    assert 'aria-pressed="true"' in card.split("</article>")[0]
    unlike = await submit(browser, "/", {"next": "/"}, action=f"/notes/{ana_note.id}/unlike")
    assert unlike.status == 303
    assert await Like.filter(note_id=ana_note.id).count() == 0

    # bob shares carla's note: it then shows on the home of bob's followers.
    await submit(browser, "/local", {"next": "/local"}, action=f"/notes/{carla_note.id}/boost")
    assert await Announce.filter(note_id=carla_note.id).count() == 1
    await switch_to(browser, "ana")
    await submit(browser, "/@bob", {}, action="/@bob/follow")
    home = text_of(await (await browser.get("/")).text())
    assert "bob shared" in home and "Taller de costura" in home
    assert publisher.names().count("announced") == 1


async def test_a_thread_shows_the_post_its_replies_and_a_reply_form(
    browser: TestClient,
    urls: Urls,  # type: ignore[type-arg]
) -> None:
    await active_account(urls, "ana")
    await active_account(urls, "bob")
    await sign_in(browser, "ana")
    question = await post(browser, "¿Dónde compro harina al por mayor?")
    await switch_to(browser, "bob")
    thread_path = f"/@ana/{question.id}"
    page = await (await browser.get(thread_path)).text()
    assert f'name="in_reply_to" value="{question.id}"' in page
    response = await submit(browser, thread_path, {"content": "En el mercado de abastos",
                                                   "language": "es", "visibility": "public",
                                                   "in_reply_to": str(question.id)},
                            action="/compose")  # fmt: skip
    assert response.status == 303
    reply = await Note.get(in_reply_to_id=question.id)
    assert response.headers["Location"] == f"{thread_path}#note-{reply.id}"
    page = text_of(await (await browser.get(thread_path)).text())
    assert "¿Dónde compro harina" in page and "En el mercado de abastos" in page
    # The reply's own page shows the question above it.
    page = text_of(await (await browser.get(f"/@bob/{reply.id}")).text())
    assert page.index("¿Dónde compro harina") < page.index("En el mercado de abastos")
    # A wrong handle in the address leads to the right one.
    wrong = await browser.get(f"/@bob/{question.id}", allow_redirects=False)
    assert wrong.status == 303 and wrong.headers["Location"] == thread_path


async def test_a_followers_only_post_is_unreachable_to_others(
    browser: TestClient,
    urls: Urls,
    publisher: SpyPublisher,  # type: ignore[type-arg]
) -> None:
    ana = await person_actor(await active_account(urls, "ana"))
    await active_account(urls, "bob")
    private = await notes.create_note(publisher, ana, content="Solo para seguidores",
                                      language="es", visibility=Visibility.FOLLOWERS)  # fmt: skip
    await sign_in(browser, "bob")
    for path in (f"/@ana/{private.id}", f"/compose?reply_to={private.id}"):
        response = await browser.get(path)
        assert response.status == 404, path
        assert "Solo para seguidores" not in await response.text()
    for page in ("/@ana", "/local", "/"):
        assert "Solo para seguidores" not in await (await browser.get(page)).text()
    liked = await submit(browser, "/", {}, action=f"/notes/{private.id}/like")
    assert liked.status == 404
    assert await Like.all().count() == 0
    # Replying to it by id is refused too, and nothing is stored.
    response = await submit(browser, "/", {"content": "hola", "language": "es",
                                           "visibility": "public",
                                           "in_reply_to": str(private.id)}, action="/compose")  # fmt: skip
    assert response.status == 422
    assert await Note.all().count() == 1


async def test_timelines_page_with_an_older_posts_link(
    browser: TestClient,
    urls: Urls,
    publisher: SpyPublisher,  # type: ignore[type-arg]
) -> None:
    ana = await person_actor(await active_account(urls, "ana"))
    created = [
        await notes.create_note(
            publisher, ana, content=f"Post número {i}", language="es", visibility=Visibility.PUBLIC
        )
        for i in range(23)
    ]
    first = await (await browser.get("/local")).text()
    assert "Post número 22" in first and "Post número 2<" not in first
    older = re.search(r'href="/local\?max_id=(\d+)"', first)
    assert older is not None
    second = text_of(await (await browser.get(f"/local?max_id={older.group(1)}")).text())
    assert "Post número 2 " in second and "Post número 0" in second
    assert "Post número 22" not in second
    assert len(created) == 23
    # A nonsense cursor is the first page, not an error.
    assert (await browser.get("/local?max_id=abc")).status == 200
    assert csrf_in(first)


async def test_a_direct_post_from_the_composer_opens_its_conversation_not_the_timeline(
    browser: TestClient,  # type: ignore[type-arg]
    urls: Urls,
) -> None:
    await active_account(urls, "ana")
    await active_account(urls, "bob")
    await sign_in(browser)
    data = {"content": "Solo para ti @bob", "language": "es", "visibility": "direct"}
    response = await submit(browser, "/", data, action="/compose")
    assert response.status == 303, await response.text()
    assert re.fullmatch(r"/messages/\d+#latest", response.headers["Location"])
    home = text_of(await (await browser.get("/")).text())
    assert "Solo para ti" not in home
    conversation = await browser.get(response.headers["Location"].split("#")[0])  # as ana
    assert "Solo para ti" in text_of(await conversation.text())
    await switch_to(browser, "bob")
    assert "Solo para ti" not in text_of(await (await browser.get("/")).text())
    conversation_path = response.headers["Location"].split("#")[0]
    assert f'href="{conversation_path}"' in await (await browser.get("/messages")).text()
