"""The Keyring: each local actor's private key parsed once per process, off the event loop."""

from __future__ import annotations

import asyncio
import threading

import pytest

from federation import keyring as keyring_module
from federation.keyring import Keyring
from federation.signatures import load_private_key
from node.errors import NotFound
from node.models.actors import Actor, ActorKind
from node.services.social.actors import create_local_actor
from node.urls import Urls

pytestmark = pytest.mark.usefixtures("orm")


async def test_concurrent_first_uses_parse_the_key_once_in_a_worker_thread(
    urls: Urls, monkeypatch: pytest.MonkeyPatch
) -> None:
    maria = await create_local_actor(urls, kind=ActorKind.PERSON, username="maria")
    parsed_on: list[int] = []

    def recording_load(pem: str):  # type: ignore[no-untyped-def]
        parsed_on.append(threading.get_ident())
        return load_private_key(pem)

    monkeypatch.setattr(keyring_module, "load_private_key", recording_load)
    keyring = Keyring(urls)
    keys = await asyncio.gather(*(keyring.signing_key(maria) for _ in range(5)))
    assert len({id(k) for k in keys}) == 1
    assert keys[0].key_id == maria.uri + "#main-key"
    assert parsed_on and len(parsed_on) == 1
    assert parsed_on[0] != threading.get_ident()  # not on the event loop's thread
    assert await keyring.signing_key(maria) is keys[0]
    assert len(parsed_on) == 1


async def test_remote_actors_have_no_signing_key(urls: Urls) -> None:
    remote = await Actor.create(
        uri="https://elsewhere.example/users/x",
        username="x",
        domain="elsewhere.example",
        inbox_url="https://elsewhere.example/users/x/inbox",
        public_key_id="https://elsewhere.example/users/x#main-key",
    )
    with pytest.raises(NotFound):
        await Keyring(urls).signing_key(remote)
