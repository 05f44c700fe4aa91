"""Crash safety of delivery between two real Ruta nodes: with deliveries pending, ``kill -9``
the sending node, restart it, bring the receiver back — every activity arrives, exactly once.

Retries wait seconds here (RUTA_RETRY_BASE_SECONDS=2), not milliseconds, so the few failed
attempts while the receiver is away stay below the circuit breaker's ten; a job a killed
worker held is taken over after RUTA_JOB_LOCK_SECONDS.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest

from tests.multinode.network import (
    User,
    befriend,
    db_rows,
    jobs,
    new_users,
    outgoing,
    published,
    received_ids,
    remote_id,
    second_backend,
    start_network,
    wait_until,
)
from tests.support.nodes import NodeProcess

pytestmark = pytest.mark.slow

ENV = {"RUTA_RETRY_BASE_SECONDS": "2", "RUTA_JOB_LOCK_SECONDS": "3"}
RECOVERY = 120.0  # a deadline generous enough for a breaker pause (60 s), never needed so far


@pytest.fixture
def sender_and_receiver(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[NodeProcess, NodeProcess]]:
    sender, receiver = start_network(
        tmp_path_factory.mktemp("crash"),
        {"lapalma.test": second_backend(), "faro.test": "sqlite"},
        ENV,
    )
    try:
        yield sender, receiver
    finally:
        for node in (sender, receiver):
            if node.proc is not None and node.proc.poll() is None:
                os.kill(node.proc.pid, signal.SIGCONT)  # in case a test left it stopped
            node.cleanup()


def activity_of(note: dict[str, object], node: NodeProcess) -> str:
    return f"{node.base_url}/activities/{note['id']}"


def pending_everywhere(node: NodeProcess, count: int) -> bool:
    """``count`` deliveries on ``node``, each tried at least once and waiting for a retry."""
    rows = jobs(node, "deliver")
    return len(rows) == count and all(r["state"] == "pending" and r["attempts"] >= 1 for r in rows)


def arrived_once(reader: User, uri: str) -> bool:
    return [e["note"]["uri"] for e in reader.home()].count(uri) == 1


def test_deliveries_pending_when_the_sender_is_killed_all_arrive_once(
    sender_and_receiver: tuple[NodeProcess, NodeProcess],
) -> None:
    sender, receiver = sender_and_receiver
    ana, beto = new_users((sender, "ana"), (receiver, "beto"))
    befriend(beto, ana)
    remote_id(beto, ana.post("Antes del corte")["uri"])

    receiver.stop()
    first = ana.post("Corte de agua mañana")
    second = ana.post("Solo para quien me sigue", visibility="followers")
    ana.call("PATCH", f"/api/v1/notes/{first['id']}", {"content": "Corte de agua el lunes"})
    wait_until(
        "three deliveries failing once against the stopped receiver",
        lambda: pending_everywhere(sender, 3),
        nodes=[sender],
    )
    sent = [outgoing(sender, activity_of(n, sender))["id"] for n in (first, second)]
    update = [
        body["id"]
        for body in published(sender)
        if body["type"] == "Update" and body["object"]["id"] == first["uri"]
    ]
    assert len(update) == 1

    sender.kill()  # kill -9 with the three deliveries in the database only
    sender.start()
    receiver.start()

    wait_until(
        "every delivery arriving after the crash",
        lambda: set(sent + update) <= set(received_ids(receiver)),
        nodes=[sender, receiver],
        timeout=RECOVERY,
    )
    wait_until("the sender's queue emptying", lambda: not jobs(sender, "deliver"), nodes=[sender])
    for note in (first, second):
        assert wait_until("the note in the home timeline", lambda n=note: beto.seen(n["uri"]))
        assert arrived_once(beto, note["uri"])
        assert len(db_rows(receiver, "SELECT id FROM note WHERE uri = ?", note["uri"])) == 1
    edited = wait_until(
        "the edit applied", lambda: (n := beto.seen(first["uri"])) and n["edited_at"] and n
    )
    assert "lunes" in edited["content"]
    assert beto.seen(second["uri"])["visibility"] == "followers"


def test_a_delivery_in_flight_when_the_sender_is_killed_is_redone_and_stored_once(
    sender_and_receiver: tuple[NodeProcess, NodeProcess],
) -> None:
    sender, receiver = sender_and_receiver
    ana, beto = new_users((sender, "ana"), (receiver, "beto"))
    befriend(beto, ana)
    assert receiver.proc is not None

    # Frozen, the receiver still accepts connections (the kernel does) but never answers:
    # the sender's POST hangs with its job claimed.
    os.kill(receiver.proc.pid, signal.SIGSTOP)
    try:
        note = ana.post("Se suspende el mercado")
        wait_until(
            "the delivery in flight",
            lambda: [j["state"] for j in jobs(sender, "deliver")] == ["running"],
            nodes=[sender],
        )
        sender.kill()  # kill -9 mid-request: the job stays claimed by a dead worker
    finally:
        os.kill(receiver.proc.pid, signal.SIGCONT)
    # Thawed, the receiver reads the dead sender's request from its socket and stores it...
    create = activity_of(note, sender)
    wait_until("the orphaned request stored", lambda: create in received_ids(receiver))
    assert [j["state"] for j in jobs(sender, "deliver")] == ["running"]

    # ...while the sender's database still says "in flight": restarted, it takes the job over
    # once the dead worker's lock expires and delivers again. Only a 2xx answer removes the
    # job, so an empty queue means the receiver was sent the activity twice and accepted both.
    sender.start()
    wait_until(
        "the delivery redone after the dead worker's lock expired",
        lambda: not jobs(sender, "deliver"),
        nodes=[sender, receiver],
        timeout=RECOVERY,
    )
    assert received_ids(receiver).count(create) == 1
    assert wait_until("the note in the home timeline", lambda: beto.seen(note["uri"]))
    assert arrived_once(beto, note["uri"])
    assert len(db_rows(receiver, "SELECT id FROM note WHERE uri = ?", note["uri"])) == 1
