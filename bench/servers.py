"""The helper servers of the benchmarks, each a bare aiohttp process on loopback:

- ``static DIR``: the read baseline, ``GET /<file>`` answers the bytes of ``DIR/<file>``
  (the node's own actor and WebFinger documents, so the sizes are the same);
- ``verify ACTORS ORIGIN``: the inbox baseline, ``POST /inbox`` reads the body and verifies its
  HTTP signature with the node's verification code (``federation.signatures.verify_request``),
  every public key parsed once at start; 202, or 401. No storage;
- ``keys ACTORS``: serves the remote actors' documents (any host name: the id is built from the
  ``Host`` header), which the node fetches once to learn their keys;
- ``receiver``: fan-out receivers under any number of host names: answers 202 to every POST and
  counts them; ``GET /_stats`` tells how many arrived (distinct ``Host`` + path) and when the
  last one did (wall clock), ``POST /_reset`` forgets them, ``GET /_last`` is the last body.

    python -m bench.servers KIND --port PORT [ARGS]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web

from bench.actors import AS2, actor_document, load


async def ready(_request: web.Request) -> web.Response:
    return web.Response(text="ok")


def static_app(directory: Path) -> web.Application:
    files = {p.name: p.read_bytes() for p in directory.iterdir() if p.is_file()}

    async def serve(request: web.Request) -> web.Response:
        body = files.get(request.match_info["name"])
        if body is None:
            raise web.HTTPNotFound()
        return web.Response(body=body, content_type="application/json")

    app = web.Application()
    app.router.add_get("/{name}", serve)
    return app


def verify_app(actors_file: Path, origin: str) -> web.Application:
    # Imported here: the other helpers stay bare aiohttp processes (their RSS is a baseline).
    from federation.signatures import (
        ResolvedKey,
        VerifiedSigner,
        resolved_key_from_document,
        verify_request,
    )

    keys: dict[str, ResolvedKey] = {}
    for actor in load(actors_file):
        doc = {"id": "k", "owner": "o", "publicKeyPem": actor.public_pem}
        keys[f"/users/{actor.name}"] = resolved_key_from_document(doc)

    async def lookup(key_id: str) -> ResolvedKey | None:
        key = keys.get(urlsplit(key_id).path)
        return None if key is None else ResolvedKey(key_id.split("#")[0], key.public_key)

    async def inbox(request: web.Request) -> web.Response:
        body = await request.read()
        result = await verify_request(
            "POST", origin + request.raw_path, request.headers, body, lookup
        )
        return web.Response(status=202 if isinstance(result, VerifiedSigner) else 401)

    app = web.Application()
    app.router.add_post("/inbox", inbox)
    return app


def keys_app(actors_file: Path) -> web.Application:
    pems = {a.name: a.public_pem for a in load(actors_file)}

    async def actor(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in pems:
            raise web.HTTPNotFound()
        doc = actor_document(f"http://{request.host}/users/{name}", pems[name])
        return web.Response(text=json.dumps(doc), content_type=AS2)

    app = web.Application()
    app.router.add_get("/users/{name}", actor)
    return app


def receiver_app() -> web.Application:
    seen: set[str] = set()
    state = {"posts": 0, "last": 0.0, "first": 0.0}
    last_body: list[bytes] = [b""]

    async def receive(request: web.Request) -> web.Response:
        body = await request.read()
        seen.add(request.host + request.path)
        now = time.time()
        state["first"] = state["first"] or now
        state["posts"] += 1
        state["last"] = now
        last_body[0] = body
        return web.Response(status=202)

    async def stats(_request: web.Request) -> web.Response:
        return web.json_response({**state, "distinct": len(seen)})

    async def reset(_request: web.Request) -> web.Response:
        seen.clear()
        state.update(posts=0, last=0.0, first=0.0)
        return web.Response(status=204)

    async def last(_request: web.Request) -> web.Response:
        return web.Response(body=last_body[0], content_type=AS2)

    app = web.Application()
    app.router.add_get("/_stats", stats)
    app.router.add_post("/_reset", reset)
    app.router.add_get("/_last", last)
    app.router.add_post("/{tail:.*}", receive)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description="bench helper servers")
    parser.add_argument("kind", choices=["static", "verify", "keys", "receiver"])
    parser.add_argument("args", nargs="*")
    parser.add_argument("--port", type=int, required=True)
    ns = parser.parse_args()
    if ns.kind == "static":
        app = static_app(Path(ns.args[0]))
    elif ns.kind == "verify":
        app = verify_app(Path(ns.args[0]), ns.args[1])
    elif ns.kind == "keys":
        app = keys_app(Path(ns.args[0]))
    else:
        app = receiver_app()
    app.router.add_get("/_ready", ready)
    web.run_app(app, host="127.0.0.1", port=ns.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
