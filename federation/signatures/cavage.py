"""draft-cavage-http-signatures-12: signing (as Mastodon does) and verifying.

bovine builds the signing string and signs; we do not use its ``SignatureChecker``: it drops the
query from ``(request-target)``, requires neither ``host`` nor ``digest``, and allows only ±5 min.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import time
from email.utils import formatdate
from urllib.parse import SplitResult, urlsplit

from bovine.crypto.http_signature import HttpSignature
from bovine.crypto.types import CryptographicSecret
from cryptography.hazmat.primitives.asymmetric import rsa

from federation.signatures.keys import crypto_verify
from federation.signatures.request_checks import (
    BODY_METHODS,
    DEFAULT_PORTS,
    authority,
    check_date,
    check_host,
    check_key,
    lookup_key,
    request_target,
)
from federation.signatures.results import Failure, KeyLookup, VerifiedSigner, VerifyPolicy

_PARAM = re.compile(r'\s*([A-Za-z]+)\s*=\s*(?:"([^"]*)"|(\d+))\s*(?:,|$)')
_ALGORITHMS = {"rsa-sha256", "hs2019", "ed25519"}


def sign_request(
    method: str,
    url: str,
    body: bytes | None,
    key_id: str,
    private_key: rsa.RSAPrivateKey,
    *,
    now: float | None = None,
) -> dict[str, str]:
    """Headers to add to an outbound request: ``Host``, ``Date``, [``Digest``], ``Signature``.

    POST signs ``(request-target) host date digest``, GET ``(request-target) host date``
    (Mastodon's choice). ``(request-target)`` includes the query. Send exactly ``body`` and
    exactly ``url`` (with aiohttp pass ``yarl.URL(url, encoded=True)`` so it is not re-quoted).
    """
    if not isinstance(private_key, rsa.RSAPrivateKey):
        raise TypeError("private_key must be an RSAPrivateKey (use load_private_key)")
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS or not parts.netloc:
        raise ValueError(f"not an absolute http(s) URL: {url!r}")
    host = authority(parts)
    date = formatdate(time.time() if now is None else now, usegmt=True)

    signature = HttpSignature()  # type: ignore[no-untyped-call]
    fields = [
        ("(request-target)", f"{method.lower()} {request_target(parts)}"),
        ("host", host),
        ("date", date),
    ]
    headers = {"Host": host, "Date": date}
    if body is not None or method.upper() in BODY_METHODS:
        digest = "SHA-256=" + base64.b64encode(hashlib.sha256(body or b"").digest()).decode()
        fields.append(("digest", digest))
        headers["Digest"] = digest
    for name, value in fields:
        signature.with_field(name, value)  # type: ignore[no-untyped-call]
    secret = CryptographicSecret(key_id, private_key)
    headers["Signature"] = str(signature.sign_for_http_draft(secret))
    return headers


def parse_signature_header(value: str) -> dict[str, str] | Failure:
    params: dict[str, str] = {}
    pos = 0
    while pos < len(value):
        match = _PARAM.match(value, pos)
        if match is None or match.end() == pos:
            return Failure("malformed Signature header")
        name = match.group(1)
        if name in params:
            return Failure(f"duplicate {name} in Signature header")
        params[name] = match.group(2) if match.group(2) is not None else match.group(3)
        pos = match.end()
    for required in ("keyId", "signature"):
        if not params.get(required):
            return Failure(f"Signature header lacks {required}")
    return params


async def verify_cavage(
    method: str,
    parts: SplitResult,
    headers: dict[str, str],
    body: bytes,
    needs_digest: bool,
    key_lookup: KeyLookup,
    now: float,
    policy: VerifyPolicy,
) -> VerifiedSigner | Failure:
    """Verify a draft-cavage ``Signature`` header. Never raises on bad input."""
    params = parse_signature_header(headers["signature"])
    if isinstance(params, Failure):
        return params
    key_id = params["keyId"]
    algorithm = params.get("algorithm", "hs2019").lower()
    if algorithm not in _ALGORITHMS:
        return Failure(f"unsupported algorithm {algorithm}", key_id)

    signed = params.get("headers", "date").lower().split()
    if len(set(signed)) != len(signed):
        return Failure("duplicate entries in signed headers", key_id)
    required = list(policy.cavage_required) + (["digest"] if needs_digest else [])
    missing = [h for h in required if h not in signed]
    if missing:
        return Failure(f"not signed: {' '.join(missing)}", key_id)

    failure = _cheap_checks(params, signed, parts, headers, body, needs_digest, now, policy)
    if failure is not None:
        return failure

    try:
        signature = base64.b64decode(params["signature"], validate=True)
    except (binascii.Error, ValueError):
        return Failure("signature is not valid base64", key_id)

    targets = [request_target(parts)]
    if policy.cavage_allow_path_only_target and parts.query:
        targets.append(parts.path or "/")

    messages: list[bytes] = []
    for target in targets:
        lines: list[str] = []
        for name in signed:
            if name == "(request-target)":
                lines.append(f"(request-target): {method.lower()} {target}")
            elif name in ("(created)", "(expires)"):
                lines.append(f"{name}: {params[name[1:-1]]}")
            elif name.startswith("("):
                return Failure(f"unsupported pseudo-header {name}", key_id)
            elif name in headers:
                lines.append(f"{name}: {headers[name]}")
            else:
                return Failure(f"signed header {name} is missing", key_id)
        messages.append("\n".join(lines).encode("utf-8"))

    key = await lookup_key(key_lookup, key_id)
    if isinstance(key, Failure):
        return key
    if (failure := check_key(key, algorithm, key_id, policy)) is not None:
        return failure
    for message in messages:
        if crypto_verify(key, message, signature):
            return VerifiedSigner(key_id, key.controller, "draft-cavage", algorithm)
    return Failure("signature does not verify", key_id)


def _cheap_checks(
    params: dict[str, str],
    signed: list[str],
    parts: SplitResult,
    headers: dict[str, str],
    body: bytes,
    needs_digest: bool,
    now: float,
    policy: VerifyPolicy,
) -> Failure | None:
    """Host, Date, created/expires and Digest: everything that needs no key."""
    key_id = params["keyId"]
    if (failure := check_host(headers, parts, key_id)) is not None:
        return failure
    date_failure = (
        check_date(headers.get("date"), now, policy, key_id) if "date" in signed else None
    )
    if date_failure is not None:
        return date_failure
    for pseudo in ("created", "expires"):
        if f"({pseudo})" in signed and pseudo not in params:
            return Failure(f"({pseudo}) signed but {pseudo} parameter missing", key_id)
        if pseudo in params and not params[pseudo].isdigit():
            return Failure(f"{pseudo} parameter is not an integer", key_id)
    if "expires" in params and int(params["expires"]) < now:
        return Failure("signature expired", key_id)
    if "created" in params and abs(now - int(params["created"])) > policy.window_seconds:
        return Failure("created outside the allowed window", key_id)
    if "digest" in signed or needs_digest:
        return check_legacy_digest(headers.get("digest"), body, key_id)
    return None


def check_legacy_digest(value: str | None, body: bytes, key_id: str) -> Failure | None:
    """``Digest: SHA-256=…[,SHA-512=…]`` matches the body (constant-time comparison)."""
    if value is None:
        return Failure("Digest header missing", key_id)
    found = False
    for part in value.split(","):
        algo, sep, encoded = part.strip().partition("=")
        algo = algo.strip().lower()
        if not sep or algo not in ("sha-256", "sha-512"):
            continue
        try:
            claimed = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            return Failure("Digest header is not valid base64", key_id)
        actual = (hashlib.sha256 if algo == "sha-256" else hashlib.sha512)(body).digest()
        if not hmac.compare_digest(claimed, actual):
            return Failure(f"Digest ({algo}) does not match the body", key_id)
        found = found or algo == "sha-256"
    if not found:
        return Failure("Digest header has no SHA-256 value", key_id)
    return None
