"""A remote server on loopback that a real ``ruta serve`` process delivers to: it serves actor
documents (so the node can resolve and address them) and answers each POST to an actor's inbox
from that inbox's script — one status per request, the last one repeating — recording what came.

It runs on the standard library's threading HTTP server, so blocking tests can drive a node
subprocess and watch this peer at the same time. (``tests/integration/federation/fault_peers``
is the asyncio peer for in-process delivery tests; it serves no actor documents.)
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
_PEM = (
    _KEY.public_key()
    .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    .decode()
)


@dataclass
class Delivery:
    path: str
    status: int
    body: dict[str, Any]


@dataclass
class ScriptedPeer:
    host: str
    port: int = 0
    scripts: dict[str, list[int]] = field(default_factory=dict)  # inbox path -> statuses
    deliveries: list[Delivery] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def actor(self, name: str, *statuses: int) -> str:
        """Add actor ``name`` (no shared inbox) whose inbox answers ``statuses`` in turn."""
        self.scripts[f"/users/{name}/inbox"] = list(statuses) or [202]
        return f"http://{self.host}/users/{name}"

    def to(self, name: str) -> list[Delivery]:
        with self._lock:
            return [d for d in self.deliveries if d.path == f"/users/{name}/inbox"]

    def _document(self, name: str) -> dict[str, Any]:
        uri = f"http://{self.host}/users/{name}"
        return {
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": uri,
            "type": "Person",
            "preferredUsername": name,
            "inbox": uri + "/inbox",
            "outbox": uri + "/outbox",
            "followers": uri + "/followers",
            "publicKey": {"id": uri + "#main-key", "owner": uri, "publicKeyPem": _PEM},
        }

    def _answer(self, path: str, body: bytes) -> int:
        with self._lock:
            script = self.scripts.get(path)
            if script is None:
                return 404
            step = sum(1 for d in self.deliveries if d.path == path)
            status = script[min(step, len(script) - 1)]
            self.deliveries.append(Delivery(path, status, json.loads(body or b"null")))
            return status


def _handler(peer: ScriptedPeer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, status: int, body: bytes = b"", content_type: str = "") -> None:
            self.send_response(status)
            if content_type:
                self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            parts = self.path.split("?")[0].strip("/").split("/")
            inbox = f"/users/{parts[-1]}/inbox"
            if len(parts) == 2 and parts[0] == "users" and inbox in peer.scripts:
                document = json.dumps(peer._document(parts[1])).encode()
                self._send(200, document, "application/activity+json")
            else:
                self._send(404)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self._send(peer._answer(self.path, self.rfile.read(length)))

    return Handler


@contextmanager
def scripted_peer(host: str) -> Iterator[ScriptedPeer]:
    peer = ScriptedPeer(host)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(peer))
    peer.port = int(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield peer
    finally:
        server.shutdown()
        server.server_close()
