"""Domain blocks: servers this node refuses to talk to (SECURITY.md "Inbound federation").

Hosts are compared in one normal form — lower case, no trailing dot, no port, punycode — so
``EVIL.example.``, ``evil.example:443`` and ``évil.example`` cannot slip past a block written in
another spelling. A block covers the domain's subdomains too, as Mastodon's does.
"""

from __future__ import annotations

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


async def is_blocked(host: str) -> bool:
    """Whether ``host`` (any spelling, with or without port) or a parent domain is blocked."""
    domain = normalise_domain(host)
    if not domain:
        return False
    return await DomainBlock.filter(domain__in=_candidates(domain)).exists()


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
    return block


async def unblock_domain(raw: str) -> bool:
    """Lift a block; False when there was none."""
    return await DomainBlock.filter(domain=normalise_domain(raw)).delete() > 0
