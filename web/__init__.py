"""The web adapter: HTML pages for people and the JSON API for apps and integrations."""

from __future__ import annotations

from aiohttp import web

from node.services.mail import MailComposer
from web import health, media, views
from web.api import setup as setup_api
from web.mail_composer import COMPOSER


def setup(app: web.Application) -> None:
    """Register the web routes on the node's application."""
    health.setup(app)
    media.setup(app)
    setup_api(app)
    views.setup(app)


def mail_composer(app: web.Application) -> MailComposer:
    """The composer of account mails of an application :func:`setup` prepared (for commands that
    queue mail without serving)."""
    return app[COMPOSER]
