"""The ``deliver`` job: POST one stored activity to one inbox, signed afresh, and settle it.

Each attempt signs again (a fresh ``Date`` and ``Signature``: peers refuse stale dates), with the
signer's key parsed once per process (``federation.keyring``). The answer goes through the one
policy (``policy``) and updates the host's health (``hosts``):

- done → the job is removed; gone (410) → this inbox's pending jobs are cancelled and the
  actor owning it is marked gone; failed → kept as ``failed`` with the reason;
- retry → ``RetryLater`` with the peer's ``Retry-After`` or the queue's backoff, and one more
  failure on the host (10 in a row pause it; 72 h make it unavailable);
- a paused host's jobs wait for the pause to end without the attempt counting; an unavailable
  host's jobs are dropped as failed (SECURITY.md "Delivery").
"""

from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web

from federation.delivery import hosts, policy
from federation.delivery.fanout import DELIVER_QUEUE
from federation.fetch import FETCHER, FetchError
from federation.keyring import KEYRING
from federation.vocab import host_of
from node import clock
from node.errors import NotFound
from node.jobs import queue
from node.jobs.registry import JobHandler, PermanentFailure, RetryLater
from node.models.actors import Actor
from node.models.jobs import Job
from node.models.peers import OutgoingActivity

log = logging.getLogger(__name__)


def encode_body(body: Any) -> bytes:
    """The exact bytes sent (and digested): compact UTF-8 JSON."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def _payload(job: Job) -> tuple[int, str, int]:
    payload = job.payload if isinstance(job.payload, dict) else {}
    activity_id, inbox, signer_id = (
        payload.get("activity_id"),
        payload.get("inbox"),
        payload.get("signer_actor_id"),
    )
    if not isinstance(activity_id, int) or not isinstance(inbox, str):
        raise PermanentFailure(f"malformed delivery payload: {payload!r}")
    if not isinstance(signer_id, int):
        raise PermanentFailure(f"malformed delivery payload: {payload!r}")
    return activity_id, inbox, signer_id


def make_deliver_handler(app: web.Application) -> JobHandler:
    """The handler of queue ``deliver``; reads the fetcher and keyring from ``app`` when it runs."""

    async def deliver(job: Job) -> None:
        activity_id, inbox, signer_id = _payload(job)
        host = host_of(inbox)
        if host is None:
            raise PermanentFailure(f"not an http(s) inbox: {inbox}")
        health = await hosts.health(host)
        if health.unavailable:
            raise PermanentFailure(f"{host} is unavailable (failing for 72 h)")
        wait = health.pause_left(clock.now())
        if wait > 0:
            raise RetryLater(
                f"{host} is paused after repeated failures", delay_seconds=wait, counts=False
            )

        activity = await OutgoingActivity.get_or_none(id=activity_id).only("id", "body")
        signer = await Actor.get_or_none(id=signer_id)
        if activity is None or signer is None:
            log.info("delivery %s dropped: activity %s was withdrawn", job.id, activity_id)
            return
        try:
            key = await app[KEYRING].signing_key(signer)
        except NotFound as exc:
            raise PermanentFailure(f"cannot sign as {signer.uri}: {exc}") from None
        answered = False
        try:
            result = await app[FETCHER].post_signed(
                inbox, encode_body(activity.body), key_id=key.key_id, private_key=key.private_key
            )
        except FetchError as exc:
            outcome = policy.outcome_for_error(exc.reason, str(exc))
        else:
            answered = True
            outcome = policy.outcome_for_status(result.status, result.retry_after)
            if result.body_excerpt and outcome.kind is not policy.Kind.DONE:
                outcome = policy.Outcome(
                    outcome.kind, f"{outcome.reason}: {result.body_excerpt}", outcome.delay_seconds
                )
        await settle(outcome, job=job, inbox=inbox, host=host, health=health, answered=answered)

    return deliver


async def settle(
    outcome: policy.Outcome,
    *,
    job: Job,
    inbox: str,
    host: str,
    health: hosts.HostHealth,
    answered: bool,
) -> None:
    """Apply ``outcome``: returns for done/gone, raises the worker's signals otherwise.

    ``answered`` is True when the peer sent an HTTP answer (a final 4xx shows the host is up).
    """
    if outcome.kind is policy.Kind.DONE:
        await hosts.record_success(host, health)
        return
    if outcome.kind is policy.Kind.GONE:
        await hosts.record_success(host, health)
        await inbox_gone(inbox, host, except_job=job.id)
        log.info("inbox %s is gone (410): deliveries cancelled, its actors marked gone", inbox)
        return
    if outcome.kind is policy.Kind.FAILED:
        if answered:
            await hosts.record_success(host, health)
        raise PermanentFailure(f"{inbox}: {outcome.reason}")
    await hosts.record_failure(host)
    raise RetryLater(f"{inbox}: {outcome.reason}", delay_seconds=outcome.delay_seconds)


async def inbox_gone(inbox: str, host: str, *, except_job: int | None = None) -> int:
    """An inbox answered 410: cancel its pending deliveries and mark its owner gone.

    Only an actor's own inbox names one actor; a shared inbox answering 410 loses its pending
    rows but does not condemn every account of that server.
    """
    cancelled = await queue.cancel(DELIVER_QUEUE, group_key=host, payload_match={"inbox": inbox})
    await Actor.filter(inbox_url=inbox, local=False, gone_at__isnull=True).update(
        gone_at=clock.now()
    )
    return cancelled
