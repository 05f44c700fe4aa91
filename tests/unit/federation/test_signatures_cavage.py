"""draft-cavage signing and verification (SECURITY.md "Inbound federation")."""

from __future__ import annotations

import hashlib
import time

import pytest
from multidict import CIMultiDict

from federation import signatures as sig
from tests.unit.federation.signing_material import (
    ACTOR,
    ED_KEY,
    ED_KEY_ID,
    INBOX,
    KEY_ID,
    NOW,
    NOW_DATE,
    OTHER_RSA_KEY,
    RSA_KEY,
    b64,
    manual_cavage,
    verify,
)


@pytest.mark.parametrize(("method", "body"), [("GET", None), ("POST", b'{"type":"Follow"}')])
async def test_signed_request_verifies_and_covers_the_query_string(
    method: str, body: bytes | None
) -> None:
    url = "https://our.example/users/alice/outbox?page=2&min_id=5"
    headers = sig.sign_request(method, url, body, KEY_ID, RSA_KEY, now=NOW)
    expected = "(request-target) host date digest" if body else "(request-target) host date"
    assert f'headers="{expected}"' in headers["Signature"]
    assert headers["Host"] == "our.example"
    result = await verify(method, url, headers, body)
    assert isinstance(result, sig.VerifiedSigner), result
    assert (result.controller, result.key_id, result.scheme) == (ACTOR, KEY_ID, "draft-cavage")
    other = await verify(method, url.replace("page=2", "page=3"), headers, body)
    assert isinstance(other, sig.Failure)
    assert "does not verify" in other.reason


async def test_bovine_checker_drops_the_query_string_so_we_do_not_use_it() -> None:
    """Documents bovine's gap: its own signer includes the query, its checker does not."""
    from bovine.crypto.signature_checker import SignatureChecker
    from bovine.crypto.types import CryptographicIdentifier

    url = "https://our.example/users/alice/outbox?page=2"
    signed = sig.sign_request("GET", url, None, KEY_ID, RSA_KEY)
    headers = {k.lower(): v for k, v in signed.items()}

    async def retriever(key_id: str) -> CryptographicIdentifier:
        return CryptographicIdentifier(ACTOR, RSA_KEY.public_key())

    assert await SignatureChecker(retriever).validate_signature("get", url, headers, None) is None
    assert isinstance(await verify("GET", url, headers, None, now=time.time()), sig.VerifiedSigner)


async def test_tampered_body_fails_on_the_digest() -> None:
    body = b'{"type":"Follow"}'
    headers = sig.sign_request("POST", INBOX, body, KEY_ID, RSA_KEY, now=NOW)
    result = await verify("POST", INBOX, headers, b'{"type":"Delete"}')
    assert isinstance(result, sig.Failure)
    assert "Digest" in result.reason


async def test_digest_replaced_with_that_of_another_body_fails_the_signature() -> None:
    body = b'{"type":"Follow"}'
    headers = sig.sign_request("POST", INBOX, body, KEY_ID, RSA_KEY, now=NOW)
    evil = b'{"type":"Delete"}'
    headers["Digest"] = "SHA-256=" + b64(hashlib.sha256(evil).digest())
    result = await verify("POST", INBOX, headers, evil)
    assert isinstance(result, sig.Failure)
    assert "does not verify" in result.reason


async def test_post_whose_signature_does_not_cover_the_digest_fails() -> None:
    body = b'{"type":"Follow"}'
    digest = "SHA-256=" + b64(hashlib.sha256(body).digest())
    fields = [
        ("(request-target)", "post /users/alice/inbox"),
        ("host", "our.example"),
        ("date", NOW_DATE),
    ]
    headers = {
        "Host": "our.example",
        "Date": NOW_DATE,
        "Digest": digest,
        "Signature": manual_cavage(fields, RSA_KEY),
    }
    result = await verify("POST", INBOX, headers, body)
    assert isinstance(result, sig.Failure)
    assert result.reason == "not signed: digest"


@pytest.mark.parametrize("missing", ["host", "date", "(request-target)"])
async def test_signature_must_cover_request_target_host_and_date(missing: str) -> None:
    fields = [
        ("(request-target)", "get /users/alice"),
        ("host", "our.example"),
        ("date", NOW_DATE),
    ]
    fields = [f for f in fields if f[0] != missing]
    headers = {"Host": "our.example", "Date": NOW_DATE, "Signature": manual_cavage(fields, RSA_KEY)}
    result = await verify("GET", "https://our.example/users/alice", headers, None)
    assert isinstance(result, sig.Failure)
    assert missing in result.reason


@pytest.mark.parametrize("offset", [-7200, +7200])
async def test_date_two_hours_off_fails_and_fifty_minutes_passes(offset: int) -> None:
    headers = sig.sign_request("POST", INBOX, b"{}", KEY_ID, RSA_KEY, now=NOW + offset)
    result = await verify("POST", INBOX, headers, b"{}")
    assert isinstance(result, sig.Failure)
    assert "Date outside" in result.reason
    headers = sig.sign_request("POST", INBOX, b"{}", KEY_ID, RSA_KEY, now=NOW - 3000)
    assert isinstance(await verify("POST", INBOX, headers, b"{}"), sig.VerifiedSigner)


async def test_wrong_key_fails_and_a_request_signed_for_another_server_fails() -> None:
    headers = sig.sign_request("POST", INBOX, b"{}", KEY_ID, OTHER_RSA_KEY, now=NOW)
    result = await verify("POST", INBOX, headers, b"{}")
    assert isinstance(result, sig.Failure)
    assert result.reason == "signature does not verify"
    elsewhere = "https://elsewhere.example/users/alice/inbox"
    headers = sig.sign_request("POST", elsewhere, b"{}", KEY_ID, RSA_KEY, now=NOW)
    result = await verify("POST", INBOX, headers, b"{}")
    assert isinstance(result, sig.Failure)
    assert "is not this server" in result.reason


async def test_fedify_style_all_headers_signed_and_hs2019_with_ed25519_verify() -> None:
    """Fedify signs every header, sorted, path only; hs2019 with an Ed25519 key also works."""
    body = b'{"type":"Create"}'
    digest = "SHA-256=" + b64(hashlib.sha256(body).digest())
    fields = [
        ("(request-target)", "post /users/alice/inbox"),
        ("content-type", "application/activity+json"),
        ("date", NOW_DATE),
        ("digest", digest),
        ("host", "our.example"),
    ]
    headers = CIMultiDict(
        {
            "Content-Type": "application/activity+json",
            "Date": NOW_DATE,
            "Digest": digest,
            "Host": "our.example",
            "Signature": manual_cavage(fields, RSA_KEY),
        }
    )
    assert isinstance(await verify("POST", INBOX, headers, body), sig.VerifiedSigner)

    message = "\n".join(f"{n}: {v}" for n, v in fields).encode()
    signature = b64(ED_KEY.sign(message))
    names = " ".join(n for n, _ in fields)
    headers["Signature"] = (
        f'keyId="{ED_KEY_ID}",algorithm="hs2019",headers="{names}",signature="{signature}"'
    )
    result = await verify("POST", INBOX, headers, body)
    assert isinstance(result, sig.VerifiedSigner)
    assert result.algorithm == "hs2019"


async def test_path_only_request_target_is_refused_unless_the_policy_allows_it() -> None:
    url = "https://our.example/users/alice/outbox?page=2"
    fields = [
        ("(request-target)", "get /users/alice/outbox"),
        ("host", "our.example"),
        ("date", NOW_DATE),
    ]
    headers = {"Host": "our.example", "Date": NOW_DATE, "Signature": manual_cavage(fields, RSA_KEY)}
    assert isinstance(await verify("GET", url, headers, None), sig.Failure)
    lenient = sig.VerifyPolicy(cavage_allow_path_only_target=True)
    assert isinstance(await verify("GET", url, headers, None, policy=lenient), sig.VerifiedSigner)


def test_signing_refuses_relative_urls_and_non_rsa_keys() -> None:
    with pytest.raises(ValueError, match="absolute"):
        sig.sign_request("GET", "/users/alice", None, KEY_ID, RSA_KEY)
    with pytest.raises(TypeError):
        sig.sign_request("GET", INBOX, None, KEY_ID, ED_KEY)  # type: ignore[arg-type]


def test_default_ports_are_left_out_of_the_signed_host() -> None:
    headers = sig.sign_request("GET", "https://our.example:443/x", None, KEY_ID, RSA_KEY)
    assert headers["Host"] == "our.example"
    headers = sig.sign_request("GET", "http://127.0.0.1:8030/x", None, KEY_ID, RSA_KEY)
    assert headers["Host"] == "127.0.0.1:8030"
