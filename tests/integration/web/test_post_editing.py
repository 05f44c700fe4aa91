"""Editing and deleting one's own posts from the pages (no JavaScript): the author sees Edit and
Delete on their posts, the edit form is filled with the markdown, content warning and language,
saving federates ``Update`` and deleting (after a confirmation page) federates ``Delete``.
Anyone else gets 403 (or 404 for a post they may not see) and nothing changes; forms without the
CSRF token are refused. "Report" is not offered on one's own profile or one's own shop."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from node.models.peers import OutgoingActivity
from node.models.social import Note, Tombstone, Visibility
from node.services.accounts.accounts import person_actor
from node.services.market import shops
from node.services.social import notes
from node.urls import Urls
from tests.integration.web.conftest import SpyPublisher
from tests.integration.web.webforms import active_account, csrf_in, sign_in, submit, text_of

pytestmark = pytest.mark.usefixtures("orm")

Client = TestClient  # type: ignore[type-arg]


async def sent(kind: str) -> list[dict[str, Any]]:
    """The activities of this kind the node published (what goes on the wire)."""
    rows = await OutgoingActivity.all().order_by("created_at", "id")
    return [r.body for r in rows if r.body["type"] == kind]


async def switch_to(browser: Client, username: str) -> None:
    browser.session.cookie_jar.clear()
    assert (await sign_in(browser, username)).status == 303


def card_of(page: str, note_id: int) -> str:
    return page[page.index(f'id="note-{note_id}"') :].split("</article>")[0]


async def test_the_author_edits_a_post_from_its_page_and_an_update_goes_out(
    browser: Client, urls: Urls, publisher: SpyPublisher
) -> None:
    ana = await person_actor(await active_account(urls, "ana"))
    note = await notes.create_note(
        publisher, ana, content="Pan de **centeno** a 3 €", language="es",
        visibility=Visibility.PUBLIC, summary="Precios",
    )  # fmt: skip
    await sign_in(browser, "ana")
    thread = f"/@ana/{note.id}"
    for path in (thread, "/", "/local", "/@ana"):
        card = card_of(await (await browser.get(path)).text(), note.id)
        assert f'href="/notes/{note.id}/edit"' in card, path
        assert f'href="/notes/{note.id}/delete"' in card, path

    form = await (await browser.get(f"/notes/{note.id}/edit")).text()
    assert "Pan de **centeno** a 3 €" in form  # the markdown, not the HTML
    assert 'name="summary"' in form and 'value="Precios"' in form
    assert '<option value="es" lang="es" selected>' in form

    saved = await submit(
        browser, f"/notes/{note.id}/edit",
        {"content": "Pan de **centeno** a 2,50 €", "summary": "", "language": "pt"},
    )  # fmt: skip
    assert saved.status == 303
    assert saved.headers["Location"] == f"{thread}?notice=post_edited#note-{note.id}"
    await note.refresh_from_db()
    assert note.content_source == "Pan de **centeno** a 2,50 €"
    assert note.language == "pt" and note.summary is None and not note.sensitive
    assert note.edited_at is not None
    page = await (await browser.get(f"{thread}?notice=post_edited")).text()
    assert "Your post is updated." in text_of(page)
    assert "<strong>centeno</strong> a 2,50 €" in page

    [update] = await sent("Update")
    document = update["object"]
    assert document["id"] == note.uri
    assert "2,50 €" in document["content"] and document["contentMap"].keys() == {"pt"}
    assert "summary" not in document and document["sensitive"] is False
    assert document["updated"]

    # A refused edit shows the form again with the text kept, and changes nothing.
    refused = await submit(browser, f"/notes/{note.id}/edit",
                           {"content": "   ", "summary": "", "language": "es"})  # fmt: skip
    assert refused.status == 422
    assert "Write your post" in text_of(await refused.text())
    refused = await submit(browser, f"/notes/{note.id}/edit",
                           {"content": "Otro texto", "summary": "x" * 501, "language": "es"})  # fmt: skip
    assert refused.status == 422
    body = await refused.text()
    assert 'aria-invalid="true"' in body and "at most 500 characters" in text_of(body)
    assert "Otro texto</textarea>" in body  # what was written is kept
    await note.refresh_from_db()
    assert note.content_source == "Pan de **centeno** a 2,50 €"


async def test_nobody_else_can_edit_or_delete_a_post(
    browser: Client, urls: Urls, publisher: SpyPublisher
) -> None:
    ana = await person_actor(await active_account(urls, "ana"))
    await active_account(urls, "bob")
    public = await notes.create_note(publisher, ana, content="Aceite nuevo", language="es",
                                     visibility=Visibility.PUBLIC)  # fmt: skip
    private = await notes.create_note(publisher, ana, content="Solo seguidores", language="es",
                                      visibility=Visibility.FOLLOWERS)  # fmt: skip
    publisher.clear()
    await sign_in(browser, "bob")
    card = card_of(await (await browser.get(f"/@ana/{public.id}")).text(), public.id)
    assert "/edit" not in card and "/delete" not in card
    assert f'href="/report?note={public.id}"' in card

    token = csrf_in(await (await browser.get("/")).text())
    for note, status in ((public, 403), (private, 404)):
        for path in (f"/notes/{note.id}/edit", f"/notes/{note.id}/delete"):
            page = await browser.get(path)
            assert page.status == status, path
            assert "Solo seguidores" not in await page.text()
        edited = await browser.post(
            f"/notes/{note.id}/edit",
            data={"csrf": token, "content": "hackeado", "language": "es", "summary": ""},
            allow_redirects=False,
        )
        assert edited.status == status
        deleted = await browser.post(f"/notes/{note.id}/delete", data={"csrf": token},
                                     allow_redirects=False)  # fmt: skip
        assert deleted.status == status
    forbidden = await browser.get(f"/notes/{public.id}/edit")
    assert "You cannot do this here." in text_of(await forbidden.text())  # a clear page
    assert await Note.filter(content_source="hackeado").count() == 0
    assert await Note.all().count() == 2
    assert publisher.names() == []

    # The author without the form's token is refused too.
    await switch_to(browser, "ana")
    for path in (f"/notes/{public.id}/edit", f"/notes/{public.id}/delete"):
        forged = await browser.post(path, data={"content": "x", "language": "es"},
                                    allow_redirects=False)  # fmt: skip
        assert forged.status == 403, path
    await public.refresh_from_db()
    assert public.content_source == "Aceite nuevo"


async def test_deleting_asks_first_then_federates_delete(
    browser: Client, urls: Urls, publisher: SpyPublisher
) -> None:
    ana = await person_actor(await active_account(urls, "ana"))
    question = await notes.create_note(publisher, ana, content="¿Quién vende miel?",
                                       language="es", visibility=Visibility.PUBLIC)  # fmt: skip
    answer = await notes.create_note(publisher, ana, content="Yo misma, en el mercado",
                                     language="es", visibility=Visibility.PUBLIC,
                                     in_reply_to=str(question.id))  # fmt: skip
    await sign_in(browser, "ana")
    confirm = await browser.get(f"/notes/{answer.id}/delete")
    assert confirm.status == 200
    page = await confirm.text()
    assert "Delete this post?" in text_of(page) and "Yo misma" in text_of(page)
    assert f'action="/notes/{answer.id}/delete"' in page
    assert await Note.filter(id=answer.id).exists()  # opening the page deletes nothing

    deleted = await submit(browser, f"/notes/{answer.id}/delete", {})
    assert deleted.status == 303
    assert deleted.headers["Location"] == f"/@ana/{question.id}?notice=post_deleted"
    assert not await Note.filter(id=answer.id).exists()
    assert await Tombstone.filter(uri=answer.uri).exists()
    await question.refresh_from_db()
    assert question.reply_count == 0
    [delete] = await sent("Delete")
    assert delete["object"]["id"] == answer.uri and delete["object"]["type"] == "Tombstone"
    page = text_of(await (await browser.get(f"/@ana/{question.id}?notice=post_deleted")).text())
    assert "Your post is deleted." in page and "Yo misma" not in page
    assert (await browser.get(f"/@ana/{answer.id}")).status == 404

    # A post that answers nothing leads back to the author's profile.
    deleted = await submit(browser, f"/notes/{question.id}/delete", {})
    assert deleted.headers["Location"] == "/@ana?notice=post_deleted"


async def test_no_report_link_on_ones_own_profile_or_shop(browser: Client, urls: Urls) -> None:
    ana_account = await active_account(urls, "ana")
    await active_account(urls, "bob")
    await shops.open_shop(urls, ana_account, "panaderia", shops.ShopDetails(display_name="Pan"))
    await sign_in(browser, "ana")
    for path in ("/@ana", "/@panaderia", "/mercado/shops/panaderia"):
        response = await browser.get(path)
        assert response.status == 200, path
        assert "/report?" not in await response.text(), path
    await switch_to(browser, "bob")
    shop_page = await (await browser.get("/@panaderia")).text()
    assert "/report?account=" in shop_page
