"""The private-address guard of every outbound request (SECURITY.md "Outbound requests").

Checked at connect time on the *resolved* address, inside the connector, so neither DNS
rebinding nor a redirect to an internal name slips past a check made on the URL. The guard is
never switched off: tests and demo networks list their own hosts in ``RUTA_ALLOW_PRIVATE_HOSTS``
and map names to loopback ports with ``RUTA_RESOLVE``.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Mapping, Sequence
from typing import Any

from aiohttp import TCPConnector
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Named explicitly rather than trusting ``is_global`` alone: its answers changed between Python
# releases (3.11 vs 3.13 for IPv4-mapped and NAT64 addresses), and the reason helps the logs.
_V4_RANGES: tuple[tuple[str, str], ...] = (
    ("0.0.0.0/8", "unspecified"),
    ("10.0.0.0/8", "private"),
    ("100.64.0.0/10", "cgnat"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local"),
    ("172.16.0.0/12", "private"),
    ("192.0.0.0/24", "reserved"),
    ("192.0.2.0/24", "reserved"),
    ("192.88.99.0/24", "reserved"),
    ("192.168.0.0/16", "private"),
    ("198.18.0.0/15", "reserved"),
    ("198.51.100.0/24", "reserved"),
    ("203.0.113.0/24", "reserved"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved"),  # includes 255.255.255.255
)
_V6_RANGES: tuple[tuple[str, str], ...] = (
    ("::/128", "unspecified"),
    ("::1/128", "loopback"),
    ("::/96", "reserved"),  # deprecated IPv4-compatible addresses
    ("64:ff9b:1::/48", "reserved"),
    ("100::/64", "reserved"),
    ("2001::/23", "reserved"),  # IETF protocol assignments, Teredo
    ("2001:db8::/32", "reserved"),
    ("fc00::/7", "private"),  # unique local addresses
    ("fe80::/10", "link-local"),
    ("fec0::/10", "reserved"),  # site-local, deprecated
    ("ff00::/8", "multicast"),
)
_V4 = tuple((ipaddress.IPv4Network(net), why) for net, why in _V4_RANGES)
_V6 = tuple((ipaddress.IPv6Network(net), why) for net, why in _V6_RANGES)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class BlockedAddress(OSError):
    """A connection to a non-public address that is not on the allow-list was refused."""

    def __init__(self, host: str, address: str, why: str) -> None:
        super().__init__(f"{host} resolves to {address} ({why}): refused")
        self.host = host
        self.address = address
        self.why = why


def classify(address: str | IPAddress) -> str | None:
    """Why ``address`` is not a public unicast address ("loopback", "private", "cgnat",
    "link-local", "multicast", "reserved", "unspecified"), or None when it is public.

    IPv6 addresses embedding an IPv4 one (IPv4-mapped ``::ffff:a.b.c.d``, NAT64 ``64:ff9b::/96``,
    6to4 ``2002::/16``) are judged by the IPv4 address they carry.
    """
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return classify(embedded)
        for v6_network, why in _V6:
            if ip in v6_network:
                return why
    else:
        for v4_network, why in _V4:
            if ip in v4_network:
                return why
    if ip.is_multicast:
        return "multicast"
    if not ip.is_global:
        return "reserved"
    return None


def parse_address(host: str) -> IPAddress | None:
    """``host`` as an IP address (brackets and an IPv6 zone allowed), or None for a name."""
    candidate = host.strip("[]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(candidate)
    except ValueError:
        return None


class AddressPolicy:
    """Which hosts may reach non-public addresses: exactly those on the allow-list.

    An entry ``host`` allows that host on any port; ``host:port`` only on that port.
    """

    def __init__(self, allow_private_hosts: frozenset[str] = frozenset()) -> None:
        self._allowed = frozenset(entry.lower() for entry in allow_private_hosts)

    def allows_private(self, host: str, port: int | None) -> bool:
        name = _bare_host(host)
        if name in self._allowed:
            return True
        shown = f"[{name}]" if ":" in name else name
        return port is not None and f"{shown}:{port}" in self._allowed

    def check(self, host: str, port: int | None, addresses: Sequence[str]) -> None:
        """Raise :class:`BlockedAddress` unless every address is public or the host is allowed."""
        if self.allows_private(host, port):
            return
        for address in addresses:
            why = classify(address)
            if why is not None:
                raise BlockedAddress(host, address, why)


def _bare_host(host: str) -> str:
    return host.strip("[]").rstrip(".").lower()


class StaticResolver(AbstractResolver):
    """DNS, except for names listed in ``RUTA_RESOLVE`` ("host:port" → (address, port))."""

    def __init__(
        self,
        static: Mapping[str, tuple[str, int]],
        fallback: AbstractResolver | None = None,
    ) -> None:
        self._static = {key.lower(): value for key, value in static.items()}
        self._fallback = fallback or DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        mapped = self._static.get(f"{_bare_host(host)}:{port}")
        if mapped is None:
            return await self._fallback.resolve(host, port, family)
        address, target_port = mapped
        ip = ipaddress.ip_address(address)
        return [
            {
                "hostname": host,
                "host": str(ip),
                "port": target_port,
                "family": socket.AF_INET6 if ip.version == 6 else socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
        ]

    async def close(self) -> None:
        await self._fallback.close()


class GuardedConnector(TCPConnector):
    """A TCP connector that refuses, at connect time, every resolved address the policy refuses.

    The check sits on ``_resolve_host``, the one step every connection takes between the URL's
    host (a name or an IP literal) and the addresses the socket connects to.
    """

    def __init__(self, policy: AddressPolicy, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._policy = policy

    async def _resolve_host(
        self, host: str, port: int, traces: Sequence[Any] | None = None
    ) -> list[ResolveResult]:
        results = await super()._resolve_host(host, port, traces=traces)
        self._policy.check(host, port, [result["host"] for result in results])
        return results
