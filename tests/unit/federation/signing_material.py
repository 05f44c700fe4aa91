"""Keys, a key lookup and request builders shared by the signature tests."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from federation import signatures as sig

ACTOR = "https://remote.example/users/bob"
KEY_ID = ACTOR + "#main-key"
ED_KEY_ID = ACTOR + "#ed25519-key"
NOW = 1_750_000_000.0
NOW_DATE = "Sun, 15 Jun 2025 15:06:40 GMT"  # == NOW
INBOX = "https://our.example/users/alice/inbox"

RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ED_KEY = ed25519.Ed25519PrivateKey.generate()


def lookup_for(mapping: dict[str, sig.ResolvedKey]) -> sig.KeyLookup:
    async def lookup(key_id: str) -> sig.ResolvedKey | None:
        return mapping.get(key_id)

    return lookup


LOOKUP = lookup_for(
    {
        KEY_ID: sig.ResolvedKey(ACTOR, RSA_KEY.public_key()),
        ED_KEY_ID: sig.ResolvedKey(ACTOR, ED_KEY.public_key()),
    }
)


async def verify(
    method: str,
    url: str,
    headers: Any,
    body: bytes | None,
    lookup: sig.KeyLookup = LOOKUP,
    now: float = NOW,
    **kw: Any,
) -> sig.VerifiedSigner | sig.Failure:
    return await sig.verify_request(method, url, headers, body, lookup, now=now, **kw)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def manual_cavage(
    fields: list[tuple[str, str]],
    key: rsa.RSAPrivateKey,
    key_id: str = KEY_ID,
    algorithm: str = "rsa-sha256",
) -> str:
    """A draft-cavage Signature header over exactly ``fields`` (to build non-Ruta shapes)."""
    message = "\n".join(f"{n}: {v}" for n, v in fields).encode()
    signature = key.sign(message, padding.PKCS1v15(), hashes.SHA256())
    names = " ".join(n for n, _ in fields)
    return (
        f'keyId="{key_id}",algorithm="{algorithm}",headers="{names}",signature="{b64(signature)}"'
    )


FEDIFY_COMPONENTS = ["@method", "@target-uri", "@authority", "host", "date"]


def rsa_sign(data: bytes) -> bytes:
    return RSA_KEY.sign(data, padding.PKCS1v15(), hashes.SHA256())


def fedify_rfc9421(
    method: str,
    url: str,
    body: bytes | None,
    key_id: str,
    sign: Callable[[bytes], bytes],
    alg: str = "rsa-v1_5-sha256",
    created: int = int(NOW),
    components: list[str] | None = None,
    params: str | None = None,
) -> dict[str, str]:
    """Headers as Fedify 2.3.6 builds them (``signRequestRfc9421``)."""
    parts = urlsplit(url)
    headers = {"Host": parts.netloc, "Date": NOW_DATE}
    if body is not None:
        headers["Content-Digest"] = f"sha-256=:{b64(hashlib.sha256(body).digest())}:"
    comps = list(
        components
        if components is not None
        else FEDIFY_COMPONENTS + (["content-digest"] if body is not None else [])
    )
    derived = {
        "@method": method.upper(),
        "@target-uri": url,
        "@authority": parts.netloc,
        "@path": parts.path,
    }
    lower = {k.lower(): v for k, v in headers.items()}
    lines = [f'"{c}": {derived[c] if c.startswith("@") else lower[c]}' for c in comps]
    params = params if params is not None else f'alg="{alg}";keyid="{key_id}";created={created}'
    inner = "(" + " ".join(f'"{c}"' for c in comps) + ")"
    lines.append(f'"@signature-params": {inner};{params}')
    signature = sign("\n".join(lines).encode())
    headers["Signature-Input"] = f"sig1={inner};{params}"
    headers["Signature"] = f"sig1=:{b64(signature)}:"
    return headers
