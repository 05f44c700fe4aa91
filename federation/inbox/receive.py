"""``POST /inbox`` and every local actor's inbox: the HTTP side of receiving an activity.

The order is the promise of SECURITY.md "Inbound federation", cheapest refusal first:

1. size (413), content type (415), JSON shape (400) — no database, no network;
2. blocked domains (403) — before anything could be fetched; our own domain (403);
3. the HTTP signature, draft-cavage or RFC 9421 (401, never 500: Fedify "double knocks" with the
   other format after a 401), with one key refetch when a cached key fails (key rotation);
4. the signer is the actor (401), ids and vouched-for content on the actor's host (403);
5. dedup + durable store + job in one transaction, then 202; a database that cannot take the
   write answers 503 so the sender retries (never 202-and-drop).

Processing happens later, on the ``inbox`` queue (``federation.inbox.process``).
"""

from __future__ import annotations

import logging

from aiohttp import web

from federation.delivery.hosts import mark_alive
from federation.inbox import authorize
from federation.inbox.parse import (
    MAX_BODY,
    ParsedActivity,
    Rejection,
    accepts_content_type,
    parse_activity,
)
from federation.inbox.store import store_received
from federation.inbox.verify import database_unavailable, verify_signature
from federation.vocab import host_of
from node.appkeys import SETTINGS
from node.middleware import problem
from node.models.actors import Actor
from node.services.moderation.domain_blocks import is_blocked

log = logging.getLogger(__name__)

_TITLE_401 = "Signature not accepted"


def _refuse(rejection: Rejection, activity: ParsedActivity | None = None) -> web.Response:
    log.info(
        "inbox refused %s %s from %s: %s",
        rejection.status,
        activity.id if activity else "-",
        activity.actor if activity else "-",
        rejection.reason,
    )
    title = _TITLE_401 if rejection.status == 401 else None
    return problem(rejection.status, rejection.reason, title=title)


async def post_inbox(request: web.Request) -> web.StreamResponse:
    """Receive one activity; 202 once it is durably queued."""
    if request.content_length is not None and request.content_length > MAX_BODY:
        return _refuse(Rejection(413, "the body is larger than 1 MiB"))
    if not accepts_content_type(request.headers.get("Content-Type")):
        return _refuse(Rejection(415, "send the activity as application/activity+json"))
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        return _refuse(Rejection(413, "the body is larger than 1 MiB"))
    parsed = parse_activity(body)
    if isinstance(parsed, Rejection):
        return _refuse(parsed)
    try:
        return await _accept(request, body, parsed)
    except Exception as exc:
        if not database_unavailable(exc):
            raise
        log.warning("inbox could not store %s: %r", parsed.id, exc)
        return problem(
            503,
            "the server cannot store the activity right now; try again later",
            headers={"Retry-After": "30"},
        )


async def _accept(request: web.Request, body: bytes, activity: ParsedActivity) -> web.Response:
    settings = request.app[SETTINGS]
    owner = await _inbox_owner(request)
    if isinstance(owner, Rejection):
        return _refuse(owner, activity)
    our_host = host_of(settings.base_url) or settings.domain
    if authorize.claims_our_domain(activity, our_host):
        return _refuse(Rejection(403, "the activity claims this server's domain"), activity)
    for host in authorize.hosts_to_check(activity):
        if await is_blocked(host):
            return _refuse(Rejection(403, "the sender's domain is blocked here"), activity)

    signer = await verify_signature(request, body)
    if isinstance(signer, Rejection):
        return _refuse(signer, activity)
    rejection = authorize.check_signer(activity, signer.controller) or authorize.check_origins(
        activity
    )
    if rejection is not None:
        return _refuse(rejection, activity)
    actor_host = host_of(activity.actor)
    if actor_host:
        await mark_alive(actor_host)

    payload = {"activity": activity.body, "inbox_owner": owner}
    if await store_received(activity.id, activity.actor, payload):
        log.debug(
            "inbox accepted %s %s from %s (%s)",
            activity.type,
            activity.id,
            activity.actor,
            signer.scheme,
        )
    else:
        log.debug("inbox ignored duplicate %s", activity.id)
    return web.Response(status=202)


async def _inbox_owner(request: web.Request) -> str | Rejection | None:
    """The uri of the local actor whose inbox this is; None for the shared inbox."""
    path = request.rel_url.raw_path
    if path == "/inbox":
        return None
    uri = request.app[SETTINGS].base_url + path.removesuffix("/inbox")
    exists = await Actor.filter(uri=uri, local=True, suspended_at__isnull=True).exists()
    return uri if exists else Rejection(404, "no such inbox")
