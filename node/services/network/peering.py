"""Peering: this node follows the city market group of every other node of its network.

``RUTA_NETWORK_PEERS`` names the other nodes (``lapalma.example,faro.example``; the same list
may be given to every node of a network: a node skips itself). For each peer our instance actor
follows ``mercado@<peer>``, found by WebFinger; that group auto-accepts and then shares every
listing of its city, and each edit, sale and deletion (FEP-1b12), so our local search covers the
network (FEDERATION.md §5.0 rule 12); once it accepts, the listings it shared before are read
from its outbox (``federation.inbox.backfill``). Our own group accepts anyone's follow: it is
public.

- Start-up (every process) and ``ruta peers sync`` plan the work with rows only: a ``peering``
  job per configured peer not followed yet, and ``Undo{Follow}`` of the groups of peers no longer
  configured. Repeating it changes nothing.
- The job resolves the group (network I/O) and follows it; a peer that is down or not yet set
  up is retried by the job queue with its backoff, and recorded as failed after the horizon.
- :func:`peer_statuses` is what ``ruta peers list`` shows a technician: accepted, pending (the
  Follow is on its way or unanswered), resolving (the job waits for a retry), failed, removing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from node.config import Settings
from node.errors import NotFound, PermissionDenied, RutaError, ValidationFailed
from node.jobs import queue
from node.jobs.registry import PermanentFailure, QueueSpec, RetryLater
from node.models.actors import Actor, ActorKind
from node.models.jobs import Job, JobState
from node.models.social import Follow, FollowState
from node.ports import ActorResolver, Publisher
from node.services.market.mercado import MARKET_GROUP
from node.services.social.follows import follow_actor, unfollow
from node.urls import Urls

QUEUE = "peering"
# A new node may come up days after its peers were configured; keep trying for a week.
GIVE_UP_AFTER = timedelta(days=7)
_KEY = "peer:"


def configured_peers(settings: Settings) -> list[str]:
    """The peers to follow: ``RUTA_NETWORK_PEERS`` without this node itself."""
    return sorted(settings.network_peers - {settings.domain})


async def _instance(urls: Urls) -> Actor:
    return await Actor.get(uri=urls.instance_actor(), local=True)


async def _group_follows(instance: Actor) -> dict[str, Follow]:
    """The instance actor's follows of other nodes' market groups, by the peer's domain."""
    rows = await Follow.filter(
        follower_id=instance.id,
        target__kind=ActorKind.GROUP,
        target__username=MARKET_GROUP,
        target__local=False,
    ).prefetch_related("target")
    return {row.target.domain: row for row in rows}


async def _jobs_by_host() -> dict[str, Job]:
    """The latest follow job of each peer (the one a status shows)."""
    jobs = await Job.filter(queue=QUEUE, group_key__startswith=_KEY).order_by("id")
    return {str(job.group_key).removeprefix(_KEY): job for job in jobs}


async def plan_peering(publisher: Publisher, urls: Urls, settings: Settings) -> None:
    """Queue a follow of each configured peer's group not followed yet (failed attempts start
    over) and unfollow the groups of peers no longer configured. Rows only; safe to repeat."""
    wanted = set(configured_peers(settings))
    instance = await _instance(urls)
    followed = await _group_follows(instance)
    for host, row in followed.items():
        if host not in wanted:
            await unfollow(publisher, instance, row.target)
    jobs = await _jobs_by_host()
    for host, old in jobs.items():
        if host not in wanted or old.state is JobState.FAILED:
            await Job.filter(queue=QUEUE, group_key=_KEY + host).delete()
    for host in sorted(wanted - set(followed)):
        job = jobs.get(host)
        if job is None or job.state is JobState.FAILED:
            await queue.enqueue(QUEUE, {"host": host}, group_key=_KEY + host)


async def request_sync() -> None:
    """Ask the node's workers to run :func:`plan_peering` (``ruta peers sync``)."""
    await queue.enqueue(QUEUE, {"sync": True})


async def follow_peer(publisher: Publisher, resolver: ActorResolver, urls: Urls, host: str) -> None:
    """Follow ``mercado@host`` as the instance actor (network I/O: outside transactions)."""
    try:
        group = await resolver.resolve(f"{MARKET_GROUP}@{host}")
    except NotFound as missing:
        raise RetryLater(str(missing)) from missing
    except (PermissionDenied, ValidationFailed) as refused:
        raise PermanentFailure(str(refused)) from refused
    if group.kind is not ActorKind.GROUP or group.local:
        raise PermanentFailure(f"{MARKET_GROUP}@{host} is not another node's market group")
    try:
        await follow_actor(publisher, await _instance(urls), group)
    except RutaError as refused:  # a block between the nodes, a group gone meanwhile
        raise PermanentFailure(str(refused)) from refused


def queue_spec(
    publisher: Publisher, resolver: ActorResolver, urls: Urls, settings: Settings
) -> QueueSpec:
    """The ``peering`` queue: follow one peer's group, or re-plan (``{"sync": true}``)."""

    async def handler(job: Job) -> None:
        payload = job.payload if isinstance(job.payload, dict) else {}
        if payload.get("sync"):
            await plan_peering(publisher, urls, settings)
        elif isinstance(payload.get("host"), str):
            await follow_peer(publisher, resolver, urls, payload["host"])

    return QueueSpec(QUEUE, handler, give_up_after=GIVE_UP_AFTER, max_attempts=60)


@dataclass(frozen=True)
class PeerStatus:
    """One peer as ``ruta peers list`` shows it."""

    host: str
    state: str  # accepted, pending, resolving, failed, removing, not-followed
    group: str | None = None
    detail: str = ""
    # When the Follow went out (followed peers) or the final attempt was due (failed ones).
    last_attempt: datetime | None = None
    # When a peer still being resolved is tried again.
    next_attempt: datetime | None = None


async def peer_statuses(urls: Urls, settings: Settings) -> list[PeerStatus]:
    """Every configured peer, and any group still followed from a removed one."""
    wanted = configured_peers(settings)
    followed = await _group_follows(await _instance(urls))
    jobs = await _jobs_by_host()
    statuses = []
    for host in sorted(set(wanted) | set(followed)):
        row, job = followed.get(host), jobs.get(host)
        error = (job.last_error or "").splitlines()[0][:200] if job and job.last_error else ""
        sent = row.created_at if row else None
        if host not in wanted:
            statuses.append(PeerStatus(host, "removing", row.target.uri if row else None))
        elif row is not None:
            state = "accepted" if row.state is FollowState.ACCEPTED else "pending"
            statuses.append(PeerStatus(host, state, row.target.uri, last_attempt=sent))
        elif job is not None and job.state is JobState.FAILED:
            statuses.append(
                PeerStatus(host, "failed", None, error, last_attempt=job.next_attempt_at)
            )
        elif job is not None:
            statuses.append(
                PeerStatus(host, "resolving", None, error, next_attempt=job.next_attempt_at)
            )
        else:
            hint = "followed when the node starts or runs `ruta peers sync`"
            statuses.append(PeerStatus(host, "not-followed", None, hint))
    return statuses
