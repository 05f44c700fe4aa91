"""Remote servers that misbehave on cue, for the delivery tests.

Each ``FaultPeer`` is a tiny HTTP/1.1 server on its own loopback port, written on raw asyncio
streams so it can do what a well-behaved framework will not: reset the connection, or dribble
one byte at a time. It records every request (headers and body) and answers from a script, one
step per request, repeating the last step:

- an ``int`` status, or ``(status, {header: value})``;
- ``"reset"``: read the request, then close with a TCP RST;
- ``"slow"``: send one byte of a status line every ``slow_interval`` seconds, never finishing.

``DOWN`` peers have a host name and a port where nothing listens. Every peer gets a ``.test``
host name; ``PeerNetwork.resolve()``/``allow()`` give the ``RUTA_RESOLVE`` and
``RUTA_ALLOW_PRIVATE_HOSTS`` values a node needs to reach them, as a demo network configures it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import struct
from dataclasses import dataclass, field
from typing import Any

from tests.support.ports import free_port

Step = int | tuple[int, dict[str, str]] | str

_REASONS = {200: "OK", 202: "Accepted", 400: "Bad Request", 410: "Gone", 429: "Too Many Requests"}


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class FaultPeer:
    host: str
    script: list[Step] = field(default_factory=lambda: [202])
    slow_interval: float = 0.5
    port: int = 0
    received: list[Received] = field(default_factory=list)
    _server: asyncio.Server | None = None
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)
    _step: int = 0

    @property
    def inbox(self) -> str:
        return f"http://{self.host}/inbox"

    def user_inbox(self, name: str) -> str:
        return f"http://{self.host}/users/{name}/inbox"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    def answer(self, *steps: Step) -> None:
        self.script = list(steps)
        self._step = 0

    async def wait_for(self, count: int, within: float = 10.0) -> list[Received]:
        """Wait until ``count`` requests have arrived (an observable condition, not a sleep)."""
        async with asyncio.timeout(within):
            while len(self.received) < count:
                self._arrived.clear()
                await self._arrived.wait()
        return self.received

    def _next_step(self) -> Step:
        step = self.script[min(self._step, len(self.script) - 1)]
        self._step += 1
        return step

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await _read_request(reader)
            if request is None:
                return
            step = self._next_step()
            self.received.append(request)
            self._arrived.set()
            if step == "reset":
                sock = writer.get_extra_info("socket")
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                writer.transport.abort()
                return
            if step == "slow":
                for byte in b"HTTP/1.1 202 Accepted\r\n":
                    writer.write(bytes([byte]))
                    await writer.drain()
                    await asyncio.sleep(self.slow_interval)
                return
            status, headers = step if isinstance(step, tuple) else (int(step), {})
            head = f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}\r\n"
            head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
            head += "Content-Length: 0\r\nConnection: close\r\n\r\n"
            writer.write(head.encode())
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()


async def _read_request(reader: asyncio.StreamReader) -> Received | None:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    body = await reader.readexactly(length) if length else b""
    return Received(method, path, headers, body)


@dataclass
class PeerNetwork:
    """Several peers, plus names that resolve to closed ports."""

    peers: dict[str, FaultPeer] = field(default_factory=dict)
    down: dict[str, int] = field(default_factory=dict)

    async def add(self, host: str) -> FaultPeer:
        peer = FaultPeer(host)
        await peer.start()
        self.peers[host] = peer
        return peer

    def add_down(self, host: str) -> str:
        self.down[host] = free_port()  # nothing listens there
        return f"http://{host}/inbox"

    def resolve(self) -> dict[str, tuple[str, int]]:
        mapping = {f"{h}:80": ("127.0.0.1", p.port) for h, p in self.peers.items()}
        mapping.update({f"{h}:80": ("127.0.0.1", port) for h, port in self.down.items()})
        return mapping

    def allow(self) -> frozenset[str]:
        return frozenset([*self.peers, *self.down])

    async def close(self) -> None:
        for peer in self.peers.values():
            await peer.stop()
