"""Receiving activities over real HTTP: every promise of SECURITY.md "Inbound federation" that
the HTTP side keeps, each in its own test. Hostile input gets a 4xx and stores nothing."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator
from datetime import timedelta
from email.utils import formatdate
from typing import Any

import asyncpg
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from federation.signatures import sign_request
from node import clock
from node.config import Settings
from node.main import create_app
from node.models.actors import Actor, ActorKind
from node.models.jobs import Job
from node.models.peers import ReceivedActivity
from node.services.actors import create_local_actor
from node.services.domain_blocks import block_domain
from node.urls import Urls
from tests.integration.federation.inbox_material import (
    AS2,
    OUR_BASE,
    ActorServer,
    RemoteActor,
    cavage_headers,
    encode,
    new_rsa_key,
    post_signed,
    rfc9421_headers,
)

Client = TestClient  # type: ignore[type-arg]
ALICE = f"{OUR_BASE}/users/alice"


@pytest.fixture
async def peer() -> AsyncIterator[ActorServer]:
    server = await ActorServer().start()
    yield server
    await server.close()


@pytest.fixture
def app(settings: Settings, peer: ActorServer) -> web.Application:
    """The node, allowed to fetch from the loopback peer (and nothing else private)."""
    allowed = settings.with_overrides(allow_private_hosts=frozenset({peer.authority}))
    return create_app(allowed, run_workers=False)


@pytest.fixture
async def alice(client: Client, urls: Urls) -> Actor:
    return await create_local_actor(urls, kind=ActorKind.PERSON, username="alice")


@pytest.fixture
async def bob(client: Client) -> RemoteActor:
    remote = RemoteActor(uri="https://remote.example/users/bob")
    await remote.store()
    return remote


async def stored() -> tuple[int, int]:
    """(received activity ids, queued inbox jobs)."""
    return await ReceivedActivity.all().count(), await Job.filter(queue="inbox").count()


def follow(bob: RemoteActor) -> dict[str, Any]:
    return bob.activity("Follow", ALICE)


# --- accepted -------------------------------------------------------------------------------


async def test_a_draft_cavage_signed_activity_is_stored_with_one_job_then_202(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    activity = follow(bob)
    status, _ = await post_signed(client, bob, activity)
    assert status == 202
    assert await ReceivedActivity.filter(uri=activity["id"]).exists()
    job = await Job.get(queue="inbox")
    assert job.payload["activity"] == activity
    assert job.payload["inbox_owner"] is None


async def test_an_rfc9421_signed_activity_is_accepted_on_the_first_attempt(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    status, _ = await post_signed(client, bob, follow(bob), scheme="rfc9421")
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
    status, answer = await post_signed(client, bob, follow(bob), path="/users/nobody/inbox")
    assert status == 404
    assert answer is not None and answer["detail"] == "no such inbox"
    assert await stored() == (0, 0)


async def test_a_repeated_activity_gets_202_and_is_queued_once(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    activity = follow(bob)
    assert (await post_signed(client, bob, activity))[0] == 202
    assert (await post_signed(client, bob, activity, path="/users/alice/inbox"))[0] == 202
    assert await stored() == (1, 1)


async def test_concurrent_deliveries_of_one_activity_queue_it_once(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    activity = follow(bob)
    statuses = await asyncio.gather(*(post_signed(client, bob, activity) for _ in range(8)))
    assert [s for s, _ in statuses] == [202] * 8
    assert await stored() == (1, 1)


async def test_the_signed_url_is_our_public_base_url_not_what_the_proxy_connected_to(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    # The test client talks plain http to 127.0.0.1; the sender signed https://test.example.
    activity = follow(bob)
    body = encode(activity)
    headers = cavage_headers(bob, "/inbox?from=relay", body)
    response = await client.post("/inbox?from=relay", data=body, headers=headers)
    assert response.status == 202


async def test_a_key_we_do_not_know_is_fetched_from_its_owner_signed(
    client: Client, alice: Actor, peer: ActorServer
) -> None:
    carol = peer.actor("carol")
    status, _ = await post_signed(client, carol, carol.activity("Follow", ALICE))
    assert status == 202
    assert peer.hits["/users/carol"] == 1
    assert peer.signed["/users/carol"] is True  # herd and secure-mode Mastodon need that
    assert await Actor.filter(uri=carol.uri, local=False).exists()


# --- signatures: 401 with a short reason, never 500 ------------------------------------------


async def assert_refused(
    response_status: int, answer: dict[str, Any] | None, status: int, detail: str | None = None
) -> None:
    assert response_status == status
    assert answer is not None
    assert answer["status"] == status
    if detail is not None:
        assert answer["detail"] == detail
    assert await stored() == (0, 0)


async def test_an_unsigned_post_is_401_with_a_problem_json_reason(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    response = await client.post(
        "/inbox", data=encode(follow(bob)), headers={"Content-Type": AS2, "Host": "test.example"}
    )
    assert response.status == 401
    assert response.content_type == "application/problem+json"
    answer = await response.json()
    assert answer["detail"] == "the request is not signed"
    assert answer["title"] == "Signature not accepted"
    assert await stored() == (0, 0)


async def test_a_signature_by_the_wrong_key_is_401(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    impostor = RemoteActor(uri=bob.uri, key=new_rsa_key())
    status, answer = await post_signed(client, impostor, follow(bob))
    await assert_refused(status, answer, 401, "the signature could not be verified")


async def test_a_body_changed_after_signing_is_401(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    signed_body = encode(follow(bob))
    headers = cavage_headers(bob, "/inbox", signed_body)
    other = encode(follow(bob))
    response = await client.post("/inbox", data=other, headers=headers)
    await assert_refused(
        response.status, await response.json(), 401, "the body digest is missing or does not match"
    )


async def test_a_cavage_signature_that_does_not_cover_the_digest_is_401(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    body = encode(follow(bob))
    headers = cavage_headers(bob, "/inbox", body)
    headers["Signature"] = headers["Signature"].replace(
        'headers="(request-target) host date digest"', 'headers="(request-target) host date"'
    )
    response = await client.post("/inbox", data=body, headers=headers)
    await assert_refused(response.status, await response.json(), 401, "the request is not signed")


async def test_a_date_more_than_an_hour_old_is_401(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    body = encode(follow(bob))
    two_hours_ago = (clock.now() - timedelta(hours=2)).timestamp()
    headers = sign_request(
        "POST", OUR_BASE + "/inbox", body, bob.key_id, bob.key, now=two_hours_ago
    )
    headers["Content-Type"] = AS2
    response = await client.post("/inbox", data=body, headers=headers)
    await assert_refused(
        response.status,
        await response.json(),
        401,
        "the Date header is missing or outside the accepted window",
    )


async def test_an_rfc9421_signature_created_two_hours_ago_is_401(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    body = encode(follow(bob))
    created = int(clock.now().timestamp()) - 7200
    headers = rfc9421_headers(bob, "/inbox", body, created=created)
    response = await client.post("/inbox", data=body, headers=headers)
    assert response.status == 401
    assert await stored() == (0, 0)


async def test_an_rfc9421_signature_without_content_digest_covered_is_401(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    body = encode(follow(bob))
    headers = rfc9421_headers(
        bob, "/inbox", body, components=["@method", "@target-uri", "@authority", "date"]
    )
    response = await client.post("/inbox", data=body, headers=headers)
    await assert_refused(response.status, await response.json(), 401)


async def test_a_request_signed_for_another_server_is_401(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    # Replaying to us a request Bob signed for evil.example: the signed Host is not ours.
    body = encode(follow(bob))
    headers = cavage_headers(bob, "/inbox", body, url_base="https://evil.example")
    response = await client.post("/inbox", data=body, headers=headers)
    await assert_refused(
        response.status, await response.json(), 401, "the signature is not for this server"
    )


async def test_an_rfc9421_signature_for_another_target_uri_is_401(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    body = encode(follow(bob))
    headers = rfc9421_headers(bob, "/users/alice/inbox", body)
    response = await client.post("/inbox", data=body, headers=headers)
    await assert_refused(response.status, await response.json(), 401)


GARBAGE_SIGNATURES = [
    {"Signature": "garbage"},
    {"Signature": 'keyId="x",signature="%%%"'},
    {"Signature": 'keyId="",headers="(request-target)",signature="AAAA"'},
    {
        "Signature": 'keyId="https://remote.example/users/bob#main-key",algorithm="hmac-sha1",'
        'headers="(request-target) host date digest",signature="AAAA"'
    },
    {"Signature-Input": "sig1=(", "Signature": "sig1=:AAAA:"},
    {"Signature-Input": 'sig1=("@method");keyid="k";created=1', "Signature": "sig2=:AAAA:"},
    {"Signature-Input": "sig1=x, sig1=y", "Signature": "nonsense"},
    {"Signature-Input": 'sig1=("@method" "@target-uri");keyid="k";created=notanumber'},
    {"Signature": "x" * 8000},
]


@pytest.mark.parametrize("headers", GARBAGE_SIGNATURES)
async def test_garbage_signature_headers_are_401_never_500(
    client: Client, alice: Actor, bob: RemoteActor, headers: dict[str, str]
) -> None:
    body = encode(follow(bob))
    response = await client.post(
        "/inbox",
        data=body,
        headers={
            "Content-Type": AS2,
            "Host": "test.example",
            "Date": formatdate(usegmt=True),
            **headers,
        },
    )
    assert response.status == 401
    assert (await response.json())["status"] == 401
    assert await stored() == (0, 0)


async def test_a_signer_who_is_not_the_actor_is_401(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    mallory = RemoteActor(uri="https://remote.example/users/mallory", key=new_rsa_key())
    await mallory.store()
    status, answer = await post_signed(client, mallory, follow(bob))
    await assert_refused(status, answer, 401, "the signature is not the activity actor's")


async def test_an_unknown_key_whose_owner_cannot_be_fetched_is_401(
    client: Client, alice: Actor
) -> None:
    # remote.example is not on the private-address allow-list and does not resolve: no key.
    stranger = RemoteActor(uri="https://unreachable.invalid/users/x")
    status, answer = await post_signed(client, stranger, stranger.activity("Follow", ALICE))
    await assert_refused(status, answer, 401, "the signing key could not be found")


# --- key rotation ----------------------------------------------------------------------------


async def test_a_rotated_key_is_refetched_once_and_the_activity_accepted(
    client: Client, alice: Actor, peer: ActorServer
) -> None:
    dave = peer.actor("dave", key=new_rsa_key())  # its server now serves the new key
    await dave.store(key=new_rsa_key())  # we still hold the old one
    status, _ = await post_signed(client, dave, dave.activity("Follow", ALICE))
    assert status == 202
    assert peer.hits["/users/dave"] == 1
    assert await stored() == (1, 1)


async def test_refetching_a_failing_key_is_rate_limited(
    client: Client, alice: Actor, peer: ActorServer
) -> None:
    erin = peer.actor("erin", key=new_rsa_key())
    await erin.store()
    impostor = RemoteActor(uri=erin.uri, key=new_rsa_key())
    for _ in range(3):
        status, _ = await post_signed(client, impostor, impostor.activity("Follow", ALICE))
        assert status == 401
    assert peer.hits["/users/erin"] == 1  # one refetch, not one per bad request
    assert await stored() == (0, 0)


# --- authorisation and origins ---------------------------------------------------------------


async def test_an_activity_id_on_another_server_than_its_actor_is_403(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    forged = {**follow(bob), "id": "https://elsewhere.example/activities/1"}
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
    status, answer = await post_signed(client, bob, follow(bob))
    await assert_refused(status, answer, 403)


# --- size, type, JSON --------------------------------------------------------------------------


async def test_a_body_over_one_mebibyte_is_413(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    big = {**follow(bob), "padding": "x" * (1024 * 1024)}
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
        client, bob, follow(bob), extra_headers={"Content-Type": content_type}
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
    activity = follow(bob)
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
        status, answer = await post_signed(client, bob, follow(bob))
    finally:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await admin.close()
    assert status == 503
    assert answer is not None and "try again" in answer["detail"]
    assert json.dumps(answer).find("asyncpg") == -1  # no internals in the answer
