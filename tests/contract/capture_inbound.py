"""Capture real documents from the peers kit into schemas/examples/inbound/<software>/.

A small recording actor ("sink", with real keys, signing its requests) is followed by and
follows Fedify and bovine-herd, and records every activity they POST to it: Follow, Accept,
Create{Note}, Undo{Follow}; plus each peer's actor document (a signed GET). The files are
written exactly as received, so inbox tests read what these servers really send.

    .venv/bin/python -m tests.contract.capture_inbound [fedify|bovine ...]
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

import aiohttp
from aiohttp import web

import schemas
from federation.convert.actor import actor_to_ap
from federation.signatures import load_private_key, sign_request
from node.config import Settings
from node.models.actors import Actor, ActorKind
from node.services.accounts.keys import generate_keys_sync
from node.urls import Urls
from tests.support.peers import fedify, herd
from tests.support.ports import free_port

AS2 = "application/activity+json"


class Sink:
    """A minimal actor at ``http://127.0.0.1:PORT/users/sink`` that records its inbox."""

    def __init__(self) -> None:
        self.port = free_port()
        self.urls = Urls(Settings(domain=f"127.0.0.1:{self.port}", scheme="http"))
        keys = generate_keys_sync()
        self.key = load_private_key(keys.rsa_private_pem)
        uri = self.urls.actor(ActorKind.PERSON, "sink")
        self.actor = Actor(
            uri=uri,
            kind=ActorKind.PERSON,
            username="sink",
            domain=self.urls.domain,
            local=True,
            inbox_url=uri + "/inbox",
            shared_inbox_url=self.urls.shared_inbox(),
            public_key_id=uri + "#main-key",
            public_key_pem=keys.rsa_public_pem,
        )
        self.received: list[dict[str, Any]] = []
        self.runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/users/sink", self._actor)
        app.router.add_post("/users/sink/inbox", self._inbox)
        app.router.add_post("/inbox", self._inbox)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()

    async def _actor(self, request: web.Request) -> web.Response:
        return web.json_response(actor_to_ap(self.actor, self.urls), content_type=AS2)

    async def _inbox(self, request: web.Request) -> web.Response:
        self.received.append(json.loads(await request.read()))
        return web.Response(status=202)

    async def wait_for(self, kind: str, within: float = 30.0) -> dict[str, Any]:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            for item in self.received:
                if item.get("type") == kind:
                    self.received.remove(item)
                    return item
            await asyncio.sleep(0.1)
        raise TimeoutError(f"no {kind} arrived; got {[i.get('type') for i in self.received]}")

    async def signed(
        self, session: aiohttp.ClientSession, method: str, url: str, body: Any = None
    ) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        headers = sign_request(method, url, data, str(self.actor.public_key_id), self.key)
        headers.update({"Accept": AS2, "Content-Type": AS2})
        async with session.request(method, url, data=data, headers=headers) as response:
            text = await response.text()
            if response.status >= 300:
                raise RuntimeError(f"{method} {url} -> {response.status}: {text[:300]}")
            return json.loads(text) if text and method == "GET" else None

    async def follow(self, session: aiohttp.ClientSession, actor: dict[str, Any]) -> None:
        follow = {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": self.actor.uri + "/follows/1",
            "type": "Follow",
            "actor": self.actor.uri,
            "object": actor["id"],
        }
        await self.signed(session, "POST", actor["inbox"], follow)


def save(software: str, name: str, document: dict[str, Any]) -> None:
    directory = schemas.INBOUND_DIR / software
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.json"
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(path.relative_to(schemas.DIRECTORY.parent))


async def capture_fedify() -> None:
    sink = Sink()
    await sink.start()
    try:
        with fedify() as peer:
            async with aiohttp.ClientSession() as session:
                actor = await sink.signed(session, "GET", peer.actor)
                save("fedify", "actor-person", actor)
                await asyncio.to_thread(peer.follow, sink.actor.uri)
                save("fedify", "follow", await sink.wait_for("Follow"))
                await sink.follow(session, actor)
                save("fedify", "accept-follow", await sink.wait_for("Accept"))
                await asyncio.to_thread(peer.post, "<p>Hola desde <b>Fedify</b></p>")
                save("fedify", "create-note", await sink.wait_for("Create"))
                await asyncio.to_thread(peer.undo_follow, sink.actor.uri)
                save("fedify", "undo-follow", await sink.wait_for("Undo"))
    finally:
        await sink.stop()


async def capture_bovine() -> None:
    sink = Sink()
    await sink.start()
    try:
        with herd("capture") as peer:
            async with aiohttp.ClientSession() as session:
                actor = await sink.signed(session, "GET", peer.actor)
                save("bovine", "actor-person", actor)
                await asyncio.to_thread(peer.drive, "follow", sink.actor.uri)
                save("bovine", "follow", await sink.wait_for("Follow"))
                await sink.follow(session, actor)
                await asyncio.to_thread(peer.drive, "accept-latest-follow")
                save("bovine", "accept-follow", await sink.wait_for("Accept"))
                await asyncio.to_thread(peer.drive, "post", "Hola desde bovine-herd")
                save("bovine", "create-note", await sink.wait_for("Create"))
    finally:
        await sink.stop()


CAPTURES = {"fedify": capture_fedify, "bovine": capture_bovine}


def main(names: list[str]) -> int:
    for name in names or list(CAPTURES):
        asyncio.run(CAPTURES[name]())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
