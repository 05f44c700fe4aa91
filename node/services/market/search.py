"""Full-text search over local and received listings, with filters, sort and pagination.

One raw SQL query per search (the ORM cannot express FTS5 ``MATCH`` or ``@@``); the index itself
is described in ``search_schema``. A listing is indexed under its words and their stems in its
language, and a query word matches itself or its stem in any language, so "cestas" finds
"Cesta" (``stemming``); the last word typed also matches as a prefix ("panad" finds
"panadería"), the others do not, so "pan" among other words does not drag in "pantalón".
Accents and case never matter: ``listing.search_text`` and the query are folded the same way.
Only published and reserved listings are found: drafts are private, sold and closed ones are
history.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Literal

from tortoise import connections

from node.models.market import Listing, ListingState
from node.services import hashtags, text
from node.services.market import places, stemming
from node.services.market.taxonomy import BY_SLUG

MAX_LIMIT = 100
MAX_TERMS = 8
Sort = Literal["newest", "price_asc", "price_desc", "relevance", "distance"]
SEARCHABLE_STATES = (ListingState.PUBLISHED.value, ListingState.RESERVED.value)


def search_text_of(listing: Listing) -> str:
    """What the index reads for a listing: the words and stems (in the listing's language) of
    its title, description, city and hashtags, and its category in every language's label
    (each stemmed in its own language), so a search in any of them finds it."""
    language = (listing.language or "").split("-")[0].lower() or None
    category = BY_SLUG.get(listing.category)
    parts: list[tuple[str, str | None]] = [
        (listing.title, language),
        (text.plain_text(listing.description_html or ""), language),
        (listing.category, "en"),
        *((label, lang) for lang, label in (category.labels.items() if category else ())),
        (listing.city, language),
        (" ".join(listing.tags or []), language),
    ]
    return stemming.index_text(parts)[:20_000]


def index_listing(listing: Listing) -> None:
    """Fill what search reads of a listing (``search_text``, ``city_key``) from its fields;
    every path that writes a listing's text calls it before saving."""
    listing.search_text = search_text_of(listing)
    listing.city_key = places.city_key(listing.city)


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    city: str | None = None
    domain: str | None = None  # the node (host) a listing comes from
    local: bool | None = None
    category: str | None = None
    purpose: str | None = None
    kind: str | None = None
    condition: str | None = None
    delivery: str | None = None
    min_price_cents: int | None = None
    max_price_cents: int | None = None
    seller_id: int | None = None
    tag: str | None = None  # a hashtag, matched as hashtags.normalise does
    # (latitude, longitude) for sort="distance"; without it, the position of ``city``
    near: tuple[float, float] | None = None
    sort: Sort = "newest"
    limit: int = 20
    offset: int = 0


def terms_of(query: str) -> list[str]:
    """The words of a query, folded and normalised; punctuation and operators are never passed
    to the engine."""
    return stemming.words_of(query)[:MAX_TERMS]


def match_groups(terms: list[str]) -> list[tuple[list[str], str | None]]:
    """What each query word may match: its stems in every language (exact), and for the last
    word also anything it starts (the person may not have finished typing it)."""
    groups: list[tuple[list[str], str | None]] = []
    for i, term in enumerate(terms):
        prefix = term if i == len(terms) - 1 else None
        groups.append((sorted(stemming.stems_in_any_language(term)), prefix))
    return groups


def _fts5_match(groups: list[tuple[list[str], str | None]]) -> str:
    # Every token is letters and digits only (stemming.words_of), so quoting cannot break out.
    parts = []
    for exact, prefix in groups:
        options = [f'"{w}"' for w in exact] + ([f'"{prefix}"*'] if prefix else [])
        parts.append("(" + " OR ".join(options) + ")")
    return " AND ".join(parts)


def _tsquery(groups: list[tuple[list[str], str | None]]) -> str:
    parts = []
    for exact, prefix in groups:
        options = list(exact) + ([f"{prefix}:*"] if prefix else [])
        parts.append("(" + " | ".join(options) + ")")
    return " & ".join(parts)


class _Sql:
    """Collects a WHERE clause and its parameters in the connection's placeholder style."""

    def __init__(self, postgres: bool) -> None:
        self.postgres = postgres
        self.where: list[str] = []
        self.params: list[Any] = []

    def param(self, value: Any) -> str:
        self.params.append(value)
        return f"${len(self.params)}" if self.postgres else "?"

    def add(self, clause: str, *values: Any) -> None:
        self.where.append(clause.format(*(self.param(v) for v in values)))


def _filters(sql: _Sql, q: SearchQuery) -> None:
    states = ", ".join(sql.param(s) for s in SEARCHABLE_STATES)
    sql.where.append(f"l.state IN ({states})")
    sql.where.append("a.gone_at IS NULL AND a.suspended_at IS NULL")
    if q.city:
        keys = places.city_prefixes(q.city)
        # A key is letters, digits and spaces only: no LIKE wildcard to escape.
        like = " OR ".join("l.city_key LIKE {}" for _ in keys) or "1 = 0"
        sql.add(f"({like})", *(f"{key}%" for key in keys))
    if q.domain:
        host, has_port = places.node_host(q.domain)
        if has_port:
            sql.add("a.domain = {}", host)
        else:  # the port is optional: lapalma.test finds lapalma.test:8443 too
            escaped = host.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            sql.add("(a.domain = {} OR a.domain LIKE {} ESCAPE '\\')", host, escaped + ":%")
    if q.local is not None:
        sql.add("l.local = {}", q.local)
    for column, value in (
        ("category", q.category),
        ("purpose", q.purpose),
        ("kind", q.kind),
        ("condition", q.condition),
    ):
        if value:
            sql.add(f"l.{column} = {{}}", value)
    if q.delivery:
        # delivery is a small JSON list of option names ("pickup"...): a quoted substring test
        # works on both backends without JSON operators.
        cast = "CAST(l.delivery AS TEXT)" if sql.postgres else "l.delivery"
        sql.add(f"{cast} LIKE {{}}", f'%"{q.delivery}"%')
    if q.min_price_cents is not None:
        sql.add("l.price_cents >= {}", q.min_price_cents)
    if q.max_price_cents is not None:
        sql.add("l.price_cents <= {}", q.max_price_cents)
    if q.seller_id is not None:
        sql.add("l.seller_id = {}", q.seller_id)
    if q.tag is not None:
        # "_" is both a LIKE wildcard and a character hashtags may have: escape it.
        key = hashtags.normalise(q.tag).replace("_", "\\_")
        sql.add("l.hashtag_keys LIKE {} ESCAPE '\\'", f"% {key} %")


def _order(sql: _Sql, q: SearchQuery, has_text: bool) -> str:
    """ORDER BY; its parameters must be taken after the WHERE's and before LIMIT's."""
    if q.sort == "distance" and q.near is not None:
        # An equirectangular approximation: plain arithmetic both backends run (SQLite may
        # lack trigonometry), exact enough to rank places within a region. Listings without
        # coordinates come last.
        lat, lon = q.near
        scale = math.cos(math.radians(lat))
        # Parameters are taken in the order they appear in the text: SQLite's "?" are
        # positional (PostgreSQL's "$n" are numbered, so only SQLite saw a mix-up here).
        dlat = f"(l.latitude - {sql.param(lat)})"
        dlat2 = f"(l.latitude - {sql.param(lat)})"
        dlon = f"((l.longitude - {sql.param(lon)}) * {sql.param(scale)})"
        dlon2 = f"((l.longitude - {sql.param(lon)}) * {sql.param(scale)})"
        return f"l.latitude IS NULL, {dlat} * {dlat2} + {dlon} * {dlon2} ASC, l.id DESC"
    postgres = sql.postgres
    if q.sort == "price_asc":
        return "l.price_cents IS NULL, l.price_cents ASC, l.id DESC"
    if q.sort == "price_desc":
        return "l.price_cents IS NULL, l.price_cents DESC, l.id DESC"
    if q.sort == "relevance" and has_text:
        return "rank DESC, l.id DESC" if postgres else "rank ASC, l.id DESC"
    return "l.published DESC, l.id DESC"


async def search_ids(q: SearchQuery) -> list[int]:
    """Ids of the matching listings, in order, one page."""
    conn = connections.get("default")
    postgres = conn.capabilities.dialect == "postgres"
    if q.sort == "distance" and q.near is None and q.city:
        q = replace(q, near=await places.city_position(q.city))
    sql = _Sql(postgres)
    terms = terms_of(q.text)
    groups = match_groups(terms)
    source = "listing l JOIN actor a ON a.id = l.seller_id"
    rank = "0"
    if terms:
        if postgres:
            tsquery = sql.param(_tsquery(groups))
            vector = "l.search_vector"  # to_tsvector('simple', search_text), stored
            sql.where.append(f"{vector} @@ to_tsquery('simple', {tsquery})")
            if q.sort == "relevance":
                rank = f"ts_rank({vector}, to_tsquery('simple', {tsquery}))"
        else:
            match = sql.param(_fts5_match(groups))
            source += " JOIN listing_fts f ON f.rowid = l.id"
            sql.where.append(f"f.listing_fts MATCH {match}")
            if q.sort == "relevance":
                # Only when sorted by it: bm25 is computed for every matching row otherwise.
                rank = "f.rank"
    _filters(sql, q)
    order = _order(sql, q, bool(terms))
    limit = sql.param(max(1, min(q.limit, MAX_LIMIT)))
    offset = sql.param(max(0, q.offset))
    statement = (
        f"SELECT l.id AS id, {rank} AS rank FROM {source} "  # noqa: S608 - only our own SQL text
        f"WHERE {' AND '.join(sql.where)} "
        f"ORDER BY {order} LIMIT {limit} OFFSET {offset}"
    )
    rows = await conn.execute_query_dict(statement, sql.params)
    return [int(row["id"]) for row in rows]


async def search(q: SearchQuery) -> list[Listing]:
    """The matching listings (with seller and shop loaded), in the order asked for."""
    ids = await search_ids(q)
    if not ids:
        return []
    found = {
        listing.id: listing
        for listing in await Listing.filter(id__in=ids).prefetch_related("seller", "shop")
    }
    return [found[i] for i in ids if i in found]
