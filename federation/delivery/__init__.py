"""Delivery: the ``Publisher`` port and the ``deliver`` queue (SECURITY.md "Delivery").

- ``fanout``: recipients → one job per distinct inbox, in the change's transaction;
- ``worker``: the job itself (sign afresh, POST, settle);
- ``policy``: what each answer means (pure, table-tested);
- ``hosts``: per-host health (circuit breaker, unavailable hosts, ``mark_alive``);
- ``wiring``: the publishers and the queue, put on the application at start-up.
"""
