"""Who gets JSON and who gets HTML from the same URL, and how AS2 JSON goes out.

An actor or note URL is both an ActivityPub id and a page people open in a browser. Servers ask
for ``application/activity+json`` or ``application/ld+json; profile="…activitystreams"``;
browsers ask for ``text/html``. Every answer says ``Vary: Accept`` so caches keep the two apart.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

AS2_CONTENT_TYPE = "application/activity+json"
JRD_CONTENT_TYPE = "application/jrd+json"

# Media types that select the AS2 document. Plain JSON too: older fetchers (and curl users)
# ask for ``application/json`` and expect the object, as Mastodon answers them.
_JSON_TYPES = frozenset({"application/activity+json", "application/ld+json", "application/json"})
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


def wants_html(request: web.Request) -> bool:
    """True when the client prefers an HTML page over the AS2 document.

    Compares the best q-value of each side; a tie (``*/*``, no ``Accept``) goes to HTML only when
    HTML is named explicitly, so bare fetchers get JSON.
    """
    accept = request.headers.get("Accept", "")
    best_json = best_html = 0.0
    for part in accept.split(","):
        media, _, params = part.strip().partition(";")
        media = media.strip().lower()
        quality = _quality(params)
        if media in _JSON_TYPES:
            best_json = max(best_json, quality)
        elif media in _HTML_TYPES:
            best_html = max(best_html, quality)
    return best_html > best_json


def _quality(params: str) -> float:
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                return max(0.0, min(1.0, float(value)))
            except ValueError:
                return 0.0
    return 1.0


def dump(document: Any) -> bytes:
    """Serialise once (callers cache the bytes): UTF-8, no ASCII escaping, compact."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def as2_response(
    body: bytes,
    *,
    status: int = 200,
    cache: str | None = None,
    vary: bool = True,
) -> web.Response:
    """An ``application/activity+json`` answer with ``Vary: Accept`` (the URL also serves HTML)."""
    headers = {"Vary": "Accept"} if vary else {}
    if cache:
        headers["Cache-Control"] = cache
    return web.Response(
        body=body, status=status, content_type=AS2_CONTENT_TYPE, charset="utf-8", headers=headers
    )


def html_redirect(location: str) -> web.Response:
    """Browsers go to the HTML page (the web adapter renders it). Not an exception: the error
    middleware must not turn it into a problem document."""
    return web.Response(status=302, headers={"Location": location, "Vary": "Accept"})
