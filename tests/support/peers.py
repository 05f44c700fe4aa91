"""External ActivityPub peers from ../shared/peers (software we did not write), for interop tests.

Each peer runs on a free loopback port, is started by the kit's own ``run.sh`` and stopped by its
``stop.sh``. The kit installs itself on first use under ``PEERS_HOME`` (``.ci/run``/``tests/run.sh``
warm it up first so no test pays the install).
"""

from __future__ import annotations

import json
import os
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.ports import free_port

KIT = Path(os.environ.get("RUTA_PEERS_KIT", Path(__file__).parents[3] / "shared" / "peers"))
PEERS_HOME = Path(os.environ.get("PEERS_HOME", Path.home() / ".cache" / "ruta-peers"))


def kit_available() -> bool:
    return (KIT / "fedify" / "run.sh").is_file()


def _start(args: list[str], env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        ["bash", *args],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, **(env or {})},
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout.strip().splitlines()[-1]


def _stop(name: str) -> None:
    subprocess.run(["bash", str(KIT / "stop.sh"), name], capture_output=True, timeout=60)


def _json(method: str, url: str, body: Any = None, timeout: float = 30) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    req.add_header("Accept", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            raw = response.read()
    except urllib.error.HTTPError as err:
        raise RuntimeError(f"{method} {url} -> {err.code}: {err.read()[:500]!r}") from None
    return json.loads(raw) if raw else None


@dataclass
class Fedify:
    """The Fedify peer: actor ``bob``, a JSON control API under ``/_ctl``."""

    port: int
    actor: str

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def follow(self, target: str) -> None:
        _json("POST", self.base + "/_ctl/follow", {"target": target})

    def undo_follow(self, target: str) -> None:
        _json("POST", self.base + "/_ctl/undo-follow", {"target": target})

    def post(self, html: str) -> None:
        _json("POST", self.base + "/_ctl/post", {"content": html})

    def log(self) -> dict[str, Any]:
        result: dict[str, Any] = _json("GET", self.base + "/_ctl/log")
        return result

    def lookup(self, url: str) -> dict[str, Any] | None:
        try:
            result: dict[str, Any] = _json(
                "GET", self.base + "/_ctl/lookup?q=" + urllib.request.quote(url, safe="")
            )
            return result
        except RuntimeError:
            return None

    def reset(self) -> None:
        _json("POST", self.base + "/_ctl/reset", {})


@contextmanager
def fedify(first_knock: str = "rfc9421") -> Iterator[Fedify]:
    port = free_port()
    line = _start([str(KIT / "fedify" / "run.sh"), str(port), first_knock])
    try:
        yield Fedify(port=port, actor=line.split("actor=")[1].split()[0])
    finally:
        _stop(f"fedify-{port}")


@dataclass
class Herd:
    """bovine-herd with one actor, driven as its owner through ``drive.py``."""

    port: int
    actor: str
    secret: str

    def drive(self, *args: str) -> str:
        python = PEERS_HOME / "venv-herd" / "bin" / "python"
        result = subprocess.run(
            [
                str(python),
                str(KIT / "bovine-herd" / "drive.py"),
                str(self.port),
                self.secret,
                *args,
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if result.returncode != 0:
            raise RuntimeError(f"drive.py {' '.join(args)} failed: {result.stderr[-2000:]}")
        return result.stdout

    def inbox(self, n: int = 20) -> list[dict[str, Any]]:
        return [
            json.loads(line) for line in self.drive("inbox", str(n)).splitlines() if line.strip()
        ]

    def following(self) -> list[str]:
        result: list[str] = json.loads(self.drive("following"))
        return result

    def followers(self) -> list[str]:
        result: list[str] = json.loads(self.drive("followers"))
        return result

    def log_text(self) -> str:
        return (PEERS_HOME / "run" / f"herd-{self.port}.log").read_text(errors="replace")


@contextmanager
def herd(handle: str = "moocow") -> Iterator[Herd]:
    port = free_port()
    line = _start([str(KIT / "bovine-herd" / "run.sh"), str(port), handle], env={"HERD_FRESH": "1"})
    actor = line.split("actor=")[1].split()[0]
    secret = line.split("secret=")[1].split()[0]
    try:
        yield Herd(port=port, actor=actor, secret=secret)
    finally:
        _stop(f"herd-{port}")


@dataclass
class PastureTool:
    tool: str
    port: int
    line: str

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def pasture(tool: str) -> Iterator[PastureTool]:
    """``verify_actor``, ``http_signature`` or ``one_actor`` from fediverse-pasture."""
    port = free_port()
    line = _start([str(KIT / "pasture" / "run.sh"), tool, str(port)])
    try:
        yield PastureTool(tool=tool, port=port, line=line)
    finally:
        _stop(f"pasture-{tool}-{port}")


def send_pasture_inputs(
    one_actor_port: int, target_actor: str, groups: list[str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Send the fediverse-pasture-inputs corpus as signed Creates to ``target_actor``."""
    python = PEERS_HOME / "venv-pasture" / "bin" / "python"
    args = [str(python), str(KIT / "pasture" / "send_inputs.py"), str(one_actor_port), target_actor]
    if groups:
        args.append(",".join(groups))
    return subprocess.run(args, capture_output=True, text=True, timeout=900)
