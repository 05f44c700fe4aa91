"""The signed-in person's own settings: language, password, data export, account deletion."""

from __future__ import annotations

from aiohttp import web

from node import clock
from node.appkeys import MARKET_PUBLISHER, ORDER_PUBLISHER, PUBLISHER, SETTINGS, URLS
from node.errors import ValidationFailed
from node.services.accounts import account_lifecycle, password_changes
from node.services.accounts.account_deletion import DeletionPorts, delete_account
from node.services.accounts.export import export_account
from node.services.accounts.sessions import InvalidCredentials
from web.rendering import render, render_text, translator_for_request
from web.sessions import end_session, remember_language, require_account, start_session
from web.views.forms import PASSWORD_WRONG, field_errors, read_form, see_other


async def index(request: web.Request) -> web.Response:
    await require_account(request)
    return await render(request, "settings/index.html", {"errors": {}})


async def save_language(request: web.Request) -> web.Response:
    account = await require_account(request)
    form = await read_form(request)
    try:
        await account_lifecycle.set_language(account, form.get("language", ""))
    except ValidationFailed as exc:
        t = await translator_for_request(request)
        context = {"errors": field_errors(exc, t)}
        return await render(request, "settings/index.html", context, status=422)
    response = see_other("/settings?notice=language_saved")
    remember_language(request, response, account.language or "")
    return response


async def password_form(request: web.Request) -> web.Response:
    await require_account(request)
    return await render(request, "settings/password.html", {"errors": {}})


async def change_password(request: web.Request) -> web.Response:
    account = await require_account(request)
    form = await read_form(request)
    try:
        await password_changes.change_password(
            account, current=form.get("current_password", ""), new=form.get("new_password", "")
        )
    except ValidationFailed as exc:
        t = await translator_for_request(request)
        errors = field_errors(exc, t)
        if "password" in errors:  # the services name the new password "password"
            errors["new_password"] = errors.pop("password")
        return await render(request, "settings/password.html", {"errors": errors}, status=422)
    # Every session ended with the change; this browser gets a fresh one.
    response = see_other("/settings?notice=password_changed")
    await start_session(request, response, account)
    return response


async def delete_form(request: web.Request) -> web.Response:
    await require_account(request)
    return await render(request, "settings/delete.html", {"errors": {}})


def _deletion_ports(app: web.Application) -> DeletionPorts:
    return DeletionPorts(
        urls=app[URLS],
        media_dir=app[SETTINGS].media_dir,
        social=app[PUBLISHER],
        market=app[MARKET_PUBLISHER],
        orders=app[ORDER_PUBLISHER],
    )


async def delete(request: web.Request) -> web.Response:
    account = await require_account(request)
    form = await read_form(request)
    try:
        await delete_account(
            _deletion_ports(request.app), account, password=form.get("password", "")
        )
    except InvalidCredentials:
        t = await translator_for_request(request)
        errors = {"password": t.gettext(PASSWORD_WRONG)}
        return await render(request, "settings/delete.html", {"errors": errors}, status=422)
    response = see_other("/?notice=account_deleted")
    await end_session(request, response)
    return response


async def export(request: web.Request) -> web.Response:
    account = await require_account(request)
    settings = request.app[SETTINGS]
    # The README is the one file a person reads first: in their language, not the node's.
    readme = render_text(
        request.app,
        "settings/export_readme.txt",
        await translator_for_request(request),
        {"city_name": settings.city_name, "base_url": settings.base_url},
    )
    archive = await export_account(account, readme=readme, media_dir=settings.media_dir)
    name = f"ruta-{account.username}-{clock.now():%Y-%m-%d}.zip"
    return web.Response(
        body=archive,
        content_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
        },
    )


def setup(app: web.Application) -> None:
    router = app.router
    router.add_get("/settings", index)
    router.add_post("/settings/language", save_language)
    router.add_get("/settings/password", password_form)
    router.add_post("/settings/password", change_password)
    router.add_get("/settings/delete", delete_form)
    router.add_post("/settings/delete", delete)
    router.add_post("/settings/export", export)
