"""Signatures on received activities over real HTTP (SECURITY.md "Inbound federation"):
draft-cavage and RFC 9421 are verified against the sender's key, fetched once when unknown or
rotated; anything else is a 401 with a short reason, never a 500, and stores nothing."""

from __future__ import annotations

from datetime import timedelta
from email.utils import formatdate

import pytest
from aiohttp.test_utils import TestClient

from node import clock
from node.models.actors import Actor
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
    new_rsa_key,
    peer,
    post_signed,
    rfc9421_headers,
    stored,
)

__all__ = ["alice", "app", "bob", "peer"]  # fixtures

Client = TestClient  # type: ignore[type-arg]


# --- signatures: 401 with a short reason, never 500 ------------------------------------------


async def test_an_unsigned_post_is_401_with_a_problem_json_reason(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    response = await client.post(
        "/inbox",
        data=encode(follow_of_alice(bob)),
        headers={"Content-Type": AS2, "Host": "test.example"},
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
    status, answer = await post_signed(client, impostor, follow_of_alice(bob))
    await assert_refused(status, answer, 401, "the signature could not be verified")


async def test_a_body_changed_after_signing_is_401(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    signed_body = encode(follow_of_alice(bob))
    headers = cavage_headers(bob, "/inbox", signed_body)
    other = encode(follow_of_alice(bob))
    response = await client.post("/inbox", data=other, headers=headers)
    await assert_refused(
        response.status, await response.json(), 401, "the body digest is missing or does not match"
    )


async def test_a_cavage_signature_that_does_not_cover_the_digest_is_401(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    body = encode(follow_of_alice(bob))
    headers = cavage_headers(bob, "/inbox", body)
    headers["Signature"] = headers["Signature"].replace(
        'headers="(request-target) host date digest"', 'headers="(request-target) host date"'
    )
    response = await client.post("/inbox", data=body, headers=headers)
    await assert_refused(response.status, await response.json(), 401, "the request is not signed")


async def test_a_date_more_than_an_hour_old_is_401(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    body = encode(follow_of_alice(bob))
    two_hours_ago = (clock.now() - timedelta(hours=2)).timestamp()
    headers = cavage_headers(bob, "/inbox", body, now=two_hours_ago)
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
    body = encode(follow_of_alice(bob))
    created = int(clock.now().timestamp()) - 7200
    headers = rfc9421_headers(bob, "/inbox", body, created=created)
    response = await client.post("/inbox", data=body, headers=headers)
    assert response.status == 401
    assert await stored() == (0, 0)


async def test_an_rfc9421_signature_without_content_digest_covered_is_401(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    body = encode(follow_of_alice(bob))
    headers = rfc9421_headers(
        bob, "/inbox", body, components=["@method", "@target-uri", "@authority", "date"]
    )
    response = await client.post("/inbox", data=body, headers=headers)
    await assert_refused(response.status, await response.json(), 401)


async def test_a_request_signed_for_another_server_is_401(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    # Replaying to us a request Bob signed for evil.example: the signed Host is not ours.
    body = encode(follow_of_alice(bob))
    headers = cavage_headers(bob, "/inbox", body, url_base="https://evil.example")
    response = await client.post("/inbox", data=body, headers=headers)
    await assert_refused(
        response.status, await response.json(), 401, "the signature is not for this server"
    )


async def test_an_rfc9421_signature_for_another_target_uri_is_401(
    client: Client, alice: Actor, bob: RemoteActor
) -> None:
    body = encode(follow_of_alice(bob))
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
    body = encode(follow_of_alice(bob))
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
    status, answer = await post_signed(client, mallory, follow_of_alice(bob))
    await assert_refused(status, answer, 401, "the signature is not the activity actor's")


async def test_an_unknown_key_whose_owner_cannot_be_fetched_is_401(
    client: Client, alice: Actor
) -> None:
    # remote.example is not on the private-address allow-list and does not resolve: no key.
    stranger = RemoteActor(uri="https://unreachable.invalid/users/x")
    status, answer = await post_signed(client, stranger, stranger.activity("Follow", ALICE))
    await assert_refused(status, answer, 401, "the signing key could not be found")


# --- keys ---------------------------------------------------------------------------------------


async def test_a_key_we_do_not_know_is_fetched_from_its_owner_signed(
    client: Client, alice: Actor, peer: ActorServer
) -> None:
    carol = peer.actor("carol")
    status, _ = await post_signed(client, carol, carol.activity("Follow", ALICE))
    assert status == 202
    assert peer.hits["/users/carol"] == 1
    assert peer.signed["/users/carol"] is True  # herd and secure-mode Mastodon need that
    assert await Actor.filter(uri=carol.uri, local=False).exists()


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
