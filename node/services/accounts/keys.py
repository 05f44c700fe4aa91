"""Key pairs of local actors: RSA-2048 for HTTP signatures (``#main-key``) and Ed25519 for
object proofs (FEP-521a Multikey). Generated once per actor and kept forever."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_ED25519_MULTICODEC = b"\xed\x01"


@dataclass(frozen=True)
class GeneratedKeys:
    rsa_private_pem: str
    rsa_public_pem: str
    ed25519_private_pem: str
    ed25519_multibase: str  # "z6Mk…", the public key as FEP-521a publicKeyMultibase


def generate_keys_sync() -> GeneratedKeys:
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ed_key = ed25519.Ed25519PrivateKey.generate()
    return GeneratedKeys(
        rsa_private_pem=rsa_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
        rsa_public_pem=rsa_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode(),
        ed25519_private_pem=ed_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
        ed25519_multibase=ed25519_multibase(ed_key.public_key()),
    )


async def generate_keys() -> GeneratedKeys:
    """Generate a fresh key set off the event loop (RSA generation takes ~50-200 ms)."""
    return await asyncio.to_thread(generate_keys_sync)


def ed25519_multibase(public_key: ed25519.Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "z" + base58btc(_ED25519_MULTICODEC + raw)


def base58btc(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, rem = divmod(number, 58)
        out = _BASE58[rem] + out
    leading_zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * leading_zeros + out
