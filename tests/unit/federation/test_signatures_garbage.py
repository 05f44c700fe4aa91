"""Hostile or broken signature headers are a Failure (→ 401), never an exception (→ 500)."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from federation import signatures as sig
from tests.unit.federation.signing_material import (
    ACTOR,
    INBOX,
    KEY_ID,
    LOOKUP,
    NOW,
    RSA_KEY,
    fedify_rfc9421,
    lookup_for,
    rsa_sign,
    verify,
)

GOOD_RFC = fedify_rfc9421("POST", INBOX, b"{}", KEY_ID, rsa_sign)
GOOD_CAVAGE = sig.sign_request("POST", INBOX, b"{}", KEY_ID, RSA_KEY, now=NOW)
RFC_INPUT = GOOD_RFC["Signature-Input"]
CAVAGE_SIGNATURE = GOOD_CAVAGE["Signature"]

GARBAGE: list[dict[str, Any]] = [
    {},
    {"Signature": ""},
    {"Signature": "garbage"},
    {"Signature": 'keyId="x"'},
    {"Signature": 'keyId="x",signature="!!!notbase64",headers="(request-target) host date digest"'},
    {**GOOD_CAVAGE, "Date": "yesterday"},
    {**GOOD_CAVAGE, "Date": ""},
    {**GOOD_CAVAGE, "Digest": "SHA-256=###"},
    {**GOOD_CAVAGE, "Digest": "MD5=abc"},
    {**GOOD_CAVAGE, "Host": "[::1"},
    {**GOOD_CAVAGE, "Signature": CAVAGE_SIGNATURE.replace("rsa-sha256", "hmac-sha256")},
    {**GOOD_CAVAGE, "Signature": CAVAGE_SIGNATURE + ',created="soon"'},
    {**GOOD_CAVAGE, "Signature": CAVAGE_SIGNATURE.replace(KEY_ID, "https://unknown.example/k")},
    {**GOOD_CAVAGE, "Signature": CAVAGE_SIGNATURE.replace(KEY_ID, "https://raise.example/k")},
    {"Signature-Input": "((("},
    {"Signature-Input": 'sig1=("@method");keyid="x";created=1', "Signature": "sig1=:AAAA:"},
    {**GOOD_RFC, "Signature-Input": "sig1=%%%"},
    {**GOOD_RFC, "Signature-Input": "sig1=x"},
    {**GOOD_RFC, "Signature-Input": "sig1=(@method);keyid=1"},
    {**GOOD_RFC, "Signature-Input": RFC_INPUT + ", sig1=()"},
    {**GOOD_RFC, "Signature-Input": RFC_INPUT.replace('"@method"', '"@method";req')},
    {**GOOD_RFC, "Signature-Input": RFC_INPUT.replace('"@method"', '"@query-param"')},
    {**GOOD_RFC, "Signature-Input": RFC_INPUT.replace('"host"', '"x-absent"')},
    {**GOOD_RFC, "Signature-Input": RFC_INPUT.replace('"host"', '"Bad Name"')},
    {**GOOD_RFC, "Signature-Input": "é=()"},
    {**GOOD_RFC, "Signature": "sig1=:not base64:"},
    {**GOOD_RFC, "Signature": "sig2=:AAAA:"},
    {**GOOD_RFC, "Signature": 'sig1="text"'},
    {**GOOD_RFC, "Content-Digest": "sha-256=AAAA"},
    {**GOOD_RFC, "Content-Digest": "md5=:AAAA:"},
    {**GOOD_RFC, "Date": "not a date"},
    {**GOOD_RFC, "Host": "evil.example"},
    {**GOOD_RFC, "X-Bad": "line\r\nbreak"},
    {**GOOD_RFC, "Signature-Input": ", ".join(f"s{i}=()" for i in range(50))},
    {"Signature": 12345},
]


async def _raising_lookup(key_id: str) -> sig.ResolvedKey | None:
    if "raise" in key_id:
        raise ConnectionError("network down")
    return await LOOKUP(key_id)


@pytest.mark.parametrize("headers", GARBAGE)
@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_garbage_headers_are_a_failure_not_an_exception(
    headers: dict[str, Any], method: str
) -> None:
    result = await verify(method, INBOX, headers, b"{}", _raising_lookup)
    assert isinstance(result, sig.Failure)
    assert result.reason
    assert not result


async def test_relative_url_odd_lookup_results_and_small_keys_are_failures() -> None:
    assert isinstance(await verify("POST", "/relative", GOOD_CAVAGE, b"{}"), sig.Failure)

    async def weird(key_id: str) -> Any:
        return ("pem", "owner")

    assert isinstance(await verify("POST", INBOX, GOOD_CAVAGE, b"{}", weird), sig.Failure)
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 - the point of the test
    headers = sig.sign_request("POST", INBOX, b"{}", KEY_ID, small, now=NOW)
    lookup = lookup_for({KEY_ID: sig.ResolvedKey(ACTOR, small.public_key())})
    result = await verify("POST", INBOX, headers, b"{}", lookup)
    assert isinstance(result, sig.Failure)
    assert "too small" in result.reason


async def test_cheap_checks_run_before_the_key_is_looked_up() -> None:
    """A stale or tampered request never makes us fetch a key (no traffic on junk)."""
    looked_up: list[str] = []

    async def recording(key_id: str) -> sig.ResolvedKey | None:
        looked_up.append(key_id)
        return await LOOKUP(key_id)

    stale = sig.sign_request("POST", INBOX, b"{}", KEY_ID, RSA_KEY, now=NOW - 7200)
    assert isinstance(await verify("POST", INBOX, stale, b"{}", recording), sig.Failure)
    assert isinstance(await verify("POST", INBOX, GOOD_CAVAGE, b"{!}", recording), sig.Failure)
    assert isinstance(await verify("POST", INBOX, GOOD_RFC, b"{!}", recording), sig.Failure)
    assert looked_up == []
