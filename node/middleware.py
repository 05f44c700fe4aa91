"""Middlewares every response passes through: errors mapped once, security headers.

Errors become RFC 9457 ``application/problem+json`` for machines (the API, ActivityPub, anything
asking for JSON) and an HTML page for people (rendered by the web adapter when it registered a
renderer). Unexpected exceptions are logged with a reference and answered 500 without details;
an unreachable or locked database is a 503 with ``Retry-After`` so senders retry.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from tortoise.exceptions import DBConnectionError, OperationalError

from node import ids
from node.appkeys import SETTINGS
from node.errors import (
    Conflict,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    RateLimited,
    RutaError,
    Unavailable,
    ValidationFailed,
)

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
HtmlErrorRenderer = Callable[[web.Request, int, str, str], Awaitable[web.StreamResponse]]
HTML_ERROR_RENDERER: web.AppKey[HtmlErrorRenderer] = web.AppKey("html_error_renderer")

PROBLEM_JSON = "application/problem+json"

_STATUS = {
    ValidationFailed: 422,
    NotAuthenticated: 401,
    PermissionDenied: 403,
    NotFound: 404,
    Conflict: 409,
    RateLimited: 429,
    Unavailable: 503,
}

_TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    410: "Gone",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


def problem(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> web.Response:
    """An RFC 9457 problem response: ``{type, title, status, detail, ...}``."""
    body = {
        "type": "about:blank",
        "title": title or _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        **extra,
    }
    return web.Response(
        status=status,
        text=json.dumps(body, ensure_ascii=False),
        content_type=PROBLEM_JSON,
        headers=headers,
    )


def wants_json(request: web.Request) -> bool:
    """Machines get problem+json; browsers get an HTML page."""
    path = request.path
    if path.startswith(("/api/", "/.well-known/", "/nodeinfo/", "/inbox")) or path.endswith(
        "/inbox"
    ):
        return True
    accept = request.headers.get("Accept", "")
    if "text/html" in accept:
        return False
    return "json" in accept or not accept or accept.strip() == "*/*"


async def _render(
    request: web.Request, status: int, detail: str, **extra: Any
) -> web.StreamResponse:
    headers: dict[str, str] = extra.pop("headers", None) or {}
    renderer = request.app.get(HTML_ERROR_RENDERER)
    if renderer is not None and not wants_json(request):
        response: web.StreamResponse = await renderer(
            request, status, _TITLES.get(status, "Error"), detail
        )
        response.headers.update(headers)
        return response
    return problem(status, detail, headers=headers, **extra)


def _is_db_unavailable(exc: BaseException) -> bool:
    if isinstance(exc, (DBConnectionError, ConnectionRefusedError)):
        return True
    if isinstance(exc, (OperationalError, sqlite3.OperationalError)):
        text = str(exc).lower()
        return "locked" in text or "busy" in text or "unable to open" in text
    return type(exc).__module__.startswith("asyncpg") and "Connection" in type(exc).__name__


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400 or exc.content_type == PROBLEM_JSON:
            raise
        detail = exc.text if exc.text and not exc.text.startswith(f"{exc.status}:") else exc.reason
        headers = {
            k: v
            for k, v in exc.headers.items()
            if k.lower() in ("allow", "retry-after", "www-authenticate")
        }
        return await _render(request, exc.status, detail or "", headers=headers)
    except ValidationFailed as exc:
        errors = [{"field": e.field, "message": e.message} for e in exc.errors]
        return await _render(request, 422, exc.message, errors=errors)
    except RateLimited as exc:
        return await _render(
            request, 429, exc.message, headers={"Retry-After": str(exc.retry_after)}
        )
    except NotAuthenticated as exc:
        return await _render(
            request, 401, exc.message, headers={"WWW-Authenticate": 'Bearer realm="ruta"'}
        )
    except RutaError as exc:
        status = next((s for cls, s in _STATUS.items() if isinstance(exc, cls)), 400)
        return await _render(request, status, exc.message)
    except HttpProcessingError as exc:
        # A malformed body found while the handler reads it (e.g. broken multipart part
        # headers): the client's fault, not ours.
        status = exc.code if 400 <= exc.code < 500 else 400
        return await _render(request, status, "The request body is malformed.")
    except Exception as exc:
        if _is_db_unavailable(exc):
            log.warning("database unavailable for %s %s: %s", request.method, request.path, exc)
            return await _render(
                request,
                503,
                "The database is busy or unreachable; please try again shortly.",
                headers={"Retry-After": "5"},
            )
        reference = ids.new_token(6)
        log.exception("unhandled error %s on %s %s", reference, request.method, request.path)
        return await _render(
            request, 500, f"Something went wrong on our side (reference {reference})."
        )


# CSP: no inline script anywhere (DESIGN.md "Web"); images may come from remote servers (avatars,
# listing photos), which serve them over https.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "
    "media-src 'self' https:; font-src 'self'; connect-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
# A node served over plain http (on a laptop, or a test network of nodes on loopback) has peers
# on plain http too: their pictures are allowed from http as well. Over https nothing changes.
CSP_PLAIN_HTTP = CSP.replace(" https:", " http: https:")


@web.middleware
async def security_headers_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The security headers on every response, errors included: this middleware sits outside
    :func:`error_middleware` (see ``node.main.create_app``), and what still leaves as an
    exception (redirects, ready-made problem+json) gets them on the exception's headers, which
    aiohttp turns into the response."""
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        _add_security_headers(request, exc.headers)
        raise
    _add_security_headers(request, response.headers)
    return response


def _add_security_headers(request: web.Request, headers: MutableMapping[str, str]) -> None:
    headers.setdefault("X-Content-Type-Options", "nosniff")
    settings = request.app.get(SETTINGS)
    plain_http = settings is not None and settings.scheme == "http"
    headers.setdefault("Content-Security-Policy", CSP_PLAIN_HTTP if plain_http else CSP)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if request.url.scheme == "https" or request.headers.get("X-Forwarded-Proto") == "https":
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
