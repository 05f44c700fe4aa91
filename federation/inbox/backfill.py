"""Backfill: when another node's market group accepts our node's follow, read the listings it
shared before from its outbox (queue ``backfill``), so a city that joins the network later, or
a peer added to ``RUTA_NETWORK_PEERS``, finds the listings already on offer and not only those
published from then on.

Only the group's own city is taken: each item must be the group's ``Announce`` of a
``Create``/``Update`` whose actor and object are on the group's host, fetched from that host
(signed GET, id = URL), which is what vouches for it (``group_share`` applies the same rule to
shares pushed to the inbox). Storage is the inbox's: one listing per id, newer updates only,
tombstoned ids never come back. At most ``MAX_PAGES`` pages of the outbox are read.
"""

from __future__ import annotations

import logging
from typing import Any

from tortoise.transactions import in_transaction

from federation import vocab
from federation.convert.note import ap_to_note_fields
from federation.fetch import Fetcher, FetchError
from federation.inbox.handlers.group_share import BACKFILL_QUEUE, checked_origin, is_group_share
from federation.inbox.handlers.listing import listing_fields, store_listing
from federation.inbox.process import is_transient
from federation.remote.actors import fetch_actor
from node.errors import RutaError
from node.jobs.registry import JobHandler, QueueSpec, RetryLater
from node.models.actors import Actor
from node.models.jobs import Job
from node.services.social.remote_content import store_remote_note

log = logging.getLogger(__name__)

MAX_PAGES = 5


async def outbox_items(fetcher: Fetcher, outbox_url: str) -> list[Any]:
    """The items of the first ``MAX_PAGES`` pages of an outbox, newest first."""
    outbox = await fetcher.get_json(outbox_url)
    page: Any = outbox.get("first", outbox)
    items: list[Any] = []
    for _ in range(MAX_PAGES):
        if isinstance(page, str):
            if not vocab.same_origin(page, outbox_url):
                break
            page = await fetcher.get_json(page)
        if not isinstance(page, dict):
            break
        items.extend(vocab.as_list(page.get("orderedItems", page.get("items"))))
        page = page.get("next")
    return items


async def _store_share(fetcher: Fetcher, group: Actor, item: Any) -> bool:
    if not isinstance(item, dict) or vocab.first_id(item.get("actor")) != group.uri:
        return False
    wrapped = item.get("object")
    if not isinstance(wrapped, dict) or not is_group_share(wrapped):
        return False
    if vocab.type_of(wrapped) == "Delete":  # a deleted listing's Create is no longer served
        return False
    checked = checked_origin(wrapped)
    if checked is None or not isinstance(checked[2], dict):
        return False
    author_uri, _, document = checked
    if not vocab.same_origin(author_uri, group.uri):
        return False
    listing = listing_fields(document)
    if listing is None:
        return False
    author = await Actor.get_or_none(uri=author_uri)
    if author is None:
        author = await fetch_actor(fetcher, author_uri)
    if author.local or author.suspended_at is not None or author.gone_at is not None:
        return False
    try:
        fields = ap_to_note_fields(document, followers_url=author.followers_url)
    except ValueError:
        return False
    async with in_transaction():
        await store_remote_note(author, fields)
        await store_listing(author, listing)
    return True


async def backfill_group(fetcher: Fetcher, group_uri: str) -> int:
    """Store the listings ``group`` shared recently; returns how many items were applied."""
    group = await Actor.get_or_none(uri=group_uri, local=False)
    if group is None or not group.outbox_url or not vocab.same_origin(group.outbox_url, group.uri):
        return 0
    applied = 0
    # Oldest first, so a listing's Create is applied before its Updates.
    for item in reversed(await outbox_items(fetcher, group.outbox_url)):
        try:
            applied += await _store_share(fetcher, group, item)
        except (RutaError, FetchError) as refused:
            log.info("backfill from %s skipped an item: %s", group.uri, refused)
    return applied


def queue_spec(fetcher: Fetcher) -> QueueSpec:
    """The ``backfill`` queue: ``{"group": <actor id>}``, retried while the group's server is
    briefly unreachable."""

    async def handler(job: Job) -> None:
        group = job.payload.get("group") if isinstance(job.payload, dict) else None
        if not isinstance(group, str):
            return
        try:
            applied = await backfill_group(fetcher, group)
        except FetchError as failure:
            if is_transient(failure):
                raise RetryLater(f"outbox fetch failed ({failure.reason})") from failure
            log.info("backfill from %s stopped: %s", group, failure)
            return
        log.info("backfill from %s: %d listing activities applied", group, applied)

    run: JobHandler = handler
    return QueueSpec(BACKFILL_QUEUE, run, max_attempts=8)
