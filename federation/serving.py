"""What other servers read from us: actors, WebFinger, host-meta, NodeInfo, an actor's
collections, notes and activities at their ids, and our JSON-LD context.

Every route here is a GET that any server may make unsigned, except the non-public objects,
which need a verified signature from an allowed reader (federation/http/objects.py).
"""

from __future__ import annotations

from aiohttp import web

from federation.http import (
    actors,
    agreements,
    collections,
    context,
    listings,
    nodeinfo,
    objects,
    webfinger,
)
from federation.http.cache import DOCUMENTS, DocumentCache


def setup(app: web.Application) -> None:
    """Register the serving routes and the in-memory cache of actor/WebFinger documents."""
    app[DOCUMENTS] = DocumentCache()
    actors.setup(app)
    collections.setup(app)
    webfinger.setup(app)
    nodeinfo.setup(app)
    objects.setup(app)
    listings.setup(app)
    agreements.setup(app)
    context.setup(app)
