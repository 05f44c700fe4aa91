"""Editing and deleting one's own posts from the pages, as on Mastodon.

``/notes/{id}/edit`` shows the post's markdown, content warning and language in a form; saving
goes through the same service as the API (``notes.edit_note``), which federates ``Update``.
Each picture of the post has its alt text field (``alt-<n>``, n counting from 0) and a
"remove" checkbox (``remove-<n>``); removed pictures' files go once the edit is committed.
Free places (a post has at most four pictures) get the composer's file and alt text inputs
(``media``/``alt``), so pictures can be added to a published post, as on Mastodon.
``/notes/{id}/delete`` asks first on a page of its own (no JavaScript needed), then
``notes.delete_note`` federates ``Delete``. Someone else's post answers 403 and a post the
visitor may not see 404, whatever the method; nothing changes either way.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from node.appkeys import SETTINGS, URLS
from node.config import LANGUAGES
from node.errors import ValidationFailed
from node.models.actors import Actor
from node.models.social import Note
from node.services.social import note_media, notes, profiles
from node.services.social.note_media import MAX_NOTE_MEDIA
from node.services.text import MAX_NOTE_CHARS, MAX_SUMMARY_CHARS
from web.i18n import LANGUAGE_NAMES
from web.rendering import render, translator_for_request
from web.views.forms import read_form, see_other
from web.views.social.post_media import refused_status, uploads_in
from web.views.social.timelines import composer_errors, note_list_context, note_path
from web.views.viewer import publisher, resolver, signed_in

_FIELDS = ("content", "summary", "language")


def _picture_changes(note: Note, form: dict[str, str]) -> tuple[dict[int, str], set[int]]:
    """The alt texts written for the post's pictures (by position) and the ones to remove."""
    count = len(note.attachments or [])
    alts = {i: form[f"alt-{i}"] for i in range(count) if f"alt-{i}" in form}
    remove = {i for i in range(count) if form.get(f"remove-{i}")}
    return alts, remove


async def _edit_page(
    request: web.Request,
    viewer: Actor,
    note: Note,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> web.Response:
    context: dict[str, Any] = {
        "note": note,
        "draft": values,
        "edit_errors": errors or {},
        "composer_languages": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        "max_chars": MAX_NOTE_CHARS,
        "max_summary_chars": MAX_SUMMARY_CHARS,
        "free_places": max(0, MAX_NOTE_MEDIA - len(note.attachments or [])),
        **await note_list_context(request, viewer, [note]),
    }
    return await render(request, "social/edit_post.html", context, status=status)


async def edit_form(request: web.Request) -> web.Response:
    _, viewer = await signed_in(request)
    note = await notes.own_note(viewer, request.match_info["id"])
    values = {
        "content": note.content_source or "",
        "summary": note.summary or "",
        "language": note.language or "",
    }
    return await _edit_page(request, viewer, note, values)


async def save(request: web.Request) -> web.Response:
    _, viewer = await signed_in(request)
    note = await notes.own_note(viewer, request.match_info["id"])
    form = await read_form(request)
    uploads = uploads_in(await request.post())
    values = {name: form.get(name, "") for name in _FIELDS}
    alts, remove = _picture_changes(note, form)
    values.update({f"alt-{i}": alt for i, alt in alts.items()})
    values.update({f"remove-{i}": "1" for i in remove})
    try:
        kept = note_media.revise(note.attachments or [], alts, remove)
        await notes.edit_note(
            publisher(request),
            viewer,
            note.id,
            content=values["content"],
            language=values["language"] or None,
            summary=values["summary"],
            resolver=resolver(request),
            urls=request.app[URLS],
            attachments=kept,
            media=uploads,
            media_dir=request.app[SETTINGS].media_dir,
        )
    except ValidationFailed as exc:
        t = await translator_for_request(request)
        errors = composer_errors(exc, t)
        return await _edit_page(request, viewer, note, values, errors, refused_status(exc))
    return see_other(f"{note_path(note)}?notice=post_edited#note-{note.id}")


async def confirm_delete(request: web.Request) -> web.Response:
    _, viewer = await signed_in(request)
    note = await notes.own_note(viewer, request.match_info["id"])
    context = {"note": note, **await note_list_context(request, viewer, [note])}
    return await render(request, "social/delete_post.html", context)


async def delete(request: web.Request) -> web.Response:
    _, viewer = await signed_in(request)
    note = await notes.own_note(viewer, request.match_info["id"])
    parent = None
    if note.in_reply_to_id is not None:  # type: ignore[attr-defined]
        parent = await Note.get_or_none(id=note.in_reply_to_id).prefetch_related("author")  # type: ignore[attr-defined]
    media_dir = request.app[SETTINGS].media_dir
    await notes.delete_note(publisher(request), viewer, note.id, media_dir=media_dir)
    # Back to the conversation it was part of, or to the author's own posts.
    back = note_path(parent) if parent is not None else profiles.profile_path(viewer)
    return see_other(f"{back}?notice=post_deleted")


def setup(app: web.Application) -> None:
    router = app.router
    router.add_get(r"/notes/{id:\d{1,19}}/edit", edit_form)
    router.add_post(r"/notes/{id:\d{1,19}}/edit", save)
    router.add_get(r"/notes/{id:\d{1,19}}/delete", confirm_delete)
    router.add_post(r"/notes/{id:\d{1,19}}/delete", delete)
