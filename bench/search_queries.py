"""The search benchmark's queries: what a buyer types and picks, each run ``ROUNDS`` times through
``node.services.market.search.search`` (the function the API's search calls), interleaved with
the baseline on the same connection: ``SELECT * FROM listing LIMIT 20`` (one page, no filter, no
full-text match). The id query alone and the full-text match alone are timed too, for the notes."""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable
from typing import Any

ROUNDS = 12  # each query of QUERIES this many times per backend
PAGE = 20
BASELINE_SQL = "SELECT * FROM listing LIMIT 20"  # one page, no filter, no full-text match

# name, SearchQuery keyword arguments: what a buyer types and picks.
QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("cafe (accent-insensitive)", {"text": "cafe"}),
    ("jamon + category food", {"text": "jamon", "category": "food"}),
    ("clases ingles + city Huelva", {"text": "clases ingles", "city": "Huelva"}),
    ("bicicleta + price 50-300 €", {"text": "bicicleta", "min_price_cents": 5000,
                                    "max_price_cents": 30000}),
    ("fontanero + purpose offer", {"text": "fontanero", "purpose": "offer"}),
    ("azulejo + city Tavira", {"text": "azulejo", "city": "Tavira"}),
    ("sofa + delivery + price ≤ 400 €", {"text": "sofa", "delivery": "local_delivery",
                                         "max_price_cents": 40000}),
    ("surf + sort price", {"text": "surf", "sort": "price_asc"}),
    ("limpieza + request", {"text": "limpieza", "purpose": "request"}),
    ("mel (prefix) + remote", {"text": "mel", "local": False}),
    ("barco passeio + relevance", {"text": "passeio barco", "sort": "relevance"}),
    ("category tourism + city Lagos", {"category": "tourism", "city": "Lagos"}),
    ("electronics + condition good", {"category": "electronics", "condition": "good"}),
    ("portatil + page 3", {"text": "portatil", "offset": 40}),
    ("cestas (plural) + city la palma (prefix)", {"text": "cestas", "city": "la palma"}),
]  # fmt: skip


async def timed(work: Awaitable[Any], times: list[float]) -> Any:
    """Await ``work`` (a coroutine: it starts running here) and note its time in ms."""
    started = time.perf_counter()
    result = await work
    times.append((time.perf_counter() - started) * 1000)
    return result


async def measure() -> dict[str, Any]:
    """Run every query ROUNDS times (interleaved with the baseline); latencies in ms."""
    from tortoise import connections

    from node.services.market import search

    conn = connections.get("default")
    found: dict[str, int] = {}
    per_query: dict[str, list[float]] = {name: [] for name, _ in QUERIES}
    ours: list[float] = []
    base: list[float] = []
    ids: list[float] = []  # the same queries, the id query alone (no listings loaded)
    fts: list[float] = []
    baseline_sql = BASELINE_SQL
    # Warm up: the first query of a connection pays for opening it and the page cache.
    for _name, kwargs in QUERIES:
        await search.search(search.SearchQuery(**kwargs))
    await conn.execute_query_dict(baseline_sql)
    for _ in range(ROUNDS):
        for name, kwargs in QUERIES:
            q = search.SearchQuery(**kwargs)
            result = await timed(search.search(q), ours)
            per_query[name].append(ours[-1])
            found[name] = len(result)
            await timed(search.search_ids(q), ids)
            await timed(conn.execute_query_dict(baseline_sql), base)
            if kwargs.get("text"):
                bare = search.SearchQuery(text=kwargs["text"])
                await timed(search.search_ids(bare), fts)
    return {
        "ours": ours,
        "base": base,
        "ids": ids,
        "fts": fts,
        "per_query": per_query,
        "found": found,
    }


def slowest(measured: dict[str, Any]) -> str:
    """Which query was slowest (by median), for the notes."""
    per_query: dict[str, list[float]] = measured["per_query"]
    name = max(per_query, key=lambda n: statistics.median(per_query[n]))
    return f"slowest: {name} (p50 {statistics.median(per_query[name]):.1f} ms)"
