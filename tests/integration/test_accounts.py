"""Creating accounts: validation, uniqueness, the public actor and its keys."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from node.errors import Conflict, NotFound, ValidationFailed
from node.models.accounts import Account, Role
from node.models.actors import Actor, ActorKey, ActorKind
from node.services.accounts import accounts, passwords
from node.urls import Urls

pytestmark = pytest.mark.usefixtures("orm")


async def create(
    urls: Urls,
    username: str = "ana",
    email: str = "ana@example.org",
    password: str = "a long password",
    **kw: object,
) -> Account:
    return await accounts.create_account(
        urls, username=username, email=email, password=password, **kw
    )  # type: ignore[arg-type]


async def test_an_account_gets_a_person_actor_with_keys(urls: Urls) -> None:
    account = await create(urls, "Ana_G", "Ana@Example.org", display_name="Ana García")
    assert account.username == "ana_g"
    assert account.email == "ana@example.org"
    actor = await Actor.get(account=account)
    assert actor.kind is ActorKind.PERSON
    assert actor.uri == "https://test.example/users/ana_g"
    assert actor.inbox_url == "https://test.example/users/ana_g/inbox"
    assert actor.shared_inbox_url == "https://test.example/inbox"
    assert actor.public_key_id == actor.uri + "#main-key"
    assert actor.ed25519_multibase and actor.ed25519_multibase.startswith("z6Mk")
    keys = await ActorKey.get(actor=actor)
    private = serialization.load_pem_private_key(keys.rsa_private_pem.encode(), None)
    assert isinstance(private, rsa.RSAPrivateKey)
    assert private.key_size == 2048


async def test_the_password_is_verified_against_its_argon2id_hash(urls: Urls) -> None:
    account = await create(urls)
    assert await passwords.verify_password(account.password_hash, "a long password")
    assert not await passwords.verify_password(account.password_hash, "a wrong password")
    assert not await passwords.verify_password(None, "a long password")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"username": "bad name"}, "username"),
        ({"username": "x" * 31}, "username"),
        ({"username": "mercado"}, "username"),
        ({"username": ""}, "username"),
        ({"email": "not-an-email"}, "email"),
        ({"password": "short"}, "password"),
        ({"password": "x" * 2000}, "password"),
        ({"display_name": "x" * 101}, "display_name"),
    ],
)
async def test_bad_input_is_refused_with_the_field_named_and_nothing_stored(
    urls: Urls, fields: dict[str, str], field: str
) -> None:
    with pytest.raises(ValidationFailed) as err:
        await create(urls, **fields)
    assert err.value.errors[0].field == field
    assert await Account.all().count() == 0
    assert await Actor.filter(kind=ActorKind.PERSON).count() == 0


async def test_username_and_email_are_unique_case_insensitively(urls: Urls) -> None:
    await create(urls, "ana", "ana@example.org")
    with pytest.raises(Conflict, match="already taken"):
        await create(urls, "ANA", "other@example.org")
    with pytest.raises(Conflict, match="email"):
        await create(urls, "ana2", "ANA@example.org")
    assert await Account.all().count() == 1


async def test_display_names_lose_control_and_bidi_override_characters(urls: Urls) -> None:
    account = await create(urls, display_name="Ana\u202e\u0000 Pérez")
    assert account.display_name == "Ana Pérez"


async def test_roles_can_be_changed_and_are_validated(urls: Urls) -> None:
    await create(urls)
    assert (await accounts.set_role("ana", Role.STAFF)).role is Role.STAFF
    with pytest.raises(ValidationFailed, match="member, mentor"):
        accounts.parse_role("king")
    with pytest.raises(NotFound):
        await accounts.set_role("nobody", Role.ADMIN)
