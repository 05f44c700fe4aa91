"""How many people use this node: the figures NodeInfo publishes and instance lists show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from tortoise.expressions import Q

from node import clock
from node.models.accounts import Account
from node.models.social import Note

MONTH = timedelta(days=30)
HALF_YEAR = timedelta(days=180)


@dataclass(frozen=True)
class Usage:
    users_total: int
    users_active_month: int
    users_active_halfyear: int
    local_posts: int


def _counted_accounts() -> Q:
    # Approved and not suspended: people who can actually use the node.
    return Q(approved_at__isnull=False, suspended_at__isnull=True)


async def _active_since(days: timedelta) -> int:
    """Accounts that posted, or used the API, within ``days`` (we keep no login history)."""
    since = clock.now() - days
    active = Q(actors__notes__published__gte=since) | Q(tokens__last_used_at__gte=since)
    return await Account.filter(_counted_accounts() & active).distinct().count()


async def node_usage() -> Usage:
    """Counts for NodeInfo ``usage``: accounts in total and active, and local posts."""
    return Usage(
        users_total=await Account.filter(_counted_accounts()).count(),
        users_active_month=await _active_since(MONTH),
        users_active_halfyear=await _active_since(HALF_YEAR),
        local_posts=await Note.filter(local=True).count(),
    )
