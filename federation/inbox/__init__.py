"""The inbox: receiving activities (HTTP side) and processing them (queue ``inbox``).

- ``parse``: body → activity, or a 4xx (size, JSON, depth, types);
- ``verify``: the HTTP signature (draft-cavage, RFC 9421), with one key refetch;
- ``authorize``: signer = actor, origin rules, our own domain, domain blocks to check;
- ``store``: dedup by activity id + the job, in one transaction;
- ``receive``: the POST handler tying those together (202 / 4xx / 503);
- ``process`` + ``handlers``: applying each activity type exactly once; ``lookups``: our
  actors, and objects fetched from their origin (never taken from a third party's copy);
- ``backfill``: the listings a followed market group shared before we followed it.
"""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web

from federation.fetch import FETCHER
from federation.inbox import backfill
from federation.inbox.handlers import HANDLERS
from federation.inbox.process import Handler, InboxServices, process_job
from federation.inbox.receive import post_inbox
from federation.inbox.store import INBOX_QUEUE
from node.appkeys import JOBS, PUBLISHER, SETTINGS, URLS
from node.jobs.registry import JobHandler, QueueSpec
from node.models.actors import ActorKind
from node.models.jobs import Job

# A job that still fails after this many attempts (a peer down for ~a day) is kept as failed.
MAX_ATTEMPTS = 12


def setup(app: web.Application) -> None:
    """Register the shared inbox, every local actor's inbox and the ``inbox`` queue."""
    urls = app[URLS]
    app.router.add_post("/inbox", post_inbox)
    prefixes = {
        urls.actor_path_prefix(kind) for kind in ActorKind if kind is not ActorKind.APPLICATION
    }
    for prefix in sorted(prefixes):
        app.router.add_post(f"/{prefix}/{{name}}/inbox", post_inbox)
    instance_path = urls.instance_actor().removeprefix(urls.base)
    app.router.add_post(f"{instance_path}/inbox", post_inbox)
    app[JOBS].register(
        QueueSpec(
            INBOX_QUEUE,
            inbox_job_handler(app, HANDLERS),
            max_attempts=MAX_ATTEMPTS,
            # One job at a time per sending actor, so its activities apply in arrival order.
            group_limit=1,
        )
    )
    app[JOBS].register(backfill.queue_spec(app[FETCHER]))


def inbox_job_handler(app: web.Application, handlers: Mapping[str, Handler]) -> JobHandler:
    """The queue handler: resolves the application's services on first use (the publisher is
    registered by the delivery part, possibly after this one)."""
    services: list[InboxServices] = []

    async def run(job: Job) -> None:
        if not services:
            services.append(
                InboxServices(
                    publisher=app[PUBLISHER],
                    fetcher=app[FETCHER],
                    urls=app[URLS],
                    settings=app[SETTINGS],
                )
            )
        await process_job(job, services[0], handlers)

    return run
