"""HTML pages for people. ``setup(app)`` wires rendering, sessions, CSRF, mail and the pages."""

from __future__ import annotations

from aiohttp import web

from node.appkeys import JOBS, SETTINGS
from node.middleware import HTML_ERROR_RENDERER
from node.services import mail
from web import rendering
from web.csrf import csrf_middleware
from web.mail_composer import COMPOSER, TemplateMailComposer
from web.views import moderation, network, notifications, pages
from web.views.accounts import auth, settings
from web.views.market import composer as market_composer
from web.views.market import routes as market
from web.views.social import messages, post_editing, post_media, profiles, tags, timelines


def setup(app: web.Application) -> None:
    """Register the page foundation: templates and catalogs, the translated error pages, the CSRF
    check, the ``mail`` queue, and the home, account and settings pages."""
    rendering.setup(app)
    app[HTML_ERROR_RENDERER] = rendering.render_error
    app.middlewares.append(profiles.upload_size_middleware)  # before CSRF reads the form
    app.middlewares.append(market_composer.upload_size_middleware)  # listing photos, likewise
    app.middlewares.append(post_media.upload_size_middleware)  # pictures in posts, likewise
    app.middlewares.append(csrf_middleware)
    app[COMPOSER] = TemplateMailComposer(app)
    app[JOBS].register(mail.queue_spec(app[SETTINGS]))
    pages.setup(app)
    auth.setup(app)
    settings.setup(app)
    messages.setup(app)
    moderation.setup(app)
    network.setup(app)
    timelines.setup(app)
    post_editing.setup(app)
    profiles.setup(app)
    notifications.setup(app)
    market.setup(app)
    tags.setup(app)
