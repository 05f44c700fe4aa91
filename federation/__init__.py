"""ActivityPub: actors, WebFinger, NodeInfo, inbox, delivery, signatures, remote fetch.

``federation.wiring.setup(app)`` wires the four parts onto the node's application, in
dependency order:

- ``client``: the one outbound HTTP client (SSRF guard, caps, signed GETs), local signing keys,
  the remote actor cache and the ``ActorResolver`` port;
- ``serving``: what other servers read: actors, WebFinger, host-meta, NodeInfo, collections,
  objects, our JSON-LD context;
- ``delivery``: the ``Publisher`` port (activities and delivery rows written with each change)
  and the delivery worker (retry policy, per-host limits, circuit breaker);
- ``inbox``: receiving (verify, authorise, dedup, store, 202) and processing activities.
"""
