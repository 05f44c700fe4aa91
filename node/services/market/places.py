"""The city and node filters of the search as people type them, and the choices the form offers.

A city is matched by the start of its name, without accents or case ("la palma" finds "La
Palma del Condado", "olhao" finds "Olhão"), or by a known other name ("Seville" finds
"Sevilla"). A node is matched by its host with or without a port (``lapalma.test`` finds
listings from ``lapalma.test:8443``), written as a host, a URL or a handle.
"""

from __future__ import annotations

import re

from tortoise.functions import Avg, Count

from node.models.market import Listing, ListingState
from node.services.market.stemming import words_of

MAX_CITIES = 200
# Other names of cities of the network and its neighbours (folded; other name -> the key a
# listing's city folds to). Prefixes need no entry: "palos" already finds "Palos de la Frontera".
CITY_ALIASES: dict[str, tuple[str, ...]] = {
    "seville": ("sevilla",),
    "sevilha": ("sevilla",),
    "lisbon": ("lisboa",),
    "lisbonne": ("lisboa",),
    "lisboa": ("lisbon",),
    "sevilla": ("seville",),
    "barcelone": ("barcelona",),
    "saragossa": ("zaragoza",),
    "cadix": ("cadiz",),
    "oporto": ("porto",),
    "palma del condado": ("la palma del condado",),
    "la palma condado": ("la palma del condado",),
    "vila real": ("vila real de santo antonio",),
    "vrsa": ("vila real de santo antonio",),
}
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")


def city_key(city: str) -> str:
    """A city as the filter compares it: folded words joined by single spaces."""
    return " ".join(words_of(city))[:100]


def city_prefixes(typed: str) -> list[str]:
    """The keys a typed city may start: its own and its known other names'."""
    key = city_key(typed)
    if not key:
        return []
    return [key, *(alias for alias in CITY_ALIASES.get(key, ()) if alias != key)]


def node_host(typed: str) -> tuple[str, bool]:
    """The host a typed node names, and whether the person gave a port: ``"https://Faro.example/"``
    → ``("faro.example", False)``, ``"mercado@lepe.example:8443"`` → ``("lepe.example:8443",
    True)``. A default port (443, 80) counts as none."""
    value = _SCHEME.sub("", typed.strip().lower())
    value = value.split("/", 1)[0].rsplit("@", 1)[-1].rstrip(".")
    host, _, port = value.partition(":")
    host = host.rstrip(".")
    if port in ("", "443", "80"):
        return host, False
    return f"{host}:{port}", True


async def city_position(typed: str) -> tuple[float, float] | None:
    """Where a typed city is, as the mean position of the listings placed in it (None if none
    is): "nearest first" then works from a chosen city, for people who do not share theirs."""
    keys = city_prefixes(typed)
    if not keys:
        return None
    rows = (
        await Listing.filter(city_key__startswith=keys[0], latitude__not_isnull=True)
        .annotate(lat=Avg("latitude"), lon=Avg("longitude"))
        .values("lat", "lon")
    )
    if not rows or rows[0]["lat"] is None or rows[0]["lon"] is None:
        return None
    return float(rows[0]["lat"]), float(rows[0]["lon"])


async def listing_cities() -> list[str]:
    """The cities of published listings, each once however it is spelled (the most frequent
    spelling wins), in alphabetical order: the choices of the search form's city field."""
    rows = (
        await Listing.filter(state=ListingState.PUBLISHED)
        .exclude(city="")
        .annotate(n=Count("id"))
        .group_by("city")
        .values_list("city", "n")
    )
    spellings: dict[str, dict[str, int]] = {}
    for city, n in rows:
        spellings.setdefault(city_key(str(city)), {})[str(city)] = int(n)
    names = [max(found, key=lambda s: found[s]) for found in spellings.values() if found]
    return sorted(names, key=city_key)[:MAX_CITIES]
