"""The search benchmark's rows: p50 and p95 of the filtered queries against the baseline, per
backend, with what was measured in the notes (size, whether the database was cached, the id
query and the full-text match alone, the slowest query)."""

from __future__ import annotations

from typing import Any

from bench.common import Row
from bench.search_queries import BASELINE_SQL, PAGE, QUERIES, ROUNDS

TARGET_P95_MS = 50.0


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def rows(backend: str, m: dict[str, Any]) -> list[Row]:
    ours, base = m["ours"], m["base"]
    out: list[Row] = []
    target = f"≤ {TARGET_P95_MS:g} ms" if backend == "sqlite" else ""
    gen = f"generated in {m['generation_s']:.0f} s" if m["generation_s"] else "cached database"
    for label, p in (("p50", 0.5), ("p95", 0.95)):
        value, baseline = pct(ours, p), pct(base, p)
        met = value <= TARGET_P95_MS if (backend == "sqlite" and label == "p95") else None
        note = (
            f"{m['count']:,} listings ({gen}); {len(QUERIES)} filtered queries × {ROUNDS} "
            f"through search.search (id query, then the page's listings with seller and shop); "
            f"baseline: unfiltered {BASELINE_SQL}; {label} of the id query "
            f"alone {pct(m['ids'], p):.1f} ms, of the full-text match alone without filters "
            f"{pct(m['fts'], p):.1f} ms"
        )
        if label == "p95":
            note += f"; {m['slowest']}"
        out.append(
            Row(
                "search",
                f"{backend} filtered full-text {label}",
                value,
                "ms",
                baseline,
                f"SELECT … LIMIT {PAGE}",
                baseline / value if value > 0 else None,
                target if label == "p95" else "",
                met,
                note,
            )
        )
    return out
