"""Real Ruta nodes for tests: ``ruta serve`` in a subprocess, on loopback, with its own database.

A node may have a real-looking host name (``lapalma.test``): every node of a test network gets
``RUTA_RESOLVE`` entries mapping each name to its loopback port, and the names on the
private-address allow-list, exactly as a city would run a demo network on one machine.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.databases import create_pg_database_sync, drop_pg_database_sync
from tests.support.ports import free_port

RUTA = str(Path(sys.executable).parent / "ruta")


@dataclass
class NodeProcess:
    """One node. ``domain`` is what its ids use; ``port`` where it listens on 127.0.0.1."""

    data_dir: Path
    domain: str
    port: int
    database_url: str
    extra_env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None
    _owns_pg: bool = False

    @property
    def base_url(self) -> str:
        return f"http://{self.domain}"

    @property
    def local_url(self) -> str:
        """Where the test process itself reaches the node (no resolver needed)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.data_dir / "node.log"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RUTA_")}
        env.update(
            {
                "RUTA_DOMAIN": self.domain,
                "RUTA_SCHEME": "http",
                "RUTA_DATA_DIR": str(self.data_dir),
                "RUTA_DATABASE_URL": self.database_url,
                "RUTA_RETRY_BASE_SECONDS": "0.05",
                "RUTA_SHUTDOWN_GRACE_SECONDS": "2",
                "RUTA_LOG_LEVEL": "info",
            }
        )
        env.update(self.extra_env)
        return env

    def cli(
        self, *args: str, input: str | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [RUTA, *args], env=self.env(), input=input, capture_output=True, text=True, timeout=60
        )
        if check and result.returncode != 0:
            raise AssertionError(f"ruta {' '.join(args)} failed: {result.stderr}")
        return result

    def start(self, timeout: float = 30.0) -> NodeProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child keeps it
        self.proc = subprocess.Popen(
            [RUTA, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"node {self.domain} exited at start:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.local_url + "/readyz", timeout=2) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.05)
        raise AssertionError(f"node {self.domain} not ready after {timeout}s:\n{self.log_tail()}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> int:
        """Signal the node and wait; returns its exit status."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(
                f"node {self.domain} ignored signal {sig}:\n{self.log_tail()}"
            ) from None

    def kill(self) -> None:
        """``kill -9``: no cleanup at all, as in a crash or power cut."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"

    def create_user(
        self, username: str, *, role: str = "member", password: str = "correct horse battery"
    ) -> str:
        """Create an account and return an API token for it."""
        self.cli(
            "user",
            "create",
            username,
            "--email",
            f"{username}@example.org",
            "--role",
            role,
            input=password + "\n",
        )
        return self.cli("token", "create", username).stdout.strip()

    def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], Any]:
        """A blocking HTTP call to the node; returns (status, headers, parsed JSON or text)."""
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.local_url + path, data=data, method=method)
        req.add_header("Host", self.domain)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=30) as response:
                status, hdrs, raw = response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as err:
            status, hdrs, raw = err.code, dict(err.headers), err.read()
        try:
            return status, hdrs, json.loads(raw)
        except ValueError:
            return status, hdrs, raw.decode(errors="replace")

    def cleanup(self) -> None:
        self.kill()
        if self._owns_pg:
            drop_pg_database_sync(self.database_url)


def make_node(
    tmp_path: Path,
    name: str,
    *,
    backend: str = "sqlite",
    domain: str | None = None,
    port: int | None = None,
    extra_env: dict[str, str] | None = None,
) -> NodeProcess:
    """A node (not started) with its own data dir and database on ``backend``."""
    port = port or free_port()
    data_dir = tmp_path / name
    owns_pg = backend == "postgres"
    url = (
        create_pg_database_sync("ruta_node") if owns_pg else f"sqlite://{data_dir / 'ruta.sqlite3'}"
    )
    return NodeProcess(
        data_dir=data_dir,
        domain=domain or f"127.0.0.1:{port}",
        port=port,
        database_url=url,
        extra_env=dict(extra_env or {}),
        _owns_pg=owns_pg,
    )


def link_network(nodes: list[NodeProcess]) -> None:
    """Let named nodes reach each other: RUTA_RESOLVE and the private-address allow-list."""
    resolve = ",".join(
        f"{n.domain}:80=127.0.0.1:{n.port}"
        if ":" not in n.domain
        else f"{n.domain}=127.0.0.1:{n.port}"
        for n in nodes
    )
    allow = ",".join(n.domain for n in nodes)
    for n in nodes:
        n.extra_env["RUTA_RESOLVE"] = resolve
        n.extra_env["RUTA_ALLOW_PRIVATE_HOSTS"] = ",".join(
            filter(None, [allow, n.extra_env.get("RUTA_ALLOW_PRIVATE_HOSTS", "")])
        )


@contextmanager
def running(*nodes: NodeProcess) -> Iterator[tuple[NodeProcess, ...]]:
    """Link the nodes by name (:func:`link_network`), start them, and stop and remove them
    after, whatever the test did."""
    link_network(list(nodes))
    try:
        for node in nodes:
            node.start()
        yield nodes
    finally:
        for node in nodes:
            node.stop()
            node.cleanup()
