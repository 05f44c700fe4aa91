"""CSRF protection: every state-changing browser request carries a token only our pages know.

The token is an HMAC (keyed with the node's secret) of the browser's session token, or for
anonymous visitors of a random ``ruta_anon`` cookie. It changes with every sign-in, and it never
exposes the cookie it is derived from. A POST, PUT, PATCH or DELETE without the right token gets
a 403 page.

Exempt: the JSON API under ``/api/`` (it authenticates with bearer tokens only, never cookies, so
a forged cross-site request has no credentials to ride on; should it ever accept cookies, this
exemption must go), ActivityPub inboxes (signed server-to-server requests), and elsewhere a
request that a valid bearer token authenticates and that carries no session cookie. The mere
presence of an ``Authorization`` header exempts nothing: a forged form post can carry one (any
``Basic`` value) next to the victim's session cookie.

As a second line, a state change that a session cookie authenticates must not come from another
site: an ``Origin`` that is not this node, or ``Sec-Fetch-Site: cross-site``, gets a 403 page even
with a valid token. Browsers that send neither (older ones, some privacy settings) still pass
with the token.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable

from aiohttp import web

from node.appkeys import SETTINGS
from node.services.accounts.tokens import account_for_token
from web.sessions import SESSION_COOKIE, set_cookie

log = logging.getLogger(__name__)

FIELD = "csrf"
HEADER = "X-CSRF-Token"
ANON_COOKIE = "ruta_anon"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Shown (translated) on the 403 page; the error renderer recognises it.
REFUSED = "The form has expired or did not come from this site."
CROSS_SITE = "This request came from another site."
_ANON_MAX_AGE = 365 * 24 * 3600
_PENDING_ANON = web.RequestKey("csrf_pending_anon", str)
_PROCESS_KEY = secrets.token_bytes(32)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _key(request: web.Request) -> bytes:
    secret = request.app[SETTINGS].secret_key
    # `ruta serve` always has a key (generated into the data dir); a bare app in a script may not.
    return secret.encode() if secret else _PROCESS_KEY


def _sign(request: web.Request, binding: str) -> str:
    return hmac.new(_key(request), b"csrf:" + binding.encode(), hashlib.sha256).hexdigest()


def _binding(request: web.Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE) or request.cookies.get(ANON_COOKIE)


def csrf_token(request: web.Request) -> str:
    """The token to put in this page's forms (a ``ruta_anon`` cookie is created if needed)."""
    binding = _binding(request) or request.get(_PENDING_ANON)
    if binding is None:
        binding = secrets.token_urlsafe(32)
        request[_PENDING_ANON] = binding
    return _sign(request, binding)


def attach_cookie(request: web.Request, response: web.StreamResponse) -> None:
    """Send the ``ruta_anon`` cookie a page's token was derived from, when it is new."""
    pending = request.get(_PENDING_ANON)
    if pending is not None:
        set_cookie(request, response, ANON_COOKIE, pending, max_age=_ANON_MAX_AGE)


async def is_exempt(request: web.Request) -> bool:
    """Whether this request needs no token: it cannot ride on a browser's cookies."""
    path = request.path
    if path.startswith("/api/") or path == "/inbox" or path.endswith("/inbox"):
        return True
    if SESSION_COOKIE in request.cookies:
        return False
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return False
    return await account_for_token(secret.strip()) is not None


def comes_from_another_site(request: web.Request) -> bool:
    """What the browser says about where the request was made: ``Origin`` (when sent, it must be
    this node, by its public address or the host it was asked for) and ``Sec-Fetch-Site``."""
    if request.headers.get("Sec-Fetch-Site", "").lower() == "cross-site":
        return True
    origin = request.headers.get("Origin")
    if origin is None:
        return False
    ours = {request.app[SETTINGS].base_url.lower(), f"{request.scheme}://{request.host}".lower()}
    # Behind the reverse proxy of deploy/ the node itself is asked over http for an https page.
    ours.add(f"https://{request.host}".lower())
    return origin.strip().lower().rstrip("/") not in ours


async def token_is_valid(request: web.Request) -> bool:
    binding = _binding(request)
    if binding is None:
        return False
    sent = request.headers.get(HEADER)
    if sent is None and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        form = await request.post()
        value = form.get(FIELD)
        sent = value if isinstance(value, str) else None
    return bool(sent) and hmac.compare_digest(str(sent), _sign(request, binding))


@web.middleware
async def csrf_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.method in UNSAFE_METHODS and not await is_exempt(request):
        if SESSION_COOKIE in request.cookies and comes_from_another_site(request):
            log.info("cross-site request refused: %s %s", request.method, request.path)
            raise web.HTTPForbidden(text=CROSS_SITE)
        if not await token_is_valid(request):
            log.info("CSRF token missing or wrong: %s %s", request.method, request.path)
            raise web.HTTPForbidden(text=REFUSED)
    return await handler(request)
