"""Timelines and posts: the home timeline (on ``/`` for a signed-in person), the local public
timeline, the composer (text, content warning, up to four pictures with alt text), a thread with
its replies, and like and boost buttons. Editing and deleting live in ``post_editing``.

Every button is a form (CSRF token, works without JavaScript) that comes back to the page it was
pressed on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiohttp import web

from node.appkeys import SETTINGS, URLS
from node.config import LANGUAGES
from node.errors import RutaError, ValidationFailed
from node.models.accounts import Account
from node.models.actors import Actor
from node.models.social import Note, Visibility
from node.services import text
from node.services.accounts.accounts import person_actor
from node.services.social import notes, profiles, reactions, timelines
from node.services.social.conversations import conversation_of
from node.services.social.note_media import MAX_NOTE_MEDIA
from node.services.text import MAX_NOTE_CHARS, MAX_SUMMARY_CHARS
from web.i18n import LANGUAGE_NAMES, N_, Translator
from web.rendering import NavItem, register_nav_item, render, translator_for_request
from web.sessions import current_account, safe_next
from web.views.forms import read_form, see_other
from web.views.social.post_media import media_error, read_post_form, refused_status
from web.views.viewer import cursor, optional_actor, publisher, resolver, signed_in

PAGE = timelines.DEFAULT_LIMIT

VISIBILITIES = [
    (Visibility.PUBLIC.value, N_("Public"), N_("Everyone, and the local timeline")),
    (Visibility.UNLISTED.value, N_("Unlisted"), N_("Everyone with the link, not in timelines")),
    (Visibility.FOLLOWERS.value, N_("Followers"), N_("Your followers and the people you mention")),
    (Visibility.DIRECT.value, N_("Direct"), N_("Only the people you mention")),
]
_ADVICE = {
    "content": N_("Write your post: at most 5000 characters."),
    "language": N_("Choose one of the offered languages."),
    "visibility": N_("Choose who can see the post."),
    "in_reply_to": N_("The post you answer no longer exists or is not visible to you."),
    "to": N_("A direct post needs at least one @mention of an account."),
    "summary": N_("A content warning can have at most 500 characters."),
}
_FORM_FIELDS = ("content", "language", "visibility", "summary", "media")


def note_path(note: Note) -> str:
    """The thread page of a note on this node (local and remote notes alike)."""
    return f"{profiles.profile_path(note.author)}/{note.id}"


def page_helpers(request: web.Request) -> dict[str, Any]:
    """Template functions every social page uses."""
    media_prefix = request.app[URLS].media("")

    def picture(url: str | None) -> str | None:
        # Our own uploads by path, so they load whichever address the page was opened at.
        if url and url.startswith(media_prefix):
            return "/media/" + url[len(media_prefix) :]
        return url if url and url.startswith("https://") else None

    return {
        "profile_path": profiles.profile_path,
        "note_path": note_path,
        "picture": picture,
        "excerpt": lambda markup: text.excerpt(markup, 140),
        "visibility_names": {v: label for v, label, _ in VISIBILITIES},
        "open_visibilities": {Visibility.PUBLIC, Visibility.UNLISTED},
    }


async def note_list_context(
    request: web.Request, viewer: Actor | None, notes_shown: Sequence[Note]
) -> dict[str, Any]:
    """What the note cards need: which notes the viewer liked and shared."""
    ids = {n.id for n in notes_shown}
    return {"reactions": await reactions.reactions_of(viewer, ids), "viewer": viewer,
            "own_actor_ids": await profiles.own_actor_ids(viewer),
            **page_helpers(request)}  # fmt: skip


def composer_context(
    account: Account,
    translator: Translator,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    reply_to: Note | None = None,
) -> dict[str, Any]:
    default_language = account.language or translator.language
    visibility = Visibility.PUBLIC.value
    if reply_to is not None and reply_to.visibility is not Visibility.PUBLIC:
        visibility = reply_to.visibility.value  # an answer stays as private as the post
    draft = {
        "content": "",
        "language": default_language,
        "visibility": visibility,
        "in_reply_to": str(reply_to.id) if reply_to else "",
        "summary": "",
    } | (values or {})
    return {
        "composer": draft,
        "composer_errors": errors or {},
        "composer_languages": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        "visibilities": VISIBILITIES,
        "max_chars": MAX_NOTE_CHARS,
        "max_summary_chars": MAX_SUMMARY_CHARS,
        "max_media": MAX_NOTE_MEDIA,
        "reply_to": reply_to,
    }


def composer_errors(exc: ValidationFailed, t: Translator) -> dict[str, str]:
    errors: dict[str, str] = {}
    for error in exc.errors or []:
        field = error.field if error.field in _FORM_FIELDS else "content"
        if field == "media":
            errors.setdefault(field, media_error(error.message, t))
            continue
        message = _ADVICE.get(error.field, N_("Check this field."))
        errors.setdefault(field, t.gettext(message))
    if not errors:
        errors["content"] = t.gettext(N_("Check what you entered and try again."))
    return errors


def _older(entries: Sequence[Any], limit: int) -> int | None:
    return entries[-1].id if len(entries) >= limit else None


async def home_page(request: web.Request, account: Account) -> web.Response:
    """``/`` for a signed-in person: greeting, composer and the home timeline."""
    viewer = await person_actor(account)
    entries = await timelines.home(viewer, max_id=cursor(request), limit=PAGE)
    t = await translator_for_request(request)
    context = {
        "entries": entries,
        "older": _older(entries, PAGE),
        **composer_context(account, t),
        **await note_list_context(request, viewer, [e.note for e in entries]),
    }
    return await render(request, "pages/home_member.html", context)


async def local_timeline(request: web.Request) -> web.Response:
    viewer = await optional_actor(request)
    entries = await timelines.public_local(viewer, max_id=cursor(request), limit=PAGE)
    context = {
        "entries": entries,
        "older": _older(entries, PAGE),
        **await note_list_context(request, viewer, [e.note for e in entries]),
    }
    return await render(request, "social/local.html", context)


async def _reply_target(viewer: Actor, reference: str) -> Note | None:
    if not reference:
        return None
    return await notes.get_visible_note(reference, viewer)


async def compose_form(request: web.Request) -> web.Response:
    account, viewer = await signed_in(request)
    reply_to = await _reply_target(viewer, request.query.get("reply_to", ""))
    t = await translator_for_request(request)
    context = composer_context(account, t, reply_to=reply_to) | page_helpers(request)
    return await render(request, "social/compose.html", context)


async def compose(request: web.Request) -> web.Response:
    account, viewer = await signed_in(request)
    values, media = await read_post_form(request)
    try:
        note = await notes.create_note(
            publisher(request),
            viewer,
            content=values["content"],
            language=values["language"],
            visibility=values["visibility"],  # type: ignore[arg-type]
            in_reply_to=values["in_reply_to"] or None,
            resolver=resolver(request),
            urls=request.app[URLS],
            summary=values["summary"],
            media=media,
            media_dir=request.app[SETTINGS].media_dir,
        )
    except ValidationFailed as exc:
        t = await translator_for_request(request)
        reply_to = None
        if values["in_reply_to"]:
            try:
                reply_to = await _reply_target(viewer, values["in_reply_to"])
            except RutaError:  # the form is shown again either way
                reply_to = None
        context = composer_context(
            account, t, values=values, errors=composer_errors(exc, t), reply_to=reply_to
        )
        return await render(
            request,
            "social/compose.html",
            context | page_helpers(request),
            status=refused_status(exc),
        )
    note.author = viewer
    if note.visibility is Visibility.DIRECT:
        # A direct post is a message: it is read in its conversation, not on the timeline.
        conversation = await conversation_of(note.id)
        if conversation is not None:
            return see_other(f"/messages/{conversation.id}#latest")
    if note.in_reply_to_id is not None:  # type: ignore[attr-defined]
        parent = await Note.get(id=note.in_reply_to_id).prefetch_related("author")  # type: ignore[attr-defined]
        return see_other(f"{note_path(parent)}#note-{note.id}")
    return see_other(f"/?notice=posted#note-{note.id}")


async def thread(request: web.Request) -> web.Response:
    viewer = await optional_actor(request)
    view = await timelines.thread(request.match_info["id"], viewer)
    expected = profiles.profile_path(view.note.author)
    if expected != "/@" + request.match_info["handle"]:
        return see_other(note_path(view.note))
    shown = [*view.ancestors, view.note, *view.descendants]
    context: dict[str, Any] = {"thread": view, **await note_list_context(request, viewer, shown)}
    account = await current_account(request)
    if account is not None:
        t = await translator_for_request(request)
        context |= composer_context(account, t, reply_to=view.note)
    return await render(request, "social/thread.html", context)


async def _react(request: web.Request, action: str) -> web.Response:
    _, viewer = await signed_in(request)
    form = await read_form(request)
    port = publisher(request)
    note_id = request.match_info["id"]
    if action == "like":
        await reactions.like(port, viewer, note_id)
    elif action == "unlike":
        await reactions.unlike(port, viewer, note_id)
    elif action == "boost":
        await reactions.announce(port, viewer, note_id)
    else:
        await reactions.unannounce(port, viewer, note_id)
    return see_other(f"{safe_next(form.get('next'))}#note-{note_id}")


async def like(request: web.Request) -> web.Response:
    return await _react(request, "like")


async def unlike(request: web.Request) -> web.Response:
    return await _react(request, "unlike")


async def boost(request: web.Request) -> web.Response:
    return await _react(request, "boost")


async def unboost(request: web.Request) -> web.Response:
    return await _react(request, "unboost")


def setup(app: web.Application) -> None:
    register_nav_item(app, NavItem("/local", N_("Local"), order=20))
    router = app.router
    router.add_get("/local", local_timeline)
    router.add_get("/compose", compose_form)
    router.add_post("/compose", compose)
    router.add_get(r"/@{handle:[^/]{1,600}}/{id:\d{1,19}}", thread)
    router.add_post(r"/notes/{id:\d{1,19}}/like", like)
    router.add_post(r"/notes/{id:\d{1,19}}/unlike", unlike)
    router.add_post(r"/notes/{id:\d{1,19}}/boost", boost)
    router.add_post(r"/notes/{id:\d{1,19}}/unboost", unboost)
