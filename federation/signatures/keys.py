"""Keys for HTTP signatures: parsing private and public keys, key documents, FEP-521a Multikey.

bovine parses key documents (``publicKey`` PEM objects and ``Multikey`` entries) and performs
the raw signature check; this package is the only place that imports its crypto.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from bovine.crypto.multibase import encode_public_key_to_multibase
from bovine.crypto.types import CryptographicIdentifier
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.hazmat.primitives.serialization import load_pem_private_key

PublicKey = rsa.RSAPublicKey | ed25519.Ed25519PublicKey


@dataclass(frozen=True, slots=True)
class ResolvedKey:
    """What a key lookup returns: the public key and the actor controlling it.

    A lookup must only return a key its controller really lists (``publicKey`` or
    ``assertionMethod``), as Mastodon and Fedify check.
    """

    controller: str
    public_key: PublicKey


class SigningKey(NamedTuple):
    """A local actor's key id (``…#main-key``) and its parsed RSA private key."""

    key_id: str
    private_key: rsa.RSAPrivateKey


@lru_cache(maxsize=1024)
def load_private_key(pem: str) -> rsa.RSAPrivateKey:
    """Parse a PEM private key, once per process.

    Parsing costs 30-60 ms because OpenSSL validates the RSA key; the cache makes repeats free.
    Call it off the event loop the first time (``federation.keyring`` does).
    """
    key = load_pem_private_key(pem.encode("ascii"), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("draft-cavage signing needs an RSA private key")
    return key


def resolved_key_from_document(doc: Mapping[str, Any]) -> ResolvedKey:
    """A key document → :class:`ResolvedKey`.

    Accepts a Mastodon-style ``publicKey`` object (``owner`` + ``publicKeyPem``) or a FEP-521a
    ``Multikey`` (``controller`` + ``publicKeyMultibase``). Raises ``ValueError`` on anything else.
    """
    try:
        if doc.get("type") == "Multikey" or "publicKeyMultibase" in doc:
            ident = CryptographicIdentifier.from_multikey(dict(doc))
        else:
            ident = CryptographicIdentifier.from_public_key(dict(doc))
    except ValueError:
        raise
    except Exception as exc:  # bovine raises assorted errors on malformed documents
        raise ValueError(f"unusable key document ({type(exc).__name__})") from exc
    if ident is None or not isinstance(
        ident.public_key, rsa.RSAPublicKey | ed25519.Ed25519PublicKey
    ):
        raise ValueError("unsupported key type")
    if not isinstance(ident.controller, str) or not ident.controller:
        raise ValueError("key document names no owner")
    return ResolvedKey(controller=ident.controller, public_key=ident.public_key)


def crypto_verify(key: ResolvedKey, message: bytes, signature: bytes) -> bool:
    """RSA PKCS#1 v1.5 SHA-256 or Ed25519 check of ``signature`` over ``message`` (bovine)."""
    try:
        ident = CryptographicIdentifier(controller=key.controller, public_key=key.public_key)
        return ident.verify(message, signature) is not None
    except Exception:  # e.g. a signature of the wrong length for Ed25519
        return False


def multikey_from_ed25519_public(public_key: ed25519.Ed25519PublicKey) -> str:
    """``publicKeyMultibase``: ``"z" + base58btc(0xed 0x01 + 32 raw bytes)`` → ``"z6Mk…"``."""
    if not isinstance(public_key, ed25519.Ed25519PublicKey):
        raise TypeError("expected an Ed25519PublicKey")
    return str(encode_public_key_to_multibase(public_key))


def assertion_method_entry(
    actor_id: str, public_key: ed25519.Ed25519PublicKey, fragment: str = "#ed25519-key"
) -> dict[str, str]:
    """The Multikey object for an actor's ``assertionMethod`` array (FEP-521a)."""
    return {
        "id": actor_id + fragment,
        "type": "Multikey",
        "controller": actor_id,
        "publicKeyMultibase": multikey_from_ed25519_public(public_key),
    }
