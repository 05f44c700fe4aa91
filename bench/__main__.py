"""Run the benchmarks, print one table, write ``bench/results/<time>.json`` (and ``latest.json``).

    .venv/bin/python -m bench [--only reads,inbox,fanout,search] [--seconds 4]
                              [--inbox-requests 2000] [--search-listings 100000]

Each benchmark starts its own ``ruta serve`` (defaults: SQLite, workers in-process) and its own
baseline in a temporary directory, and stops them. A benchmark that fails prints its error as a
row; no number is ever made up.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from bench import fanout, inbox, reads, search, search_data
from bench.common import Context, Row, machine, markdown_table, write_results

BENCHMARKS: dict[str, Callable[[Context], list[Row]]] = {
    "reads": reads.run,
    "inbox": inbox.run,
    "fanout": fanout.run,
    "search": search.run,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(BENCHMARKS), help="comma-separated names")
    parser.add_argument("--seconds", type=float, default=4.0, help="per measured read load")
    parser.add_argument("--inbox-requests", type=int, default=2000)
    parser.add_argument(
        "--search-listings",
        type=int,
        default=search_data.LISTINGS,
        help="listings in the search benchmark (only the default size is cached)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs)")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = set(names) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")

    workdir = Path(tempfile.mkdtemp(prefix="ruta-bench-"))
    ctx = Context(
        workdir,
        seconds=args.seconds,
        inbox_requests=args.inbox_requests,
        search_listings=args.search_listings,
    )
    rows: list[Row] = []
    durations: dict[str, float] = {}
    failed = False
    try:
        for name in names:
            print(f"… {name}", file=sys.stderr, flush=True)
            started = time.perf_counter()
            try:
                rows += BENCHMARKS[name](ctx)
            except Exception as exc:
                failed = True
                traceback.print_exc()
                rows.append(Row(name, "(benchmark failed)", None, "", note=f"error: {exc}"[:300]))
            durations[name] = round(time.perf_counter() - started, 1)
            print(f"  {name} took {durations[name]:.0f} s", file=sys.stderr, flush=True)
    finally:
        if args.keep or failed:
            print(f"work directory kept: {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    print(markdown_table(rows))
    meta = {**machine(), "command": "python -m bench " + " ".join(argv or sys.argv[1:])}
    meta["durations_s"] = durations
    path = write_results(rows, meta)
    print(f"\n{meta['date']}, {meta['cores']} cores, Python {meta['python']}; JSON: {path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
