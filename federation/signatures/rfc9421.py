"""RFC 9421 HTTP message signatures, verified the way Fedify 2.3.6 and Mastodon ≥ 4.5 send them.

bovine's checker cannot build ``@target-uri`` and leaks exceptions on malformed headers, so the
signature base is built here (RFC 9421 §2.5); bovine only checks the signature bytes.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult

import http_sf  # pinned 1.0.7; only the public parse()/ser() API is used
from cryptography.hazmat.primitives.asymmetric import ed25519

from federation.signatures.keys import crypto_verify
from federation.signatures.request_checks import (
    authority,
    check_date,
    check_host,
    check_key,
    lookup_key,
    request_target,
)
from federation.signatures.results import Failure, KeyLookup, VerifiedSigner, VerifyPolicy

_ALGORITHMS = frozenset({"rsa-v1_5-sha256", "ed25519"})
_FIELD_NAME = re.compile(r"[a-z0-9!#$%&'*+.^_`|~-]+")


def _raise_duplicate(name: str, kind: str) -> None:
    raise ValueError(f"duplicate {kind} {name!r}")


def _parse_sf_dict(value: str) -> dict[str, Any]:
    result = http_sf.parse(value.encode("ascii"), tltype="dict", on_duplicate_key=_raise_duplicate)
    if not isinstance(result, dict):
        raise ValueError("not a dictionary")
    return result


async def verify_rfc9421(
    method: str,
    parts: SplitResult,
    headers: dict[str, str],
    body: bytes,
    needs_digest: bool,
    key_lookup: KeyLookup,
    now: float,
    policy: VerifyPolicy,
) -> VerifiedSigner | Failure:
    """Verify ``Signature-Input``/``Signature``: the first label that verifies wins."""
    if "signature" not in headers:
        return Failure("Signature-Input without Signature")
    try:  # http-sf raises ValueError, IndexError, … on garbage
        inputs = _parse_sf_dict(headers["signature-input"])
        signatures = _parse_sf_dict(headers["signature"])
    except Exception as exc:
        return Failure(f"malformed Signature-Input/Signature ({exc})")
    if not inputs:
        return Failure("empty Signature-Input")
    if len(inputs) > policy.max_rfc9421_labels:
        return Failure("too many signatures")

    request = _Request(method, parts, headers, body, needs_digest, now, policy)
    failures: list[Failure] = []
    for label, member in inputs.items():
        result = await _verify_one(request, label, member, signatures.get(label), key_lookup)
        if isinstance(result, VerifiedSigner):
            return result
        failures.append(result)
    if len(failures) == 1:
        return failures[0]
    return Failure("; ".join(f.reason for f in failures), failures[0].key_id)


@dataclass(frozen=True, slots=True)
class _Request:
    """The parts of the request every label is checked against."""

    method: str
    parts: SplitResult
    headers: dict[str, str]
    body: bytes
    needs_digest: bool
    now: float
    policy: VerifyPolicy


def _components(label: str, items: Any, key_id: str) -> list[str] | Failure:
    components: list[str] = []
    if not isinstance(items, list):
        return Failure(f"{label}: Signature-Input member is not an inner list", key_id)
    for item in items:
        if not (isinstance(item, tuple) and type(item[0]) is str):
            return Failure(f"{label}: component identifiers must be sf-strings", key_id)
        if item[1]:
            return Failure(f"{label}: component parameters unsupported ({item[0]})", key_id)
        components.append(item[0])
    if len(set(components)) != len(components):
        return Failure(f"{label}: duplicate components", key_id)
    return components


def _check_params(
    label: str, params: dict[str, Any], request: _Request, key_id: str
) -> Failure | None:
    created = params.get("created")
    if type(created) is not int:
        return Failure(f"{label}: created parameter missing", key_id)
    if abs(request.now - created) > request.policy.window_seconds:
        return Failure(f"{label}: created outside the allowed window", key_id)
    expires = params.get("expires")
    if expires is not None and (type(expires) is not int or expires < request.now):
        return Failure(f"{label}: signature expired", key_id)
    alg = params.get("alg")
    if alg is not None and (not isinstance(alg, str) or alg not in _ALGORITHMS):
        return Failure(f"{label}: unsupported alg {alg}", key_id)
    return None


def _cheap_checks(components: list[str], request: _Request, key_id: str) -> Failure | None:
    headers = request.headers
    covers_host = "host" in components or "@authority" in components
    if covers_host and (failure := check_host(headers, request.parts, key_id)) is not None:
        return failure
    if "date" in components:
        failure = check_date(headers.get("date"), request.now, request.policy, key_id)
        if failure is not None:
            return failure
    if "content-digest" in components:
        return check_content_digest(headers.get("content-digest"), request.body, key_id)
    return None


async def _verify_one(
    request: _Request, label: str, member: Any, signature_member: Any, key_lookup: KeyLookup
) -> VerifiedSigner | Failure:
    # label=("component" ...);params
    if not (isinstance(member, tuple) and len(member) == 2 and isinstance(member[0], list)):
        return Failure(f"{label}: Signature-Input member is not an inner list")
    items, params = member
    key_id = params.get("keyid")
    if not isinstance(key_id, str) or not key_id:
        return Failure(f"{label}: keyid missing")
    components = _components(label, items, key_id)
    if isinstance(components, Failure):
        return components

    required = list(request.policy.rfc9421_required)
    if request.needs_digest:
        required.append("content-digest")
    missing = [c for c in required if c not in components]
    if missing:
        return Failure(f"{label}: not covered: {' '.join(missing)}", key_id)
    if (failure := _check_params(label, params, request, key_id)) is not None:
        return failure
    if (failure := _cheap_checks(components, request, key_id)) is not None:
        return failure
    if not (isinstance(signature_member, tuple) and isinstance(signature_member[0], bytes)):
        return Failure(f"{label}: no matching byte-sequence in Signature", key_id)
    signature: bytes = signature_member[0]

    # The signature base (RFC 9421 §2.5).
    lines: list[str] = []
    for component in components:
        value = _component_value(component, request)
        if isinstance(value, Failure):
            return Failure(f"{label}: {value.reason}", key_id)
        lines.append(f'"{component}": {value}')
    # This member re-serialised canonically: ("c1" "c2");p1=…;p2=…
    lines.append('"@signature-params": ' + http_sf.ser({"s": member})[2:])
    base = "\n".join(lines).encode("utf-8")

    key = await lookup_key(key_lookup, key_id)
    if isinstance(key, Failure):
        return key
    alg = params.get("alg")
    if alg is None:
        is_ed25519 = isinstance(key.public_key, ed25519.Ed25519PublicKey)
        alg = "ed25519" if is_ed25519 else "rsa-v1_5-sha256"
    if (failure := check_key(key, alg, key_id, request.policy)) is not None:
        return failure
    if crypto_verify(key, base, signature):
        return VerifiedSigner(key_id, key.controller, "rfc9421", alg, label)
    return Failure(f"{label}: signature does not verify", key_id)


def _component_value(component: str, request: _Request) -> str | Failure:
    parts = request.parts
    path = parts.path or "/"
    match component:
        case "@method":
            return request.method.upper()
        case "@target-uri":
            query = f"?{parts.query}" if parts.query else ""
            # A fragment is never sent, but Fedify 2.3.6 signs url.href, so its fetch of
            # ".../users/alice#main-key" has it in @target-uri. Keep a fragment the caller put
            # in url_with_query (an opt-in retry for that case).
            fragment = f"#{parts.fragment}" if parts.fragment else ""
            return f"{parts.scheme.lower()}://{authority(parts)}{path}{query}{fragment}"
        case "@authority":
            return authority(parts)
        case "@scheme":
            return parts.scheme.lower()
        case "@request-target":
            return request_target(parts)
        case "@path":
            return path
        case "@query":
            return f"?{parts.query}"
    if component.startswith("@"):
        return Failure(f"unsupported derived component {component}")
    if not _FIELD_NAME.fullmatch(component):
        return Failure(f"invalid component name {component!r}")
    value = request.headers.get(component)
    if value is None:
        return Failure(f"covered header {component} is missing")
    return value


def check_content_digest(value: str | None, body: bytes, key_id: str) -> Failure | None:
    """``Content-Digest: sha-256=:…:`` (RFC 9530) matches the body."""
    if value is None:
        return Failure("Content-Digest header missing", key_id)
    try:
        parsed = _parse_sf_dict(value)
    except Exception:
        return Failure("malformed Content-Digest", key_id)
    found = False
    for algo, digest in (("sha-256", hashlib.sha256), ("sha-512", hashlib.sha512)):
        if algo not in parsed:
            continue
        claimed = parsed[algo][0] if isinstance(parsed[algo], tuple) else None
        if not isinstance(claimed, bytes) or not hmac.compare_digest(
            claimed, digest(body).digest()
        ):
            return Failure(f"Content-Digest ({algo}) does not match the body", key_id)
        found = found or algo == "sha-256"
    if not found:
        return Failure("Content-Digest has no sha-256 value", key_id)
    return None
