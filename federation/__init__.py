"""ActivityPub: actors, WebFinger, NodeInfo, inbox, delivery, signatures, remote fetch.

``setup(app)`` wires the four parts onto the node's application, in dependency order:

- ``client``: the one outbound HTTP client (SSRF guard, caps, signed GETs), local signing keys,
  the remote actor cache and the ``ActorResolver`` port;
- ``serving``: what other servers read: actors, WebFinger, host-meta, NodeInfo, collections,
  objects, our JSON-LD context;
- ``delivery``: the ``Publisher`` port (activities and delivery rows written with each change)
  and the delivery worker (retry policy, per-host limits, circuit breaker);
- ``inbox``: receiving (verify, authorise, dedup, store, 202) and processing activities.
"""

from __future__ import annotations

from aiohttp import web


def setup(app: web.Application) -> None:
    """Register federation routes, clients and job queues on the node's application."""
    from federation import client, inbox, serving
    from federation.delivery import wiring as delivery

    client.setup(app)
    serving.setup(app)
    delivery.setup(app)
    inbox.setup(app)
