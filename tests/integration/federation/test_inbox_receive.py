"""Receiving activities over real HTTP: what SECURITY.md "Inbound federation" promises of the
inbox once a request is signed: accepted once, refused with a 4xx when it claims what its sender
may not (origins, blocked servers) or is not an activity, and never acknowledged without being
stored (503 instead). Signatures and keys are in ``test_inbox_signatures``."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from node.config import Settings
from node.models.actors import Actor, ActorKind
from node.models.jobs import Job
from node.models.peers import ReceivedActivity
from node.services.moderation.domain_blocks import block_domain
from node.services.social.actors import create_local_actor
from node.urls import Urls
from tests.integration.federation.inbox_material import (
    ALICE,
    AS2,
    ActorServer,
    RemoteActor,
    alice,
    app,
    assert_refused,
    bob,
    cavage_headers,
    encode,
    follow_of_alice,
    peer,
    post_signed,
    stored,
)

__all__ = ["alice", "app", "bob", "peer"]  # fixtures

Client = TestClient  # type: ignore[type-arg]


# --- accepted -------------------------------------------------------------------------------


async def test_a_draft_cavage_signed_activity_is_stored_with_one_job_then_202(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    activity = follow_of_alice(bob)
    status, _ = await post_signed(client, bob, activity)
    assert status == 202
    assert await ReceivedActivity.filter(uri=activity["id"]).exists()
    job = await Job.get(queue="inbox")
    assert job.payload["activity"] == activity
    assert job.payload["inbox_owner"] is None


async def test_an_rfc9421_signed_activity_is_accepted_on_the_first_attempt(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    status, _ = await post_signed(client, bob, follow_of_alice(bob), scheme="rfc9421")
    assert status == 202
    assert await stored() == (1, 1)


@pytest.mark.parametrize("prefix", ["users", "actors", "groups"])
async def test_every_local_actor_kind_has_an_inbox(
    client: Client, urls: Urls, bob: RemoteActor, prefix: str
) -> None:
    kind = {"users": ActorKind.PERSON, "actors": ActorKind.ORGANIZATION, "groups": ActorKind.GROUP}
    # "plaza": every node already has the market group "mercado" (created at start).
    actor = await create_local_actor(urls, kind=kind[prefix], username="plaza")
    path = f"/{prefix}/plaza/inbox"
    status, _ = await post_signed(client, bob, bob.activity("Follow", actor.uri), path=path)
    assert status == 202
    job = await Job.get(queue="inbox")
    assert job.payload["inbox_owner"] == actor.uri


async def test_the_instance_actor_has_an_inbox(
    client: Client, urls: Urls, bob: RemoteActor
) -> None:
    activity = bob.activity("Follow", urls.instance_actor())
    status, _ = await post_signed(client, bob, activity, path="/actor/inbox")
    assert status == 202
    assert (await Job.get(queue="inbox")).payload["inbox_owner"] == urls.instance_actor()


async def test_the_inbox_of_an_actor_that_does_not_exist_is_404(
    client: Client, bob: RemoteActor
) -> None:
    status, answer = await post_signed(
        client, bob, follow_of_alice(bob), path="/users/nobody/inbox"
    )
    assert status == 404
    assert answer is not None and answer["detail"] == "no such inbox"
    assert await stored() == (0, 0)


async def test_a_repeated_activity_gets_202_and_is_queued_once(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    activity = follow_of_alice(bob)
    assert (await post_signed(client, bob, activity))[0] == 202
    assert (await post_signed(client, bob, activity, path="/users/alice/inbox"))[0] == 202
    assert await stored() == (1, 1)


async def test_concurrent_deliveries_of_one_activity_queue_it_once(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    activity = follow_of_alice(bob)
    statuses = await asyncio.gather(*(post_signed(client, bob, activity) for _ in range(8)))
    assert [s for s, _ in statuses] == [202] * 8
    assert await stored() == (1, 1)


async def test_the_signed_url_is_our_public_base_url_not_what_the_proxy_connected_to(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    # The test client talks plain http to 127.0.0.1; the sender signed https://test.example.
    activity = follow_of_alice(bob)
    body = encode(activity)
    headers = cavage_headers(bob, "/inbox?from=relay", body)
    response = await client.post("/inbox?from=relay", data=body, headers=headers)
    assert response.status == 202


# --- authorisation and origins ---------------------------------------------------------------


async def test_an_activity_id_on_another_server_than_its_actor_is_403(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    forged = {**follow_of_alice(bob), "id": "https://elsewhere.example/activities/1"}
    status, answer = await post_signed(client, bob, forged)
    await assert_refused(status, answer, 403, "the activity id is not on the actor's server")


async def test_a_create_of_a_note_hosted_elsewhere_is_403(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    note = {**bob.note(), "id": "https://elsewhere.example/notes/1"}
    status, answer = await post_signed(client, bob, bob.activity("Create", note))
    await assert_refused(status, answer, 403, "the object is not on the actor's server")


async def test_a_create_of_a_note_attributed_to_someone_else_is_403(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    note = bob.note(attributedTo="https://remote.example/users/carol")
    status, answer = await post_signed(client, bob, bob.activity("Create", note))
    await assert_refused(status, answer, 403, "the object is attributed to someone else")


async def test_an_activity_claiming_our_own_domain_is_refused(client: Client, alice: Actor) -> None:
    # Even with a key that verifies: only we speak for test.example.
    fake_alice = RemoteActor(uri=ALICE)
    activity = fake_alice.activity("Follow", "https://remote.example/users/bob")
    status, answer = await post_signed(client, fake_alice, activity)
    await assert_refused(status, answer, 403, "the activity claims this server's domain")


async def test_a_blocked_domain_is_403_and_nothing_is_fetched(
    client: Client, alice: Actor, peer: ActorServer
) -> None:
    frank = peer.actor("frank")
    await block_domain("127.0.0.1")
    status, answer = await post_signed(client, frank, frank.activity("Follow", ALICE))
    await assert_refused(status, answer, 403, "the sender's domain is blocked here")
    assert peer.hits == {}


async def test_a_blocked_domain_is_matched_in_any_spelling(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    await block_domain("REMOTE.Example.")
    status, answer = await post_signed(client, bob, follow_of_alice(bob))
    await assert_refused(status, answer, 403)


# --- size, type, JSON --------------------------------------------------------------------------


async def test_a_body_over_one_mebibyte_is_413(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    big = {**follow_of_alice(bob), "padding": "x" * (1024 * 1024)}
    status, answer = await post_signed(client, bob, big)
    await assert_refused(status, answer, 413)


async def test_a_chunked_body_over_one_mebibyte_is_413(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(20):
            yield b"x" * 65536

    response = await client.post(
        "/inbox", data=chunks(), headers={"Content-Type": AS2, "Host": "test.example"}
    )
    await assert_refused(response.status, await response.json(), 413)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", ""])
async def test_a_body_that_is_not_json_media_is_415(
    client: Client, alice: Actor, bob: RemoteActor, content_type: str
) -> None:
    status, answer = await post_signed(
        client, bob, follow_of_alice(bob), extra_headers={"Content-Type": content_type}
    )
    await assert_refused(status, answer, 415)


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b"[]",
        b'{"type": "Follow"}',
        b'{"id": "https://remote.example/1", "type": "Follow", "actor": 5}',
        b'{"id": "https://remote.example/1", "type": "Follow", "actor": "https://remote.example/users/bob", "x": "\\u0000"}',
        b'{"id": "https://remote.example/1", "type": "Follow", "actor": "https://remote.example/users/bob", "x": '
        + b"[" * 40
        + b"]" * 40
        + b"}",
    ],
)
async def test_malformed_activities_are_400_even_when_signed(
    client: Client, alice: Actor, bob: RemoteActor, body: bytes
) -> None:
    status, answer = await post_signed(client, bob, body)
    await assert_refused(status, answer, 400)


# --- durability: 503, never 202-and-drop -------------------------------------------------------


async def test_a_locked_database_answers_503_and_stores_nothing(
    client: Client, alice: Actor, bob: RemoteActor, settings: Settings
) -> None:
    activity = follow_of_alice(bob)
    if settings.is_sqlite:
        path = settings.database_url[len("sqlite://") :]
        locker = sqlite3.connect(path, isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")
        try:
            status, answer = await post_signed(client, bob, activity)
        finally:
            locker.execute("ROLLBACK")
            locker.close()
    else:
        locker = await asyncpg.connect(settings.database_url)
        try:
            transaction = locker.transaction()
            await transaction.start()
            await locker.execute("LOCK TABLE received_activity IN ACCESS EXCLUSIVE MODE")
            status, answer = await post_signed(client, bob, activity)
            await transaction.rollback()
        finally:
            await locker.close()
    assert status == 503
    assert answer is not None and answer["status"] == 503
    assert await stored() == (0, 0)
    # The sender retries and this time it is stored.
    assert (await post_signed(client, bob, activity))[0] == 202
    assert await stored() == (1, 1)


async def test_an_unreachable_postgresql_answers_503(
    client: Client, alice: Actor, bob: RemoteActor, settings: Settings
) -> None:
    if settings.is_sqlite:
        pytest.skip("PostgreSQL only: an embedded SQLite file cannot be unreachable")
    from tests.support.databases import PG_ADMIN_URL

    name = settings.database_url.rpartition("/")[2]
    admin = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()",
            name,
        )
        status, answer = await post_signed(client, bob, follow_of_alice(bob))
    finally:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await admin.close()
    assert status == 503
    assert answer is not None and "try again" in answer["detail"]
    assert json.dumps(answer).find("asyncpg") == -1  # no internals in the answer
