"""The web adapter: HTML pages for people and the JSON API for apps and integrations."""

from __future__ import annotations

from aiohttp import web

from web import health, media, views
from web.api import setup as setup_api


def setup(app: web.Application) -> None:
    """Register the web routes on the node's application."""
    health.setup(app)
    media.setup(app)
    setup_api(app)
    views.setup(app)
