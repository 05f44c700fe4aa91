"""Federation reads: actor GET and WebFinger requests/s.

Against two references, each hammered with the same load (32 keep-alive connections, the same
number of seconds):

- the ``static`` helper: a bare aiohttp handler answering the very bytes the node answered
  (same size), the physical limit of one Python process here — target ≥ 0.5×;
- bovine-herd from the peers kit (../shared/peers): its actor wants signed GETs (authorized
  fetch), so it gets a pool of signed ones (its key lookup is cached after the first) —
  target: ours ≥ 20× its rate. When it cannot be started the rows say why.
"""

from __future__ import annotations

import os
import subprocess
import urllib.request
from pathlib import Path

from bench.actors import AS2, signed_get
from bench.common import (
    Context,
    Load,
    Node,
    Request,
    Row,
    free_port,
    hammer,
    helper,
    ratio_row,
)

KIT = Path(os.environ.get("RUTA_PEERS_KIT", Path(__file__).parents[2] / "shared" / "peers"))
HANDLE = "benchcow"
HERD_START_TIMEOUT = 900  # the kit installs bovine-herd on first use


def _get(url: str, headers: dict[str, str]) -> bytes:
    req = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(req, timeout=10) as response:
        body: bytes = response.read()
        return body


def _measure(url: str, pool: list[Request], ctx: Context, what: str) -> Load:
    hammer(url, pool, 1.0)  # warm-up: connections, caches
    load = hammer(url, pool, ctx.seconds)
    load.check(what)
    return load


def _herd(ctx: Context) -> tuple[float, float] | str:
    """(actor req/s, WebFinger req/s) of bovine-herd, or why it is unavailable."""
    if not (KIT / "bovine-herd" / "run.sh").is_file():
        return f"peers kit not found at {KIT}"
    signer = ctx.actors()[0]
    keys = helper("keys", ctx.workdir, str(ctx.actors_file))
    port = free_port()
    env = {**os.environ, "HERD_FRESH": "1"}
    try:
        started = subprocess.run(
            ["bash", str(KIT / "bovine-herd" / "run.sh"), str(port), HANDLE],
            capture_output=True, text=True, timeout=HERD_START_TIMEOUT, env=env,
        )  # fmt: skip
        if started.returncode != 0:
            return "bovine-herd did not start: " + started.stderr.strip().splitlines()[-1][:200]
        actor_url = started.stdout.split("actor=")[1].split()[0]
        signer_id = signer.uri(f"127.0.0.1:{keys.port}")
        pool: list[Request] = [(signed_get(actor_url, signer, signer_id), None) for _ in range(50)]
        try:
            actor = _measure(actor_url, pool, ctx, "bovine-herd actor")
            finger = f"http://127.0.0.1:{port}/.well-known/webfinger?resource=acct:{HANDLE}@127.0.0.1:{port}"
            webfinger = _measure(finger, [({}, None)], ctx, "bovine-herd webfinger")
        except RuntimeError as exc:
            return f"bovine-herd failed under load: {exc}"
        return actor.rate, webfinger.rate
    except subprocess.TimeoutExpired:
        return f"bovine-herd did not start within {HERD_START_TIMEOUT} s"
    finally:
        subprocess.run(
            ["bash", str(KIT / "stop.sh"), f"herd-{port}"], capture_output=True, timeout=60
        )
        keys.stop()


def run(ctx: Context) -> list[Row]:
    node = Node(ctx.workdir)
    static = None
    try:
        node.start()
        node.create_user("ana")
        actor_path = "/users/ana"
        finger_path = f"/.well-known/webfinger?resource=acct:ana@{node.domain}"
        static_dir = ctx.workdir / "static"
        static_dir.mkdir(exist_ok=True)
        (static_dir / "actor").write_bytes(_get(node.url + actor_path, {"Accept": AS2}))
        (static_dir / "webfinger").write_bytes(_get(node.url + finger_path, {}))
        static = helper("static", ctx.workdir, str(static_dir))
        as2: list[Request] = [({"Accept": AS2}, None)]
        plain: list[Request] = [({}, None)]
        ours = {
            "actor": _measure(node.url + actor_path, as2, ctx, "actor"),
            "webfinger": _measure(node.url + finger_path, plain, ctx, "webfinger"),
        }
        bare = {
            "actor": _measure(static.url + "/actor", as2, ctx, "static actor"),
            "webfinger": _measure(static.url + "/webfinger", plain, ctx, "static webfinger"),
        }
        sizes = {name: (static_dir / name).stat().st_size for name in ours}
    finally:
        node.stop()
        if static is not None:
            static.stop()
    herd = _herd(ctx)
    rows = []
    for i, name in enumerate(("actor", "webfinger")):
        load = ours[name]
        rows.append(
            ratio_row(
                "reads", f"{name} GET", load.rate, "req/s", bare[name].rate, "static JSON",
                at_least=0.5,
                note=f"{sizes[name]} B; p50 {load.percentile_ms(0.5):.1f} ms, "
                f"p99 {load.percentile_ms(0.99):.1f} ms; 32 connections",
            )
        )  # fmt: skip
        if isinstance(herd, str):
            rows.append(
                Row("reads", f"{name} GET vs bovine-herd", load.rate, "req/s",
                    target="≥ 20×", note=f"unavailable: {herd}")
            )  # fmt: skip
        else:
            extra = "; its actor gets signed GETs (authorized fetch)" if name == "actor" else ""
            rows.append(
                ratio_row(
                    "reads", f"{name} GET vs bovine-herd", load.rate, "req/s", herd[i],
                    "bovine-herd", at_least=20, note=f"bovine-herd 0.5.19{extra}",
                )
            )  # fmt: skip
    return rows
