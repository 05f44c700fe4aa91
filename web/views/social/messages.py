"""Direct messages: the conversation list, one conversation with its reply form, and starting a
conversation with a local person or ``@user@host`` anywhere in the fediverse."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from node.appkeys import PUBLISHER, RESOLVER, URLS
from node.errors import ValidationFailed
from node.models.accounts import Account
from node.models.actors import Actor
from node.ports import ActorResolver, Publisher
from node.services.accounts.accounts import person_actor
from node.services.market import listings
from node.services.social import messages
from node.services.text import MAX_NOTE_CHARS
from web.i18n import N_, Translator
from web.rendering import NavItem, register_nav_item, render, translator_for_request
from web.sessions import require_account
from web.views.forms import read_form, see_other

_ADVICE = {
    "to": N_("Write the address of at least one person, such as @ana or @ana@city.example."),
    "content": N_("Write a message of at most 5000 characters."),
    "language": N_("Choose one of the offered languages."),
    "about": N_("The subject must be a web address (https://…)."),
}
_COULD_NOT_REACH = N_(
    "We could not find this person. Check the address, such as @ana@city.example."
)
_BLOCKED = N_("You cannot write to this person.")


def form_errors(exc: ValidationFailed, t: Translator) -> dict[str, str]:
    """Translated messages for the message forms, one per field."""
    errors: dict[str, str] = {}
    for error in exc.errors or []:
        if error.field in errors:
            continue
        if error.field == "to" and "cannot address" in error.message:
            message = _BLOCKED
        elif error.field == "to" and ":" in error.message:
            message = _COULD_NOT_REACH
        else:
            message = _ADVICE.get(error.field, N_("Check this field."))
        errors[error.field if error.field in _ADVICE else "content"] = t.gettext(message)
    if not errors:
        errors["content"] = t.gettext(N_("Check what you entered and try again."))
    return errors


async def _viewer(request: web.Request) -> tuple[Account, Actor]:
    account = await require_account(request)
    return account, await person_actor(account)


def _ports(request: web.Request) -> tuple[Publisher, ActorResolver | None]:
    return request.app[PUBLISHER], request.app.get(RESOLVER)


async def _language(request: web.Request, form: dict[str, str]) -> str:
    """The message's language: chosen in the form, or else the language of the page."""
    return form.get("language") or (await translator_for_request(request)).language


async def conversation_list(request: web.Request) -> web.Response:
    _, actor = await _viewer(request)
    summaries = await messages.list_conversations(actor)
    total = sum(s.unread_count for s in summaries)
    about = await listings.subjects(s.conversation.about_uri or "" for s in summaries)
    context = {"conversations": summaries, "unread_total": total, "subjects": about}
    return await render(request, "messages/list.html", context)


async def new_form(request: web.Request) -> web.Response:
    await _viewer(request)
    values = {
        "to": request.query.get("to", "")[:500],
        "about": request.query.get("about", "")[:2048],
        "content": "",
        "language": "",
    }
    return await render(request, "messages/new.html", await _new_context(values, {}))


async def _new_context(values: dict[str, str], errors: dict[str, str]) -> dict[str, Any]:
    about = await listings.subjects([values["about"]])
    return {"values": values, "errors": errors, "max_chars": MAX_NOTE_CHARS, "subjects": about}


async def start(request: web.Request) -> web.Response:
    _, actor = await _viewer(request)
    form = await read_form(request)
    publisher, resolver = _ports(request)
    values = {key: form.get(key, "") for key in ("to", "about", "content", "language")}
    try:
        recipients = messages.parse_recipients(values["to"])
        conversation = await messages.start_conversation(
            publisher,
            actor,
            to=recipients,
            content=values["content"],
            language=await _language(request, form),
            about_uri=values["about"],
            resolver=resolver,
            urls=request.app[URLS],
        )
    except ValidationFailed as exc:
        t = await translator_for_request(request)
        context = await _new_context(values, form_errors(exc, t))
        return await render(request, "messages/new.html", context, status=422)
    return see_other(f"/messages/{conversation.id}#latest")


async def _show(
    request: web.Request, actor: Actor, errors: dict[str, str], draft: str, status: int = 200
) -> web.Response:
    view = await messages.get_conversation(actor, request.match_info["id"])
    context = {
        "view": view,
        "subjects": await listings.subjects([view.conversation.about_uri or ""]),
        "me": actor,
        "errors": errors,
        "draft": draft,
        "max_chars": MAX_NOTE_CHARS,
    }
    return await render(request, "messages/conversation.html", context, status=status)


async def conversation(request: web.Request) -> web.Response:
    _, actor = await _viewer(request)
    return await _show(request, actor, {}, "")


async def send_reply(request: web.Request) -> web.Response:
    _, actor = await _viewer(request)
    form = await read_form(request)
    publisher, resolver = _ports(request)
    conversation_id = request.match_info["id"]
    try:
        await messages.reply(
            publisher,
            actor,
            conversation_id,
            content=form.get("content", ""),
            language=await _language(request, form),
            resolver=resolver,
            urls=request.app[URLS],
        )
    except ValidationFailed as exc:
        t = await translator_for_request(request)
        errors = form_errors(exc, t)
        return await _show(request, actor, errors, form.get("content", ""), status=422)
    return see_other(f"/messages/{conversation_id}#latest")


async def unread_messages(account: Account) -> int:
    """The header badge: unread messages over all conversations."""
    return await messages.unread_total(await person_actor(account))


def setup(app: web.Application) -> None:
    register_nav_item(
        app,
        NavItem("/messages", N_("Messages"), signed_in=True, order=40, badge=unread_messages),
    )
    router = app.router
    router.add_get("/messages", conversation_list)
    router.add_get("/messages/new", new_form)
    router.add_post("/messages/new", start)
    router.add_get(r"/messages/{id:\d{1,19}}", conversation)
    router.add_post(r"/messages/{id:\d{1,19}}", send_reply)
