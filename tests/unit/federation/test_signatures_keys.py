"""Keys: parsed once, key documents, FEP-521a Multikey; an aiohttp round trip; and the bovine
JSON-LD cache file that must never appear."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from federation import signatures as sig
from tests.unit.federation.signing_material import (
    ACTOR,
    ED_KEY,
    KEY_ID,
    LOOKUP,
    RSA_KEY,
)

REPO = Path(__file__).parents[3]


def _private_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def test_a_private_key_is_parsed_once_per_process() -> None:
    pem = _private_pem(RSA_KEY)
    sig.load_private_key.cache_clear()
    first = sig.load_private_key(pem)
    started = time.perf_counter()
    second = sig.load_private_key(pem)
    assert first is second
    assert time.perf_counter() - started < 0.001
    assert sig.load_private_key.cache_info().hits == 1


def test_only_rsa_private_keys_sign() -> None:
    ed_pem = ED_KEY.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    with pytest.raises(ValueError, match="RSA"):
        sig.load_private_key(ed_pem)


def test_key_documents_publickey_pem_and_multikey_resolve() -> None:
    pem = (
        RSA_KEY.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    key = sig.resolved_key_from_document({"id": KEY_ID, "owner": ACTOR, "publicKeyPem": pem})
    assert key.controller == ACTOR
    assert isinstance(key.public_key, rsa.RSAPublicKey)
    entry = sig.assertion_method_entry(ACTOR, ED_KEY.public_key())
    multikey = sig.resolved_key_from_document(entry)
    assert multikey.controller == ACTOR
    assert isinstance(multikey.public_key, ed25519.Ed25519PublicKey)


@pytest.mark.parametrize(
    "doc",
    [
        {"id": KEY_ID, "publicKeyPem": "x"},
        {"id": KEY_ID, "owner": ACTOR, "publicKeyPem": "not a pem"},
        {"id": KEY_ID, "owner": ACTOR, "publicKeyPem": 42},
        {"type": "Multikey", "controller": ACTOR, "publicKeyMultibase": "zNotAKey"},
        {},
    ],
)
def test_malformed_key_documents_raise_value_error(doc: dict[str, Any]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each document fails for its own reason
        sig.resolved_key_from_document(doc)


_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _b58(data: bytes) -> str:
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = _B58[r] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def test_multikey_encoding_matches_fep_521a_and_a_known_did_key() -> None:
    public = ED_KEY.public_key()
    multibase = sig.multikey_from_ed25519_public(public)
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert multibase.startswith("z6Mk")
    assert multibase == "z" + _b58(b"\xed\x01" + raw)
    from bovine.crypto.helper import did_key_to_public_key

    known = "z6MkekwC6R9bj9ErToB7AiZJfyCSDhaZe1UxhDbCqJrhqpS5"
    assert sig.multikey_from_ed25519_public(did_key_to_public_key("did:key:" + known)) == known
    with pytest.raises(TypeError):
        sig.multikey_from_ed25519_public(RSA_KEY.public_key())  # type: ignore[arg-type]


async def test_request_signed_by_aiohttp_client_verifies_on_aiohttp_server(
    aiohttp_client: Any,
) -> None:
    async def inbox(request: web.Request) -> web.Response:
        body = await request.read()
        url = f"http://{request.host}{request.raw_path}"
        result = await sig.verify_request(request.method, url, request.headers, body, LOOKUP)
        if isinstance(result, sig.Failure):
            return web.json_response({"error": result.reason}, status=401)
        return web.json_response({"actor": result.controller, "scheme": result.scheme}, status=202)

    app = web.Application()
    app.router.add_route("*", "/users/alice/inbox", inbox)
    client = await aiohttp_client(app)
    url = str(client.make_url("/users/alice/inbox?x=1"))
    body = b'{"type":"Follow"}'
    headers = sig.sign_request("POST", url, body, KEY_ID, RSA_KEY)
    response = await client.post(
        "/users/alice/inbox?x=1",
        data=body,
        headers={**headers, "Content-Type": "application/activity+json"},
    )
    assert response.status == 202, await response.text()
    assert await response.json() == {"actor": ACTOR, "scheme": "draft-cavage"}
    response = await client.post("/users/alice/inbox?x=1", data=b"{}", headers=headers)
    assert response.status == 401
    response = await client.post(
        "/users/alice/inbox", data=body, headers={"Signature-Input": "(((", "Signature": "x"}
    )
    assert response.status == 401


def test_importing_and_building_the_whole_app_creates_no_jsonld_cache_file(
    tmp_path: Path,
) -> None:
    """``import bovine.jsonld`` writes ./bovine_jsonld_cache.sqlite: nothing of ours may."""
    script = (
        "import importlib, pkgutil\n"
        "import node, federation, web\n"
        "for package in (node, federation, web):\n"
        "    for info in pkgutil.walk_packages(package.__path__, package.__name__ + '.'):\n"
        "        if '.migrations' not in info.name:\n"
        "            importlib.import_module(info.name)\n"
        "from node.config import load_settings\n"
        "from node.main import create_app\n"
        "create_app(load_settings({'RUTA_DOMAIN': 'x.example'}), run_workers=False)\n"
        "import sys\n"
        "assert 'bovine.jsonld' not in sys.modules, 'bovine.jsonld was imported'\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert list(tmp_path.iterdir()) == []
