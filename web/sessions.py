"""Browser sessions: the cookie side of ``node.services.accounts.sessions``.

The ``ruta_session`` cookie holds the session token: ``HttpOnly`` (no script reads it),
``SameSite=Lax`` (not sent with cross-site form posts) and ``Secure`` when the node is on https.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import quote, urlsplit

from aiohttp import web

from node.appkeys import SETTINGS
from node.models.accounts import Account
from node.models.web import WebSession
from node.services.accounts import sessions

SESSION_COOKIE = "ruta_session"
LANGUAGE_COOKIE = "ruta_lang"
_SESSION_MAX_AGE = int(sessions.SESSION_LIFETIME.total_seconds())
_LANGUAGE_MAX_AGE = 365 * 24 * 3600

_SESSION = web.RequestKey("web_session", object)


def set_cookie(request: web.Request, response: web.StreamResponse, name: str, value: str,
               *, max_age: int) -> None:  # fmt: skip
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="Lax",
        secure=request.app[SETTINGS].scheme == "https",
    )


def delete_cookie(request: web.Request, response: web.StreamResponse, name: str) -> None:
    response.del_cookie(
        name,
        path="/",
        httponly=True,
        samesite="Lax",
        secure=request.app[SETTINGS].scheme == "https",
    )


async def current_session(request: web.Request) -> WebSession | None:
    """The live session of this request's cookie, looked up once per request."""
    if _SESSION in request:
        cached = request[_SESSION]
        return cached if isinstance(cached, WebSession) else None
    token = request.cookies.get(SESSION_COOKIE, "")
    session = await sessions.session_for_token(token) if token else None
    request[_SESSION] = session
    return session


async def current_account(request: web.Request) -> Account | None:
    """The signed-in account, or None for an anonymous visitor."""
    session = await current_session(request)
    return session.account if session is not None else None


def sign_in_url(request: web.Request) -> str:
    return "/sign-in?next=" + quote(request.path_qs, safe="")


async def require_account(request: web.Request) -> Account:
    """The signed-in account; anonymous visitors are sent to sign in and brought back here."""
    account = await current_account(request)
    if account is None:
        location = sign_in_url(request) if request.method == "GET" else "/sign-in"
        raise web.HTTPSeeOther(location)
    return account


async def start_session(
    request: web.Request, response: web.StreamResponse, account: Account
) -> None:
    """Sign ``account`` in on this browser with a brand-new session token (any session the
    browser held before, perhaps one planted by someone else, ends here)."""
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        await sessions.revoke_session(old)
    session, token = await sessions.create_session(
        account, user_agent=request.headers.get("User-Agent", "")
    )
    set_cookie(request, response, SESSION_COOKIE, token, max_age=_SESSION_MAX_AGE)
    request[_SESSION] = session


async def end_session(request: web.Request, response: web.StreamResponse) -> None:
    """Sign this browser out: the session is revoked on the server, the cookie removed."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await sessions.revoke_session(token)
    delete_cookie(request, response, SESSION_COOKIE)
    request[_SESSION] = None


def remember_language(request: web.Request, response: web.StreamResponse, language: str) -> None:
    set_cookie(request, response, LANGUAGE_COOKIE, language, max_age=_LANGUAGE_MAX_AGE)


def client_address(request: web.Request) -> str:
    """The visitor's IP address. Behind the reverse proxy of deploy/ (which connects from
    loopback) it is the last ``X-Forwarded-For`` entry, the one the proxy itself appended."""
    peer = request.remote or ""
    forwarded = request.headers.get("X-Forwarded-For", "")
    try:
        from_proxy = ipaddress.ip_address(peer).is_loopback
    except ValueError:
        from_proxy = False
    if from_proxy and forwarded:
        candidate = forwarded.split(",")[-1].strip()
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            pass
    return peer


def safe_next(value: str | None) -> str:
    """``next=`` only ever leads to a path on this node; anything else leads home."""
    if not value or len(value) > 2000 or not value.startswith("/"):
        return "/"
    if value.startswith("//") or "\\" in value or any(ord(c) < 32 or ord(c) == 127 for c in value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    return value
