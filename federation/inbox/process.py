"""Processing received activities: the worker side of the inbox (queue ``inbox``).

Each job holds one activity that passed every check of ``receive`` (signature, signer = actor,
origins). The handler for its type (``federation.inbox.handlers``) first does any network I/O it
needs — fetching an unknown actor, the announced note from its origin — and then applies the
change inside :meth:`Inbound.commit`, which completes the job in the same transaction: a crash
at any point either applies the activity and removes the job, or neither (exactly-once).

Outcomes: a domain refusal (``RutaError``: a blocked pair, a note that may not be seen) or an
object that cannot be had (gone, refused by the fetcher) ends the job quietly — retrying would
never help; a peer that is briefly unreachable retries the job later; anything else is a bug
and is retried by the job runner with its error recorded.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from tortoise.transactions import in_transaction

from federation import vocab
from federation.fetch import Fetcher, FetchError
from federation.remote.actors import fetch_actor
from federation.vocab import Json
from node.config import Settings
from node.errors import RutaError
from node.jobs import queue
from node.jobs.registry import RetryLater
from node.models.actors import Actor
from node.models.jobs import Job
from node.ports import Publisher
from node.urls import Urls

log = logging.getLogger(__name__)

# Fetch failures worth another try later: the peer may come back. Anything else (refused by the
# SSRF guard or a domain block, wrong content type or id, too large, 404/410) fails the same way
# again.
_TRANSIENT_FETCH = frozenset({"timeout", "connection"})
_TRANSIENT_STATUS = frozenset({408, 429})


def is_transient(failure: FetchError) -> bool:
    """Whether fetching again later may succeed."""
    if failure.reason == "status":
        status = failure.status or 500
        return status >= 500 or status in _TRANSIENT_STATUS
    return failure.reason in _TRANSIENT_FETCH


@dataclass(frozen=True)
class InboxServices:
    """What handlers need from the application, captured once when the queue is registered."""

    publisher: Publisher
    fetcher: Fetcher
    urls: Urls
    settings: Settings


@dataclass
class Inbound:
    """One activity being processed, with its verified sender."""

    job: Job
    activity: Json
    type: str
    actor: Actor
    inbox_owner: str | None
    services: InboxServices
    committed: bool = field(default=False)

    @property
    def id(self) -> str:
        return str(self.activity["id"])

    @property
    def object(self) -> Any:
        """The ``object`` (the first, when a list: we act on one object per activity)."""
        objects = vocab.as_list(self.activity.get("object"))
        return objects[0] if objects else None

    @property
    def publisher(self) -> Publisher:
        return self.services.publisher

    @property
    def fetcher(self) -> Fetcher:
        return self.services.fetcher

    @property
    def our_host(self) -> str | None:
        return vocab.host_of(self.services.urls.base)

    @asynccontextmanager
    async def commit(self) -> AsyncIterator[None]:
        """Apply the handler's writes and complete the job in one transaction.

        Never do network I/O inside it: the transaction would hold its locks meanwhile.
        """
        async with in_transaction():
            yield
            await queue.complete(self.job)
        self.committed = True


Handler = Callable[[Inbound], Awaitable[None]]


async def sender(services: InboxServices, uri: str) -> Actor | None:
    """The sending actor's row; fetched when we do not know it yet (outside any transaction)."""
    actor = await Actor.get_or_none(uri=uri)
    if actor is None:
        actor = await fetch_actor(services.fetcher, uri)
    if actor.local or actor.suspended_at is not None or actor.gone_at is not None:
        return None
    return actor


async def process_job(job: Job, services: InboxServices, handlers: Mapping[str, Handler]) -> None:
    """Run one inbox job. The job runner completes it afterwards if the handler did not."""
    payload = job.payload if isinstance(job.payload, Mapping) else {}
    activity = payload.get("activity")
    if not isinstance(activity, dict) or not isinstance(activity.get("id"), str):
        log.warning("inbox job %s holds no activity; dropped", job.id)
        return
    kind = vocab.type_of(activity)
    actor_uri = vocab.first_id(activity.get("actor"))
    handler = handlers.get(kind or "")
    if handler is None or actor_uri is None:
        log.info("inbox ignored %s %s (type not handled)", kind, activity["id"])
        return
    owner = payload.get("inbox_owner")
    try:
        actor = await sender(services, actor_uri)
        if actor is None:
            log.info("inbox ignored %s from %s (actor unavailable)", activity["id"], actor_uri)
            return
        inbound = Inbound(
            job=job,
            activity=activity,
            type=str(kind),
            actor=actor,
            inbox_owner=owner if isinstance(owner, str) else None,
            services=services,
        )
        await handler(inbound)
    except RutaError as refusal:
        log.info("inbox refused %s %s: %s", kind, activity["id"], refusal.message)
    except FetchError as failure:
        if is_transient(failure):
            raise RetryLater(f"fetch failed ({failure.reason})") from failure
        log.info("inbox ignored %s %s: fetch refused (%s)", kind, activity["id"], failure.reason)
