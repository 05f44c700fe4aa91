"""Checks shared by both signature schemes: header normalisation, Host, Date, key lookup and
key/algorithm compatibility. The cheap ones run before any key is fetched, so junk never causes
network traffic."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import SplitResult, urlsplit

from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from federation.signatures.keys import ResolvedKey
from federation.signatures.results import Failure, KeyLookup, VerifyPolicy

log = logging.getLogger(__name__)

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
DEFAULT_PORTS = {"http": "80", "https": "443"}


def normalize_headers(raw: Mapping[str, str]) -> dict[str, str] | Failure:
    """Lower-case names; repeated fields joined with ", " (RFC 9421 §2.1)."""
    items: Iterable[tuple[Any, Any]] = raw.items()
    grouped: dict[str, list[str]] = {}
    for name, value in items:
        if not isinstance(name, str) or not isinstance(value, str):
            return Failure("header names and values must be str")
        if "\n" in value or "\r" in value:
            return Failure(f"header {name} contains a line break")
        grouped.setdefault(name.strip().lower(), []).append(value.strip())
    return {name: ", ".join(values) for name, values in grouped.items()}


def authority(parts: SplitResult) -> str:
    """``host[:port]`` lower-cased, userinfo and the scheme's default port removed."""
    netloc = parts.netloc.rpartition("@")[2].lower()
    default = DEFAULT_PORTS.get(parts.scheme.lower())
    if default and netloc.endswith(f":{default}") and not netloc.endswith("]"):
        netloc = netloc[: -len(default) - 1]
    return netloc


def request_target(parts: SplitResult) -> str:
    """Path and query, as draft-cavage's ``(request-target)`` wants them."""
    path = parts.path or "/"
    return f"{path}?{parts.query}" if parts.query else path


def check_host(headers: dict[str, str], parts: SplitResult, key_id: str) -> Failure | None:
    """The signed Host is this server: a request signed for another server cannot be replayed."""
    host = headers.get("host")
    if host is None:
        return Failure("Host header missing", key_id)
    expected = authority(parts)
    try:
        got = authority(urlsplit(f"{parts.scheme}://{host}"))
    except ValueError:
        return Failure("Host header unparseable", key_id)
    if got != expected:
        return Failure(f"Host {host!r} is not this server ({expected})", key_id)
    return None


def check_date(value: str | None, now: float, policy: VerifyPolicy, key_id: str) -> Failure | None:
    if value is None:
        return Failure("Date header missing", key_id)
    try:
        sent = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return Failure("Date header unparseable", key_id)
    if abs(now - sent) > policy.window_seconds:
        return Failure("Date outside the allowed window", key_id)
    return None


async def lookup_key(key_lookup: KeyLookup, key_id: str) -> ResolvedKey | Failure:
    """The key for ``key_id``; lookup errors become a Failure (a 401, never a 500)."""
    try:
        key = await key_lookup(key_id)
    except Exception as exc:
        log.info("key lookup for %s failed: %r", key_id, exc)
        return Failure(f"key lookup failed ({type(exc).__name__})", key_id)
    if key is None:
        return Failure("unknown key", key_id)
    if not isinstance(key, ResolvedKey):
        return Failure("key lookup returned an unsupported object", key_id)
    return key


def check_key(
    key: ResolvedKey, algorithm: str, key_id: str, policy: VerifyPolicy
) -> Failure | None:
    """The declared algorithm fits the key's type, and RSA keys are big enough."""
    public_key = key.public_key
    if isinstance(public_key, rsa.RSAPublicKey):
        if algorithm not in ("rsa-sha256", "hs2019", "rsa-v1_5-sha256"):
            return Failure(f"algorithm {algorithm} does not match an RSA key", key_id)
        if public_key.key_size < policy.min_rsa_bits:
            return Failure(f"RSA key too small ({public_key.key_size} bits)", key_id)
        return None
    if isinstance(public_key, ed25519.Ed25519PublicKey):
        if algorithm not in ("hs2019", "ed25519"):
            return Failure(f"algorithm {algorithm} does not match an Ed25519 key", key_id)
        return None
    return Failure("unsupported key type", key_id)
