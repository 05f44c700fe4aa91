"""Fan-out: from an activity's recipients to one delivery job per distinct inbox.

Runs inside the caller's transaction (SECURITY.md "Data"): the jobs commit with the change or not
at all. Remote actors only (local recipients read the database); a shared inbox is preferred
and each inbox gets one job however many recipients it serves, because RSA signing bounds
delivery (DESIGN.md "Runtime"). Gone and suspended actors, blocked domains and unavailable hosts
get nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from tortoise.expressions import Q, Subquery

from federation.delivery import hosts
from federation.vocab import host_of
from node.jobs import queue
from node.models.actors import Actor
from node.models.social import Block, Follow, FollowState
from node.services.moderation.domain_blocks import is_blocked

DELIVER_QUEUE = "deliver"


@dataclass
class Recipients:
    """Who an activity goes to: actor ids, and local actors whose followers are included."""

    actor_ids: set[int] = field(default_factory=set)
    actor_uris: set[str] = field(default_factory=set)
    followers_of: set[int] = field(default_factory=set)
    following_of: set[int] = field(default_factory=set)
    # Actors in a Block with this one (either way) get nothing (a note, a boost).
    exclude_blocks_of: int | None = None


@dataclass(frozen=True, slots=True)
class _Target:
    id: int
    inbox: str


async def _candidates(recipients: Recipients) -> list[_Target]:
    remote = Q(local=False, gone_at__isnull=True, suspended_at__isnull=True)
    choices: list[Q] = []
    if recipients.actor_ids:
        choices.append(Q(id__in=sorted(recipients.actor_ids)))
    if recipients.actor_uris:
        choices.append(Q(uri__in=sorted(recipients.actor_uris)))
    if recipients.followers_of:
        follower_ids = Follow.filter(
            target_id__in=sorted(recipients.followers_of), state=FollowState.ACCEPTED
        ).values("follower_id")
        choices.append(Q(id__in=Subquery(follower_ids)))
    if recipients.following_of:
        target_ids = Follow.filter(follower_id__in=sorted(recipients.following_of)).values(
            "target_id"
        )
        choices.append(Q(id__in=Subquery(target_ids)))
    if not choices:
        return []
    rows = await Actor.filter(remote, Q(*choices, join_type=Q.OR)).values_list(
        "id", "inbox_url", "shared_inbox_url"
    )
    return [
        _Target(int(actor_id), str(shared or inbox))
        for actor_id, inbox, shared in rows
        if shared or inbox
    ]


async def _blocked_pairs(actor_id: int) -> set[int]:
    rows = await Block.filter(Q(actor_id=actor_id) | Q(target_id=actor_id)).values_list(
        "actor_id", "target_id"
    )
    return {int(other) for pair in rows for other in pair if other != actor_id}


async def inboxes_for(recipients: Recipients) -> dict[str, str]:
    """``{inbox: host}`` for every remote recipient that should get the activity."""
    targets = await _candidates(recipients)
    if recipients.exclude_blocks_of is not None and targets:
        blocked = await _blocked_pairs(recipients.exclude_blocks_of)
        targets = [t for t in targets if t.id not in blocked]
    by_inbox: dict[str, str] = {}
    for target in targets:
        host = host_of(target.inbox)
        if host is not None:
            by_inbox.setdefault(target.inbox, host)
    distinct_hosts = set(by_inbox.values())
    refused = await _refused_hosts(distinct_hosts)
    return {inbox: host for inbox, host in by_inbox.items() if host not in refused}


async def _refused_hosts(candidates: Collection[str]) -> set[str]:
    refused = await hosts.unavailable_among(candidates)
    for host in candidates:
        if host not in refused and await is_blocked(host):
            refused.add(host)
    return refused


async def enqueue_deliveries(
    activity_id: int, signer_actor_id: int, inboxes: Iterable[tuple[str, str]]
) -> int:
    """One ``deliver`` job per ``(inbox, host)``, grouped by host for the per-host limit."""
    return await queue.enqueue_many(
        DELIVER_QUEUE,
        (
            (
                {"activity_id": activity_id, "inbox": inbox, "signer_actor_id": signer_actor_id},
                host,
            )
            for inbox, host in inboxes
        ),
    )


async def fan_out(activity_id: int, signer_actor_id: int, recipients: Recipients) -> int:
    """Enqueue the deliveries of a stored activity; returns how many jobs were written."""
    inboxes = await inboxes_for(recipients)
    return await enqueue_deliveries(activity_id, signer_actor_id, sorted(inboxes.items()))
