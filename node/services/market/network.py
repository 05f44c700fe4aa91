"""Where the catalogue's listings come from: this node and the peers whose market groups (or
shops) share with it. The search form offers these nodes as choices for its node filter."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection

from node.models.market import Listing, ListingState

MAX_NODES = 100


async def listing_nodes() -> list[str]:
    """The domains of the sellers of published listings, local and remote, sorted."""
    domains = (
        await Listing.filter(state=ListingState.PUBLISHED)
        .distinct()
        .values_list("seller__domain", flat=True)
    )
    return sorted({str(d) for d in domains if d})[:MAX_NODES]


async def listings_from(hosts: Collection[str]) -> dict[str, int]:
    """How many listings of sellers on each of ``hosts`` this node holds (received from them)."""
    domains = await Listing.filter(local=False, seller__domain__in=list(hosts)).values_list(
        "seller__domain", flat=True
    )
    counts = Counter(str(d) for d in domains)
    return {host: counts[host] for host in hosts}
