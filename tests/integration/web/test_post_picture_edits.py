"""Editing a post's pictures on its edit page (no JavaScript): each picture has its alt text field
and a "remove" checkbox, and free places take new pictures. Saving federates ``Update`` with the
new attachment list (``name`` = alt text) and deletes the removed picture's file; a refused edit
changes nothing and keeps no file."""

from __future__ import annotations

import io
import os
from typing import Any

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient
from PIL import Image

from node.config import Settings
from node.models.media import NoteMedia
from node.models.peers import OutgoingActivity
from node.models.social import Note, Visibility
from node.services.accounts.accounts import person_actor
from node.services.social import notes
from node.services.social.note_media import MediaUpload
from node.urls import Urls
from tests.integration.web.conftest import SpyPublisher
from tests.integration.web.webforms import active_account, csrf_in, sign_in, submit, text_of

pytestmark = pytest.mark.usefixtures("orm")

Client = TestClient  # type: ignore[type-arg]


def picture(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(out, "PNG")
    return out.getvalue()


def phone_sized_picture() -> bytes:
    """A PNG of about 3 MB: over the 1 MiB cap of other forms, as pictures from phones are."""
    out = io.BytesIO()
    Image.frombytes("RGB", (1000, 1000), os.urandom(3_000_000)).save(out, "PNG")
    assert len(out.getvalue()) > 2**21
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


async def submit_with_pictures(
    client: Client, note: Note, fields: dict[str, str], pictures: list[tuple[bytes, str, str]]
) -> Any:
    """The edit page's multipart form: text fields, then (file, name, alt text) per picture."""
    token = csrf_in(await (await client.get(f"/notes/{note.id}/edit")).text())
    form = FormData()
    form.add_field("csrf", token)
    for name, value in fields.items():
        form.add_field(name, value)
    for data, filename, alt in pictures:
        form.add_field("media", data, filename=filename, content_type="image/png")
        form.add_field("alt", alt)
    return await client.post(f"/notes/{note.id}/edit", data=form, allow_redirects=False)


async def test_pictures_are_added_to_a_published_post_from_its_edit_page(
    browser: Client, urls: Urls, settings: Settings, publisher: SpyPublisher
) -> None:
    note = await post_with_pictures(urls, settings, publisher)
    first, second = (item["file"] for item in note.attachments)
    await sign_in(browser, "ana")
    form = await (await browser.get(f"/notes/{note.id}/edit")).text()
    assert 'enctype="multipart/form-data"' in form
    assert "Add pictures (up to 2)" in text_of(form)  # four at most, two already there
    assert form.count('name="media" type="file"') == 2

    saved = await submit_with_pictures(
        browser, note,
        {"content": "Tortas de maíz", "summary": "", "language": "es", "remove-1": "1"},
        [(phone_sized_picture(), "verde.png", "Una torta con cilantro")],
    )  # fmt: skip
    assert saved.status == 303, await saved.text()
    await note.refresh_from_db()
    assert [a["description"] for a in note.attachments] == ["Tortas", "Una torta con cilantro"]
    added = note.attachments[1]["file"]
    assert added.endswith(".webp") and added in media_files(settings)
    assert first in media_files(settings) and second not in media_files(settings)
    # Every picture of the post has a media id an app can use later.
    rows = await NoteMedia.filter(note_id=note.id).order_by("file")
    assert sorted(r.file for r in rows) == sorted([first, added])
    assert {r.entry["id"] for r in rows} == {str(r.id) for r in rows}
    assert {a["id"] for a in note.attachments} == {str(r.id) for r in rows}

    [update] = await updates()
    assert [a["name"] for a in update["attachment"]] == ["Tortas", "Una torta con cilantro"]
    assert update["attachment"][1]["url"] == urls.media(added)
    page = await (await browser.get(f"/@ana/{note.id}")).text()
    assert 'alt="Una torta con cilantro"' in page


async def test_a_fifth_picture_or_a_file_that_is_not_one_is_refused_and_nothing_is_kept(
    browser: Client, urls: Urls, settings: Settings, publisher: SpyPublisher
) -> None:
    note = await post_with_pictures(urls, settings, publisher)
    before = list(note.attachments)
    files_before = media_files(settings)
    await sign_in(browser, "ana")
    fields = {"content": "Tortas de maíz y arepas", "summary": "", "language": "es"}
    three = [(picture((i * 40, 0, 0)), f"{i}.png", "") for i in range(3)]
    too_many = await submit_with_pictures(browser, note, fields, three)
    assert too_many.status == 422
    page = text_of(await too_many.text())
    assert "A post can have at most 4 pictures." in page
    assert "Choose the pictures again: your text is kept." in page
    assert "Tortas de maíz y arepas" in page

    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    not_a_picture = await submit_with_pictures(browser, note, fields, [(svg, "x.png", "")])
    assert not_a_picture.status == 422
    assert "This file is not a picture we can use" in text_of(await not_a_picture.text())

    await note.refresh_from_db()
    assert note.attachments == before and note.content_source == "Tortas de maíz"
    assert media_files(settings) == files_before
    assert await NoteMedia.filter(note_id=note.id).count() == 2
    assert await updates() == []


async def test_a_post_with_four_pictures_offers_no_more(
    browser: Client, urls: Urls, settings: Settings, publisher: SpyPublisher
) -> None:
    ana = await person_actor(await active_account(urls, "ana"))
    note = await notes.create_note(
        publisher, ana, content="Cuatro fotos", language="es", visibility=Visibility.PUBLIC,
        media=[MediaUpload(picture((i * 50, 90, 90)), f"Foto {i}") for i in range(4)],
        media_dir=settings.media_dir, urls=urls,
    )  # fmt: skip
    await sign_in(browser, "ana")
    form = await (await browser.get(f"/notes/{note.id}/edit")).text()
    assert 'name="media" type="file"' not in form
    assert "Add pictures" not in text_of(form)
    assert form.count('name="remove-') == 4
