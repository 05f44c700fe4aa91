"""Domain blocks: servers this node refuses to talk to (SECURITY.md "Inbound federation").

Hosts are compared in one normal form — lower case, no trailing dot, no port, punycode — so
``EVIL.example.``, ``evil.example:443`` and ``évil.example`` cannot slip past a block written in
another spelling. A block covers the domain's subdomains too, as Mastodon's does.
"""

from __future__ import annotations

from node import clock, db
from node.config import normalise_host, split_host_port
from node.errors import ValidationFailed
from node.models.accounts import Account
from node.models.moderation import DomainBlock


def normalise_domain(raw: str) -> str:
    """``raw`` (a host, ``host:port``, ``[v6]:port`` or a URL) as a bare normalised host."""
    value = raw.strip()
    if "://" in value:
        value = value.split("://", 1)[1]
    value = value.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].rpartition("@")[2]
    host, _port = split_host_port(value)
    return normalise_host(host.strip("[]"))


def _candidates(domain: str) -> list[str]:
    """The domain and each parent domain (``a.b.example`` → itself, ``b.example``, ``example``)."""
    if not domain or ":" in domain or domain.replace(".", "").isdigit():
        return [domain]  # IP addresses have no parents
    labels = domain.split(".")
    return [".".join(labels[i:]) for i in range(len(labels))]


# Every inbox POST and every fan-out asks, and the table is small and rarely changes: each
# process keeps the whole set in memory, read again after ``_REFRESH_SECONDS`` (a block made by
# another process of this node applies within that) and at once after a change made here.
# The memory belongs to one opening of the database (tests open a fresh database per test).
_REFRESH_SECONDS = 5.0
_memory: tuple[int, float, frozenset[str]] | None = None


def _forget() -> None:
    global _memory
    _memory = None


async def _blocked_domains() -> frozenset[str]:
    global _memory
    opening = db.opened_generation()
    if _memory is not None and _memory[0] == opening and _memory[1] > clock.monotonic():
        return _memory[2]
    domains = frozenset(str(d) for d in await DomainBlock.all().values_list("domain", flat=True))
    _memory = (opening, clock.monotonic() + _REFRESH_SECONDS, domains)
    return domains


async def is_blocked(host: str) -> bool:
    """Whether ``host`` (any spelling, with or without port) or a parent domain is blocked."""
    domain = normalise_domain(host)
    if not domain:
        return False
    blocked = await _blocked_domains()
    return bool(blocked) and any(candidate in blocked for candidate in _candidates(domain))


async def block_domain(
    raw: str, *, reason: str = "", created_by: Account | None = None
) -> DomainBlock:
    """Block a domain (idempotent: blocking it again keeps the first block)."""
    domain = normalise_domain(raw)
    if not domain or " " in domain:
        raise ValidationFailed.on("domain", "Enter a domain name, e.g. spam.example.")
    block, _created = await DomainBlock.get_or_create(
        domain=domain, defaults={"reason": reason, "created_by": created_by}
    )
    _forget()
    return block


async def unblock_domain(raw: str) -> bool:
    """Lift a block; False when there was none."""
    removed = await DomainBlock.filter(domain=normalise_domain(raw)).delete() > 0
    _forget()
    return removed
