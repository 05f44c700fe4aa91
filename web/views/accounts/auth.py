"""Signing up, confirming the email address, signing in and out, and resetting a password."""

from __future__ import annotations

from typing import Any, Protocol

from aiohttp import web

from node.appkeys import SETTINGS, URLS
from node.config import Settings
from node.errors import Conflict, RateLimited, ValidationFailed
from node.models.web import TokenPurpose
from node.services.accounts import account_lifecycle, account_tokens, password_changes, sessions
from node.services.accounts.account_tokens import LinkInvalid
from node.services.accounts.sessions import AccountInactive, InvalidCredentials
from node.services.mail import MailComposer
from node.urls import Urls
from web.mail_composer import COMPOSER
from web.rendering import render, translator_for_request
from web.sessions import (
    client_address,
    current_account,
    end_session,
    safe_next,
    start_session,
)
from web.views.forms import (
    JUST_TAKEN,
    WRONG_CREDENTIALS,
    field_errors,
    rate_limit_message,
    read_form,
    see_other,
)


class _MailLink(Protocol):
    """A service that mails a link to an address (``resend_verification``,
    ``request_password_reset``)."""

    async def __call__(
        self, settings: Settings, urls: Urls, composer: MailComposer, *, email: str, address: str
    ) -> None: ...


def _retry_after(response: web.Response, exc: RateLimited) -> web.Response:
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


# --- sign up -----------------------------------------------------------------------------------


async def _sign_up_page(
    request: web.Request, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> web.Response:
    if request.app[SETTINGS].registrations == "closed":
        closed_status = 200 if request.method == "GET" else 403
        return await render(request, "auth/sign_up_closed.html", status=closed_status)
    t = await translator_for_request(request)
    shown = {
        "username": values.get("username", ""),
        "display_name": values.get("display_name", ""),
        "email": values.get("email", ""),
        "language": values.get("language") or t.language,
        "reason": values.get("reason", ""),
    }
    context = {"values": shown, "errors": errors, "max_reason": account_lifecycle.MAX_REASON}
    return await render(request, "auth/sign_up.html", context, status=status)


async def sign_up_form(request: web.Request) -> web.Response:
    if await current_account(request) is not None:
        raise web.HTTPSeeOther("/")
    return await _sign_up_page(request, {}, {})


async def sign_up(request: web.Request) -> web.Response:
    form = await read_form(request)
    t = await translator_for_request(request)
    try:
        await account_lifecycle.register(
            request.app[SETTINGS],
            request.app[URLS],
            request.app[COMPOSER],
            username=form.get("username", ""),
            email=form.get("email", ""),
            password=form.get("password", ""),
            display_name=form.get("display_name", ""),
            language=form.get("language") or t.language,
            reason=form.get("reason", ""),
            address=client_address(request),
        )
    except account_lifecycle.RegistrationsClosed:
        return await render(request, "auth/sign_up_closed.html", status=403)
    except ValidationFailed as exc:
        return await _sign_up_page(request, form, field_errors(exc, t), 422)
    except Conflict:
        return await _sign_up_page(request, form, {"username": t.gettext(JUST_TAKEN)}, 409)
    except RateLimited as exc:
        page = await _sign_up_page(request, form, {"form": rate_limit_message(exc, t)}, 429)
        return _retry_after(page, exc)
    raise web.HTTPSeeOther("/sign-up/sent")


async def sign_up_sent(request: web.Request) -> web.Response:
    return await render(request, "auth/check_email.html", {"reason": "sign_up"})


# --- email confirmation ------------------------------------------------------------------------


async def verify_email(request: web.Request) -> web.Response:
    try:
        account = await account_lifecycle.verify_email(
            request.app[SETTINGS], request.match_info["token"]
        )
    except LinkInvalid:
        return await render(request, "auth/link_invalid.html", status=404)
    if account.approved_at is None:
        # Staff approve accounts: say plainly what happens next instead of a sign-in form.
        raise web.HTTPSeeOther("/sign-up/waiting")
    raise web.HTTPSeeOther("/sign-in?notice=email_verified")


async def sign_up_waiting(request: web.Request) -> web.Response:
    return await render(request, "auth/waiting.html")


async def resend_form(request: web.Request) -> web.Response:
    return await render(request, "auth/resend.html", {"email": "", "errors": {}})


async def resend(request: web.Request) -> web.Response:
    return await _mail_link_form(
        request, account_lifecycle.resend_verification, "auth/resend.html", reason="resend"
    )


async def _mail_link_form(
    request: web.Request, send: _MailLink, template: str, *, reason: str
) -> web.Response:
    """The two one-field forms that mail a link (confirmation again, password reset): the same
    answer whether or not the address has an account, its form again on a mistake or a limit."""
    form = await read_form(request)
    email = form.get("email", "")
    t = await translator_for_request(request)
    app = request.app
    try:
        await send(
            app[SETTINGS], app[URLS], app[COMPOSER], email=email, address=client_address(request)
        )
    except ValidationFailed as exc:
        context = {"email": email, "errors": field_errors(exc, t)}
        return await render(request, template, context, status=422)
    except RateLimited as exc:
        context = {"email": email, "errors": {"form": rate_limit_message(exc, t)}}
        return _retry_after(await render(request, template, context, status=429), exc)
    return await render(request, "auth/check_email.html", {"reason": reason})


# --- sign in and out ---------------------------------------------------------------------------


async def _sign_in_page(
    request: web.Request, *, login: str, next_path: str, errors: dict[str, str], status: int = 200
) -> web.Response:
    context: dict[str, Any] = {"login": login, "next": next_path, "errors": errors}
    return await render(request, "auth/sign_in.html", context, status=status)


async def sign_in_form(request: web.Request) -> web.Response:
    next_path = safe_next(request.query.get("next"))
    if await current_account(request) is not None:
        raise web.HTTPSeeOther(next_path)
    return await _sign_in_page(request, login="", next_path=next_path, errors={})


async def sign_in(request: web.Request) -> web.StreamResponse:
    form = await read_form(request)
    login = form.get("login", "").strip()
    next_path = safe_next(form.get("next"))
    t = await translator_for_request(request)
    try:
        account = await sessions.authenticate(
            login, form.get("password", ""), address=client_address(request)
        )
    except InvalidCredentials:
        errors = {"login": t.gettext(WRONG_CREDENTIALS)}
        return await _sign_in_page(
            request, login=login, next_path=next_path, errors=errors, status=422
        )
    except RateLimited as exc:
        errors = {"form": rate_limit_message(exc, t)}
        page = await _sign_in_page(
            request, login=login, next_path=next_path, errors=errors, status=429
        )
        return _retry_after(page, exc)
    except AccountInactive as exc:
        context = {"reason": exc.reason.value, "email": exc.account.email}
        return await render(request, "auth/inactive.html", context, status=403)
    response = see_other(next_path)
    await start_session(request, response, account)
    return response


async def sign_out(request: web.Request) -> web.StreamResponse:
    response = see_other("/?notice=signed_out")
    await end_session(request, response)
    return response


# --- password reset ----------------------------------------------------------------------------


async def reset_request_form(request: web.Request) -> web.Response:
    return await render(request, "auth/reset_request.html", {"email": "", "errors": {}})


async def reset_request(request: web.Request) -> web.Response:
    return await _mail_link_form(
        request, password_changes.request_password_reset, "auth/reset_request.html", reason="reset"
    )


async def reset_form(request: web.Request) -> web.Response:
    try:
        account = await account_tokens.peek(
            request.match_info["token"], TokenPurpose.RESET_PASSWORD
        )
    except LinkInvalid:
        return await render(request, "auth/link_invalid.html", status=404)
    context = {"username": account.username, "errors": {}}
    return await render(request, "auth/reset_form.html", context)


async def reset(request: web.Request) -> web.Response:
    form = await read_form(request)
    t = await translator_for_request(request)
    try:
        await password_changes.reset_password(
            request.match_info["token"], new=form.get("password", "")
        )
    except LinkInvalid:
        return await render(request, "auth/link_invalid.html", status=404)
    except ValidationFailed as exc:
        context = {"username": "", "errors": field_errors(exc, t)}
        return await render(request, "auth/reset_form.html", context, status=422)
    raise web.HTTPSeeOther("/sign-in?notice=password_reset")


def setup(app: web.Application) -> None:
    router = app.router
    router.add_get("/sign-up", sign_up_form)
    router.add_post("/sign-up", sign_up)
    router.add_get("/sign-up/sent", sign_up_sent)
    router.add_get("/sign-up/waiting", sign_up_waiting)
    router.add_get("/sign-in", sign_in_form)
    router.add_post("/sign-in", sign_in)
    router.add_post("/sign-out", sign_out)
    router.add_get(account_lifecycle.VERIFY_EMAIL_PATH + "{token}", verify_email)
    router.add_get("/verify-email", resend_form)
    router.add_post("/verify-email", resend)
    router.add_get("/password/reset", reset_request_form)
    router.add_post("/password/reset", reset_request)
    router.add_get(account_lifecycle.RESET_PASSWORD_PATH + "{token}", reset_form)
    router.add_post(account_lifecycle.RESET_PASSWORD_PATH + "{token}", reset)
