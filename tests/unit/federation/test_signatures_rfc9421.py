"""RFC 9421 verification, with requests built the way Fedify 2.3.6 builds them."""

from __future__ import annotations

import warnings

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from federation import signatures as sig
from tests.unit.federation.signing_material import (
    ACTOR,
    ED_KEY,
    ED_KEY_ID,
    FEDIFY_COMPONENTS,
    INBOX,
    KEY_ID,
    NOW,
    RSA_KEY,
    fedify_rfc9421,
    lookup_for,
    rsa_sign,
    verify,
)


async def test_fedify_post_verifies_and_a_changed_body_fails() -> None:
    body = b'{"type":"Follow"}'
    headers = fedify_rfc9421("POST", INBOX, body, KEY_ID, rsa_sign)
    result = await verify("POST", INBOX, headers, body)
    assert isinstance(result, sig.VerifiedSigner), result
    assert (result.scheme, result.algorithm, result.label) == ("rfc9421", "rsa-v1_5-sha256", "sig1")
    assert result.controller == ACTOR
    tampered = await verify("POST", INBOX, headers, b'{"type":"Undo"}')
    assert isinstance(tampered, sig.Failure)
    assert "Content-Digest" in tampered.reason


async def test_get_with_query_and_ed25519_key_verifies_only_for_that_query() -> None:
    url = "https://our.example/users/alice/outbox?page=2"
    headers = fedify_rfc9421("GET", url, None, ED_KEY_ID, ED_KEY.sign, alg="ed25519")
    result = await verify("GET", url, headers, None)
    assert isinstance(result, sig.VerifiedSigner)
    assert result.algorithm == "ed25519"
    assert isinstance(await verify("GET", url.replace("2", "3"), headers, None), sig.Failure)


async def test_bovine_checker_cannot_verify_target_uri_so_we_do_not_use_it() -> None:
    from bovine.crypto.signature_checker import SignatureChecker
    from bovine.crypto.types import CryptographicIdentifier

    body = b'{"type":"Follow"}'
    signed = fedify_rfc9421("POST", INBOX, body, KEY_ID, rsa_sign)
    headers = {k.lower(): v for k, v in signed.items()}

    async def retriever(key_id: str) -> CryptographicIdentifier:
        return CryptographicIdentifier(ACTOR, RSA_KEY.public_key())

    async def get_body() -> bytes:
        return body

    checker = SignatureChecker(retriever)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert await checker.validate_signature("post", INBOX, headers, get_body) is None
        with pytest.raises(ValueError):  # noqa: PT011 - it leaks exceptions on garbage
            await checker.validate_signature(
                "post", INBOX, {**headers, "signature-input": "((("}, get_body
            )


@pytest.mark.parametrize("drop", ["@target-uri", "@method", "content-digest"])
async def test_signature_must_cover_method_target_uri_and_content_digest(drop: str) -> None:
    body = b'{"type":"Follow"}'
    components = [c for c in [*FEDIFY_COMPONENTS, "content-digest"] if c != drop]
    headers = fedify_rfc9421("POST", INBOX, body, KEY_ID, rsa_sign, components=components)
    result = await verify("POST", INBOX, headers, body)
    assert isinstance(result, sig.Failure)
    assert result.reason == f"sig1: not covered: {drop}"


async def test_fedify_key_fetch_signs_the_fragment_which_verifies_only_when_passed() -> None:
    """Fedify 2.3.6 signs url.href, so its fetch of ".../alice#main-key" puts the fragment in
    @target-uri although it is never sent (seen live)."""
    url = "https://our.example/users/alice"
    headers = fedify_rfc9421("GET", url + "#main-key", None, KEY_ID, rsa_sign)
    assert isinstance(await verify("GET", url, headers, None), sig.Failure)
    assert isinstance(await verify("GET", url + "#main-key", headers, None), sig.VerifiedSigner)


async def test_created_missing_or_two_hours_old_fails() -> None:
    body = b"{}"
    no_created = fedify_rfc9421(
        "POST", INBOX, body, KEY_ID, rsa_sign, params=f'alg="rsa-v1_5-sha256";keyid="{KEY_ID}"'
    )
    result = await verify("POST", INBOX, no_created, body)
    assert isinstance(result, sig.Failure)
    assert "created parameter missing" in result.reason
    stale = fedify_rfc9421("POST", INBOX, body, KEY_ID, rsa_sign, created=int(NOW) - 7200)
    result = await verify("POST", INBOX, stale, body)
    assert isinstance(result, sig.Failure)
    assert "created outside" in result.reason


async def test_declared_alg_must_match_the_key_type() -> None:
    headers = fedify_rfc9421("POST", INBOX, b"{}", KEY_ID, rsa_sign, alg="ed25519")
    result = await verify("POST", INBOX, headers, b"{}")
    assert isinstance(result, sig.Failure)
    assert "does not match an RSA key" in result.reason


async def test_rfc_9421_appendix_b26_known_answer_verifies() -> None:
    """RFC 9421 B.2.6 (ed25519, test-key-ed25519): the signature base, incl. the canonical
    @signature-params, is built exactly as the RFC says."""
    public = serialization.load_pem_public_key(
        b"-----BEGIN PUBLIC KEY-----\n"
        b"MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=\n"
        b"-----END PUBLIC KEY-----\n"
    )
    assert isinstance(public, ed25519.Ed25519PublicKey)
    headers = {
        "Host": "example.com",
        "Date": "Tue, 20 Apr 2021 02:07:55 GMT",
        "Content-Type": "application/json",
        "Content-Length": "18",
        "Content-Digest": "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:",
        "Signature-Input": 'sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");'
        'created=1618884473;keyid="test-key-ed25519"',
        "Signature": "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:",
    }
    relaxed = sig.VerifyPolicy(rfc9421_required=(), require_body_digest=False)
    lookup = lookup_for({"test-key-ed25519": sig.ResolvedKey("urn:test", public)})
    url = "https://example.com/foo?param=Value&Pet=dog"
    body = b'{"hello": "world"}'
    result = await verify("POST", url, headers, body, lookup, now=1618884473, policy=relaxed)
    assert isinstance(result, sig.VerifiedSigner), result
    assert result.algorithm == "ed25519"
    # The default policy refuses it: neither @target-uri nor content-digest is covered.
    assert isinstance(await verify("POST", url, headers, body, lookup, now=1618884473), sig.Failure)
