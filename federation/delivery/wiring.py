"""Wiring delivery into the application: the publishers and the ``deliver`` queue.

A module of its own, not the package's ``__init__``: the publishers import ``fanout``, and
importing any submodule runs the package's ``__init__`` first, so wiring there could only work
with imports hidden inside the function.
"""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web

from federation.delivery.fanout import DELIVER_QUEUE
from federation.delivery.worker import make_deliver_handler
from federation.publish import ActivityPublisher
from federation.publish_market import ListingPublisher
from federation.publish_orders import AgreementPublisher
from node.appkeys import JOBS, MARKET_PUBLISHER, ORDER_PUBLISHER, PUBLISHER, SETTINGS, URLS
from node.jobs.registry import QueueSpec

# Give up 72 h after the first attempt (Mastodon/Lemmy horizons); the attempt cap is only a
# backstop, the horizon decides.
GIVE_UP_AFTER = timedelta(hours=72)
PER_HOST_CONCURRENCY = 4
MAX_ATTEMPTS = 1000


def setup(app: web.Application) -> None:
    """Set ``app[PUBLISHER]`` and register the ``deliver`` queue."""
    app[PUBLISHER] = ActivityPublisher(app[URLS], default_language=app[SETTINGS].default_language)
    app[MARKET_PUBLISHER] = ListingPublisher(
        app[URLS], default_language=app[SETTINGS].default_language
    )
    app[ORDER_PUBLISHER] = AgreementPublisher(
        app[URLS], default_language=app[SETTINGS].default_language
    )
    app[JOBS].register(
        QueueSpec(
            DELIVER_QUEUE,
            make_deliver_handler(app),
            give_up_after=GIVE_UP_AFTER,
            max_attempts=MAX_ATTEMPTS,
            group_limit=PER_HOST_CONCURRENCY,
        )
    )
