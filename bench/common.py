"""What every benchmark shares: child processes (a ``ruta serve`` node, the helper servers of
``bench.servers``), load generation on keep-alive connections, and the result rows with their
table and JSON output.

Every server under test is its own process; the load comes from this process. On a 2-core
machine the server gets one core and the load generator the other, for the node and for its
baseline alike, so their ratio is fair even where the absolute numbers are not.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bench import actors as remote

BIN = Path(sys.executable).parent
RUTA = str(BIN / "ruta")
RESULTS = Path(__file__).parent / "results"
PASSWORD = "correct horse battery staple"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Context:
    """One run: its work directory (logs, data dirs) and sizes."""

    workdir: Path
    seconds: float = 4.0  # per measured read load
    inbox_requests: int = 2000
    search_listings: int = 100_000
    drain_timeout: float = 60.0
    actor_count: int = 100
    _actors: list[remote.RemoteActor] = field(default_factory=list)

    @property
    def actors_file(self) -> Path:
        return self.workdir / "actors.json"

    def actors(self) -> list[remote.RemoteActor]:
        """The remote actors, their keys generated on first use (a few seconds)."""
        if not self._actors:
            self._actors = remote.generate(self.actor_count, self.actors_file)
        return self._actors


# --- processes ---------------------------------------------------------------------------------


class Child:
    """A server in a child process, its output in ``log``."""

    def __init__(self, args: list[str], port: int, log: Path, env: dict[str, str] | None = None):
        self.port = port
        self.log = log
        self._out = open(log, "ab")  # noqa: SIM115 - the child writes it until stop()
        self.proc = subprocess.Popen(
            args, env=env, stdout=self._out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, path: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.log.name} exited at start:\n{self.tail()}")
            try:
                with urllib.request.urlopen(self.url + path, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.05)
        raise RuntimeError(f"{self.log.name} not ready after {timeout}s:\n{self.tail()}")

    def rss_mb(self) -> float:
        """Resident memory of the process (VmRSS), in MB."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")

    def cpu_seconds(self) -> float:
        """CPU time (user + system, all threads) the process used so far."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._out.close()


def helper(kind: str, workdir: Path, *args: str) -> Child:
    """Start ``python -m bench.servers KIND --port P ARGS`` and wait until it answers."""
    port = free_port()
    child = Child(
        [sys.executable, "-m", "bench.servers", "--port", str(port), kind, *args],
        port,
        workdir / f"{kind}-{port}.log",
    )
    child.wait_ready("/_ready")
    return child


@dataclass
class Node:
    """``ruta serve`` with its defaults (SQLite in its data directory, workers in-process)."""

    workdir: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    workers: bool = True  # False: ``--no-workers`` (HTTP only, nothing drains the queues)
    name: str = ""
    child: Child | None = None
    profiler: subprocess.Popen[bytes] | None = None

    @property
    def domain(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.domain}"

    @property
    def data_dir(self) -> Path:
        return self.workdir / f"node-{self.name or self.port}"

    @property
    def db_path(self) -> Path:
        return self.data_dir / "ruta.sqlite3"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RUTA_")}
        env.update(
            {
                "RUTA_DOMAIN": self.domain,
                "RUTA_DATA_DIR": str(self.data_dir),
                "RUTA_LOG_LEVEL": "warning",
                "RUTA_REGISTRATIONS": "open",
            }
        )
        env.update(self.extra_env)
        return env

    def start(self) -> Node:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        args = [RUTA, "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        args += [] if self.workers else ["--no-workers"]
        self.child = Child(args, self.port, self.data_dir.with_suffix(".log"), self.env())
        self.child.wait_ready("/readyz")
        profile_dir = os.environ.get("BENCH_PROFILE")
        if profile_dir:  # sample the node with py-spy (pip install py-spy): collapsed stacks
            out = Path(profile_dir) / f"node-{self.port}.txt"
            self.profiler = subprocess.Popen(
                [str(BIN / "py-spy"), "record", "--format", "raw", "-o", str(out),
                 "--pid", str(self.child.proc.pid)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
        return self

    def cli(self, *args: str, stdin: str | None = None) -> str:
        result = subprocess.run(
            [RUTA, *args], env=self.env(), input=stdin, capture_output=True, text=True, timeout=120
        )
        if result.returncode != 0:
            raise RuntimeError(f"ruta {' '.join(args)} failed: {result.stderr[-2000:]}")
        return result.stdout

    def create_user(self, username: str) -> str:
        """A member account; returns an API token for it."""
        self.cli("user", "create", username, "--email", f"{username}@example.org", stdin=PASSWORD)
        return self.cli("token", "create", username).strip()

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """A read-only query on the node's SQLite file (WAL: readers never block the node)."""
        with sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=10) as conn:
            return list(conn.execute(sql, params).fetchall())

    def count(self, sql: str, params: Sequence[Any] = ()) -> int:
        return int(self.query(sql, params)[0][0])

    def rss_mb(self) -> float:
        assert self.child is not None
        return self.child.rss_mb()

    def stop(self) -> None:
        if self.profiler is not None:
            self.profiler.send_signal(signal.SIGINT)  # py-spy writes its output on SIGINT
            self.profiler.wait(30)
        if self.child is not None:
            self.child.stop()


# --- load ---------------------------------------------------------------------------------------


@dataclass
class Load:
    """What one load run measured: completed requests, wall time, per-request latencies (s)."""

    done: int
    seconds: float
    latencies: list[float]
    unexpected: dict[int, int]

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds > 0 else 0.0

    def percentile_ms(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def check(self, what: str) -> None:
        """Refuse to report a rate made of error answers."""
        bad = sum(self.unexpected.values())
        if bad > self.done // 100:
            raise RuntimeError(f"{what}: unexpected statuses {self.unexpected} of {self.done}")


Request = tuple[dict[str, str], bytes | None]


def _session(concurrency: int) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    return aiohttp.ClientSession(connector=connector, skip_auto_headers=("User-Agent",))


async def _run(
    method: str,
    url: str,
    pool: Sequence[Request],
    concurrency: int,
    expect: int,
    *,
    seconds: float | None,
) -> Load:
    """Send ``pool`` (cycling when ``seconds`` is given, else each request once)."""
    latencies: list[float] = []
    unexpected: dict[int, int] = {}
    next_index = 0
    async with _session(concurrency) as session:

        async def worker(deadline: float) -> None:
            nonlocal next_index
            while time.perf_counter() < deadline:
                if seconds is None and next_index >= len(pool):
                    return
                headers, body = pool[next_index % len(pool)]
                next_index += 1
                sent = time.perf_counter()
                async with session.request(method, url, headers=headers, data=body) as response:
                    await response.read()
                latencies.append(time.perf_counter() - sent)
                if response.status != expect:
                    unexpected[response.status] = unexpected.get(response.status, 0) + 1

        started = time.perf_counter()
        deadline = started + (seconds if seconds is not None else 3600.0)
        await asyncio.gather(*(worker(deadline) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return Load(len(latencies), elapsed, latencies, unexpected)


def hammer(
    url: str, pool: Sequence[Request], seconds: float, concurrency: int = 32, expect: int = 200
) -> Load:
    """GET ``url`` for ``seconds`` from ``concurrency`` keep-alive connections."""
    return asyncio.run(_run("GET", url, pool, concurrency, expect, seconds=seconds))


def post_each(url: str, pool: Sequence[Request], concurrency: int = 16, expect: int = 202) -> Load:
    """POST every request of ``pool`` once."""
    return asyncio.run(_run("POST", url, pool, concurrency, expect, seconds=None))


def wait_for(probe: Any, target: int, timeout: float, interval: float = 0.05) -> tuple[int, float]:
    """Poll ``probe()`` until it reaches ``target``; returns (last value, perf_counter then)."""
    deadline = time.perf_counter() + timeout
    value = probe()
    while value < target and time.perf_counter() < deadline:
        time.sleep(interval)
        value = probe()
    return value, time.perf_counter()


# --- results ------------------------------------------------------------------------------------


@dataclass
class Row:
    """One figure, its baseline measured in the same run, and their ratio (higher is better)."""

    bench: str
    figure: str
    value: float | None
    unit: str
    baseline: float | None = None
    baseline_label: str = ""
    ratio: float | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""

    def cells(self) -> list[str]:
        value = "—" if self.value is None else f"{_num(self.value)} {self.unit}"
        base = "—" if self.baseline is None else f"{_num(self.baseline)} {self.unit}"
        if self.baseline_label:
            base = f"{base} ({self.baseline_label})"
        ratio = "—" if self.ratio is None else f"{self.ratio:.2f}×"
        met = {True: "yes", False: "**no**", None: "—"}[self.met]
        note = " ".join(self.note.split()).replace("|", "/")
        return [self.bench, self.figure, value, base, ratio, self.target, met, note]


HEADER = ["benchmark", "figure", "value", "baseline", "ratio", "target", "met", "notes"]


def _num(x: float) -> str:
    if x >= 100:
        return f"{x:,.0f}"
    if x >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def ratio_row(
    bench: str,
    figure: str,
    value: float,
    unit: str,
    baseline: float,
    baseline_label: str,
    *,
    at_least: float,
    lower_is_better: bool = False,
    note: str = "",
) -> Row:
    """A row whose ratio is value ÷ baseline (baseline ÷ value for times), target ≥ at_least."""
    if lower_is_better:
        ratio = baseline / value if value > 0 else None
    else:
        ratio = value / baseline if baseline > 0 else None
    return Row(
        bench,
        figure,
        value,
        unit,
        baseline,
        baseline_label,
        ratio,
        f"≥ {at_least:g}×",
        None if ratio is None else ratio >= at_least,
        note,
    )


def markdown_table(rows: Sequence[Row]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(row.cells()) + " |" for row in rows]
    return "\n".join(lines)


def write_results(rows: Sequence[Row], meta: dict[str, Any]) -> Path:
    """``bench/results/<UTC time>.json`` and ``latest.json``; returns the first path."""
    RESULTS.mkdir(exist_ok=True)
    document = {"meta": meta, "rows": [asdict(row) for row in rows]}
    text = json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False, default=str)
    path = RESULTS / (time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + ".json")
    path.write_text(text + "\n")
    (RESULTS / "latest.json").write_text(text + "\n")
    return path


def machine() -> dict[str, Any]:
    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": time.strftime("%Y-%m-%d", time.gmtime()),
        "load_average_1m_at_start": os.getloadavg()[0],  # other work on the machine skews it
    }


def mean(values: Sequence[float]) -> float:
    return statistics.fmean(values) if values else 0.0
