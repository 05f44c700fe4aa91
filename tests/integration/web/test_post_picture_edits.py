"""Editing a post's pictures on its edit page (no JavaScript): each picture has its alt text field
and a "remove" checkbox. Saving federates ``Update`` with the new attachment list (``name`` = alt
text) and deletes the removed picture's file; a refused edit changes nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from PIL import Image

from node.config import Settings
from node.models.peers import OutgoingActivity
from node.models.social import Note, Visibility
from node.services import notes
from node.services.accounts import person_actor
from node.services.note_media import MediaUpload
from node.urls import Urls
from tests.integration.web.conftest import SpyPublisher
from tests.integration.web.webforms import active_account, sign_in, submit, text_of

pytestmark = pytest.mark.usefixtures("orm")

Client = TestClient  # type: ignore[type-arg]


def picture(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(out, "PNG")
    return out.getvalue()


def media_files(settings: Settings) -> set[str]:
    directory = settings.media_dir
    return {p.name for p in directory.iterdir()} if directory.exists() else set()


async def updates() -> list[dict[str, Any]]:
    rows = await OutgoingActivity.all().order_by("created_at", "id")
    return [r.body["object"] for r in rows if r.body["type"] == "Update"]


async def post_with_pictures(urls: Urls, settings: Settings, publisher: SpyPublisher) -> Note:
    ana = await person_actor(await active_account(urls, "ana"))
    return await notes.create_note(
        publisher, ana, content="Tortas de maíz", language="es", visibility=Visibility.PUBLIC,
        media=[MediaUpload(picture((200, 160, 40)), "Tortas"), MediaUpload(picture((10, 10, 10)), "")],
        media_dir=settings.media_dir, urls=urls,
    )  # fmt: skip


async def test_alt_text_is_changed_and_a_picture_removed_from_the_edit_page(
    browser: Client, urls: Urls, settings: Settings, publisher: SpyPublisher
) -> None:
    note = await post_with_pictures(urls, settings, publisher)
    kept, removed = (item["file"] for item in note.attachments)
    assert {kept, removed} <= media_files(settings)
    await sign_in(browser, "ana")

    form = await (await browser.get(f"/notes/{note.id}/edit")).text()
    assert 'name="alt-0"' in form and 'value="Tortas"' in form
    assert 'name="alt-1"' in form and 'name="remove-1"' in form and 'for="f-remove-1"' in form
    assert "Remove this picture" in text_of(form)

    saved = await submit(
        browser, f"/notes/{note.id}/edit",
        {"content": "Tortas de maíz", "summary": "", "language": "es",
         "alt-0": "Tres tortas de maíz sobre una hoja de plátano", "alt-1": "", "remove-1": "1"},
    )  # fmt: skip
    assert saved.status == 303, await saved.text()
    await note.refresh_from_db()
    assert [a["description"] for a in note.attachments] == [
        "Tres tortas de maíz sobre una hoja de plátano"
    ]
    assert kept in media_files(settings)
    assert removed not in media_files(settings)  # deleted once the edit committed
    assert (await browser.get(f"/media/{removed}")).status == 404

    [update] = await updates()
    assert update["id"] == note.uri
    [attachment] = update["attachment"]
    assert attachment["name"] == "Tres tortas de maíz sobre una hoja de plátano"
    assert attachment["url"] == urls.media(kept)
    page = await (await browser.get(f"/@ana/{note.id}")).text()
    assert 'alt="Tres tortas de maíz sobre una hoja de plátano"' in page


async def test_a_refused_picture_edit_changes_nothing_and_keeps_the_form(
    browser: Client, urls: Urls, settings: Settings, publisher: SpyPublisher
) -> None:
    note = await post_with_pictures(urls, settings, publisher)
    before = list(note.attachments)
    await sign_in(browser, "ana")
    refused = await submit(
        browser, f"/notes/{note.id}/edit",
        {"content": "Tortas de maíz", "summary": "", "language": "es",
         "alt-0": "x" * 1501, "remove-1": "1"},
    )  # fmt: skip
    assert refused.status == 422
    body = await refused.text()
    assert "Alt text can have at most 1500 characters." in text_of(body)
    assert 'id="f-remove-1" name="remove-1" value="1" checked' in body
    await note.refresh_from_db()
    assert note.attachments == before
    assert {a["file"] for a in before} <= media_files(settings)
    assert await updates() == []

    # Someone else cannot touch the pictures either.
    await active_account(urls, "bob")
    browser.session.cookie_jar.clear()
    await sign_in(browser, "bob")
    other = await submit(
        browser, f"/@ana/{note.id}",
        {"content": "x", "language": "es", "remove-0": "1"}, action=f"/notes/{note.id}/edit",
    )  # fmt: skip
    assert other.status == 403
    await note.refresh_from_db()
    assert note.attachments == before
