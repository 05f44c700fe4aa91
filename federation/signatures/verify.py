"""The one entry point for inbound signature verification: draft-cavage or RFC 9421."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from urllib.parse import urlsplit

from federation.signatures.cavage import verify_cavage
from federation.signatures.request_checks import BODY_METHODS, DEFAULT_PORTS, normalize_headers
from federation.signatures.results import (
    DEFAULT_POLICY,
    Failure,
    KeyLookup,
    VerifiedSigner,
    VerifyPolicy,
)
from federation.signatures.rfc9421 import verify_rfc9421

log = logging.getLogger(__name__)


async def verify_request(
    method: str,
    url_with_query: str,
    headers: Mapping[str, str],
    body: bytes | None,
    key_lookup: KeyLookup,
    *,
    now: float | None = None,
    policy: VerifyPolicy = DEFAULT_POLICY,
) -> VerifiedSigner | Failure:
    """Verify an inbound signed request; never raises (except ``CancelledError``).

    ``url_with_query`` is the absolute URL as the *sender* saw it: build it from the configured
    origin and ``request.raw_path`` (not ``request.url``, whose scheme is wrong behind a TLS
    proxy). ``headers`` may be any mapping, aiohttp's ``CIMultiDictProxy`` included (repeated
    fields are joined with ", "). ``body`` is exactly the bytes received.

    ``Signature-Input`` present → RFC 9421, otherwise ``Signature`` → draft-cavage. Cheap checks
    (covered fields, Host, Date/created window, body digest) run before ``key_lookup``.
    The caller must still check that ``controller`` is the activity's actor.
    """
    try:
        return await _verify(
            method,
            url_with_query,
            headers,
            body,
            key_lookup,
            time.time() if now is None else now,
            policy,
        )
    except Exception as exc:  # belt and braces: anything unexpected is "unverifiable"
        log.warning("signature verification crashed: %r", exc, exc_info=True)
        return Failure(f"unverifiable request ({type(exc).__name__})")


async def _verify(
    method: str,
    url: str,
    raw_headers: Mapping[str, str],
    body: bytes | None,
    key_lookup: KeyLookup,
    now: float,
    policy: VerifyPolicy,
) -> VerifiedSigner | Failure:
    parts = urlsplit(url)
    if parts.scheme.lower() not in DEFAULT_PORTS or not parts.netloc:
        return Failure("server error: url_with_query is not an absolute http(s) URL")
    headers = normalize_headers(raw_headers)
    if isinstance(headers, Failure):
        return headers
    body = body or b""
    needs_digest = policy.require_body_digest and (method.upper() in BODY_METHODS or len(body) > 0)
    if "signature-input" in headers:
        return await verify_rfc9421(
            method, parts, headers, body, needs_digest, key_lookup, now, policy
        )
    if "signature" in headers:
        return await verify_cavage(
            method, parts, headers, body, needs_digest, key_lookup, now, policy
        )
    return Failure("request is not signed")
