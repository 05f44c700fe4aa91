"""Remote actors for the benchmarks: RSA keys, their actor documents, signed requests.

Only the standard library at import: ``bench.servers`` imports this module and its receiver
must stay a bare aiohttp process. The keys are generated once per run and written to
``actors.json`` in the run's work directory, where the key server and the baseline verifier
(``bench.servers``) read them. Signing uses the node's own code
(``federation.signatures.sign_request``), each key parsed once.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import rsa

AS_PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
AS2 = "application/activity+json"


@dataclass(frozen=True)
class RemoteActor:
    name: str
    private_pem: str
    public_pem: str

    @cached_property
    def private_key(self) -> rsa.RSAPrivateKey:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = serialization.load_pem_private_key(self.private_pem.encode(), password=None)
        assert isinstance(key, rsa.RSAPrivateKey)
        return key

    def uri(self, host: str) -> str:
        return f"http://{host}/users/{self.name}"


def generate(count: int, path: Path) -> list[RemoteActor]:
    """``count`` actors with fresh 2048-bit RSA keys (what Mastodon uses), saved to ``path``."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    actors = []
    for i in range(count):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        private_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        public_pem = (
            key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )
        actors.append(RemoteActor(f"u{i:04d}", private_pem, public_pem))
    rows = [
        {"name": a.name, "private_pem": a.private_pem, "public_pem": a.public_pem} for a in actors
    ]
    path.write_text(json.dumps(rows))
    return actors


def load(path: Path) -> list[RemoteActor]:
    return [
        RemoteActor(d["name"], d["private_pem"], d["public_pem"])
        for d in json.loads(path.read_text())
    ]


def actor_document(actor_id: str, public_pem: str) -> dict[str, Any]:
    """A Mastodon-shaped actor document for ``actor_id``."""
    return {
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "id": actor_id,
        "type": "Person",
        "preferredUsername": actor_id.rsplit("/", 1)[1],
        "name": "Bench sender",
        "inbox": actor_id + "/inbox",
        "outbox": actor_id + "/outbox",
        "followers": actor_id + "/followers",
        "following": actor_id + "/following",
        "endpoints": {"sharedInbox": actor_id.rsplit("/users/", 1)[0] + "/inbox"},
        "publicKey": {"id": actor_id + "#main-key", "owner": actor_id, "publicKeyPem": public_pem},
    }


def create_note(actor_id: str, serial: int, size: int = 2048) -> bytes:
    """A ``Create{Note}`` of about ``size`` bytes, public, by ``actor_id``."""
    note_id = f"{actor_id}/statuses/{serial}"
    activity: dict[str, Any] = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": note_id + "/activity",
        "type": "Create",
        "actor": actor_id,
        "published": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "to": [AS_PUBLIC],
        "cc": [actor_id + "/followers"],
        "object": {
            "id": note_id,
            "type": "Note",
            "attributedTo": actor_id,
            "published": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "to": [AS_PUBLIC],
            "cc": [actor_id + "/followers"],
            "url": note_id,
            "content": "",
        },
    }
    filler = size - len(json.dumps(activity)) - 7
    words = ("mercado plaza feria taller curso empleo tienda barrio " * 64)[: max(filler, 0)]
    activity["object"]["content"] = f"<p>{words}</p>"
    return json.dumps(activity, separators=(",", ":")).encode()


def signed_post(
    url: str, body: bytes, actor: RemoteActor, actor_id: str, host: str
) -> tuple[dict[str, str], bytes]:
    """Headers and body of a signed POST of ``body`` to ``url`` (draft-cavage, as Mastodon)."""
    from federation.signatures import sign_request

    headers = sign_request("POST", url, body, actor_id + "#main-key", actor.private_key)
    headers["Host"] = host
    headers["Content-Type"] = AS2
    return headers, body


def signed_get(url: str, actor: RemoteActor, actor_id: str) -> dict[str, str]:
    from federation.signatures import sign_request

    headers = sign_request("GET", url, None, actor_id + "#main-key", actor.private_key)
    headers["Accept"] = AS2
    return headers
