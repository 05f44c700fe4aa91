"""Checking an inbox POST's HTTP signature, with one key refetch for rotated keys.

The URL verified is the node's public base URL + ``request.raw_path`` (what the sender signed):
behind a TLS proxy ``request.url`` has the wrong scheme, and the Host header is never trusted to
build it. The signed ``Host`` must be ours (checked by ``verify_request``), so a request signed
for another server cannot be replayed here.

When a signature fails with a key we had cached, the owner may have rotated its key: fetch it
again once (``refetch_key`` rate-limits this per actor) and verify again, as Mastodon and Fedify
do. Failures become a 401 with one of a few fixed reasons: the detailed reason is logged, never
sent (it may name internals).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3

from aiohttp import web
from tortoise.exceptions import BaseORMException

from federation.inbox.parse import Rejection
from federation.remote.actors import key_lookup_for, refetch_key
from federation.signatures import Failure, KeyLookup, ResolvedKey, VerifiedSigner, verify_request
from node.appkeys import SETTINGS

log = logging.getLogger(__name__)

# The reasons a sender may read, by a word in the verifier's detailed reason (first match wins).
_PUBLIC_REASONS = (
    ("not signed", "the request is not signed"),
    ("Signature-Input without", "the request is not signed"),
    ("not covered", "the signature does not cover the required fields"),
    ("Digest", "the body digest is missing or does not match"),
    ("Date", "the Date header is missing or outside the accepted window"),
    ("created", "the signature's creation time is outside the accepted window"),
    ("expired", "the signature has expired"),
    ("Host", "the signature is not for this server"),
    ("unknown key", "the signing key could not be found"),
    ("key lookup", "the signing key could not be found"),
)
_DEFAULT_REASON = "the signature could not be verified"


def database_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` means the database cannot answer now (the inbox answers 503)."""
    if isinstance(exc, (BaseORMException, sqlite3.Error, OSError, asyncio.TimeoutError)):
        return True
    return type(exc).__module__.split(".")[0] == "asyncpg"


def public_reason(failure: Failure) -> str:
    """A short, fixed reason for a failed verification, safe to send to anyone."""
    for word, reason in _PUBLIC_REASONS:
        if word in failure.reason:
            return reason
    return _DEFAULT_REASON


class _RecordingLookup:
    """Wraps a key lookup to learn whether verification failed *with* a key in hand."""

    def __init__(self, lookup: KeyLookup) -> None:
        self._lookup = lookup
        self.found_key = False
        # The database failing under the lookup: ``verify_request`` turns every exception into
        # a failed signature, but that is a 503 (try again), not a 401.
        self.database_error: BaseException | None = None

    async def __call__(self, key_id: str) -> ResolvedKey | None:
        try:
            key = await self._lookup(key_id)
        except Exception as exc:
            if database_unavailable(exc):
                self.database_error = exc
            raise
        self.found_key = self.found_key or key is not None
        return key


async def verify_signature(request: web.Request, body: bytes) -> VerifiedSigner | Rejection:
    """Who signed ``request`` (the key's controller, the scheme), or a 401 rejection.

    Raises the database's error when the key could not be looked up because of it (503).
    """
    url = request.app[SETTINGS].base_url + request.raw_path
    lookup = _RecordingLookup(key_lookup_for(request.app))
    result = await verify_request(request.method, url, request.headers, body, lookup)
    if (
        isinstance(result, Failure)
        and lookup.found_key
        and result.key_id
        and await refetch_key(request.app, result.key_id)
    ):
        result = await verify_request(request.method, url, request.headers, body, lookup)
    if lookup.database_error is not None:
        raise lookup.database_error
    if isinstance(result, Failure):
        log.info("inbox signature refused (key %s): %s", result.key_id, result.reason)
        return Rejection(401, public_reason(result))
    return result
