"""Delivery: the ``Publisher`` port and the ``deliver`` queue (SECURITY.md "Delivery").

- ``fanout``: recipients → one job per distinct inbox, in the change's transaction;
- ``worker``: the job itself (sign afresh, POST, settle);
- ``policy``: what each answer means (pure, table-tested);
- ``hosts``: per-host health (circuit breaker, unavailable hosts, ``mark_alive``).
"""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web

from node.appkeys import JOBS, MARKET_PUBLISHER, ORDER_PUBLISHER, PUBLISHER, SETTINGS, URLS
from node.jobs.registry import QueueSpec

# Give up 72 h after the first attempt (Mastodon/Lemmy horizons); the attempt cap is only a
# backstop, the horizon decides.
GIVE_UP_AFTER = timedelta(hours=72)
PER_HOST_CONCURRENCY = 4
MAX_ATTEMPTS = 1000


def setup(app: web.Application) -> None:
    """Set ``app[PUBLISHER]`` and register the ``deliver`` queue."""
    # Imported here: publish imports delivery.fanout, which would otherwise import this package
    # half-initialised.
    from federation.delivery.fanout import DELIVER_QUEUE
    from federation.delivery.worker import make_deliver_handler
    from federation.publish import ActivityPublisher
    from federation.publish_market import ListingPublisher
    from federation.publish_orders import AgreementPublisher

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
