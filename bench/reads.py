"""Federation reads against a static handler: prints requests/s and the ratio (DESIGN.md "Runtime").

Starts ``ruta serve`` (SQLite, workers on, as a city runs it) in a temporary directory, creates
one user, then hammers each URL with concurrent keep-alive GETs for a few seconds:

- ``/healthz`` — the baseline: a constant JSON answer through the same middlewares;
- the actor document and WebFinger — served from memory after the first request;
- NodeInfo and the outbox's first page — database reads on every request.

Target: actor and WebFinger ≥ 0.5× the baseline.

    .venv/bin/python -m bench.reads [--seconds 3] [--concurrency 32]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import aiohttp

RUTA = str(Path(sys.executable).parent / "ruta")
ACCEPT_AS2 = {"Accept": "application/activity+json"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _hammer(url: str, headers: dict[str, str], seconds: float, concurrency: int) -> float:
    done = 0
    deadline = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            nonlocal done
            while time.perf_counter() < deadline:
                async with session.get(url, headers=headers) as response:
                    await response.read()
                    if response.status != 200:
                        raise RuntimeError(f"{url} answered {response.status}")
                done += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return done / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    port = _free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RUTA_")}
        env.update(
            {
                "RUTA_DOMAIN": f"127.0.0.1:{port}",
                "RUTA_DATA_DIR": data_dir,
                "RUTA_LOG_LEVEL": "warning",
            }
        )
        server = subprocess.Popen(
            [RUTA, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(300):
                try:
                    urllib.request.urlopen(base + "/readyz", timeout=1).read()  # noqa: S310 - our http URL
                    break
                except OSError:
                    time.sleep(0.05)
            subprocess.run(
                [RUTA, "user", "create", "ana", "--email", "ana@example.org"],
                env=env, input="correct horse battery\n", text=True, check=True,
                capture_output=True,
            )  # fmt: skip
            targets = [
                ("static /healthz", "/healthz", {}),
                ("actor (AS2)", "/users/ana", ACCEPT_AS2),
                ("webfinger", f"/.well-known/webfinger?resource=acct:ana@127.0.0.1:{port}", {}),
                ("nodeinfo 2.1", "/nodeinfo/2.1", {}),
                ("outbox page", "/users/ana/outbox?page=true", ACCEPT_AS2),
            ]
            asyncio.run(_hammer(base + "/healthz", {}, 1.0, args.concurrency))  # warm up
            baseline = 0.0
            for label, path, headers in targets:
                rate = asyncio.run(_hammer(base + path, headers, args.seconds, args.concurrency))
                baseline = baseline or rate
                print(f"{label:18} {rate:8.0f} req/s   {rate / baseline:5.2f}x static")
        finally:
            server.terminate()
            server.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
