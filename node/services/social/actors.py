"""Local actors: creating them with their keys, and the node's own instance actor."""

from __future__ import annotations

from urllib.parse import urlsplit

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from node import clock
from node.errors import RutaError
from node.models.accounts import Account
from node.models.actors import Actor, ActorKey, ActorKind
from node.services.accounts.keys import generate_keys
from node.urls import Urls


class DomainChanged(RutaError):
    def __init__(self, stored: str, configured: str) -> None:
        """``stored`` and ``configured``: the instance actor's id in the database and the one
        the settings give (``https://lapalma.example/actor``)."""
        old, new = urlsplit(stored), urlsplit(configured)
        if old.netloc == new.netloc:  # same host, served over the other scheme
            setting, was, now = "RUTA_SCHEME", old.scheme, new.scheme
        else:
            setting, was, now = "RUTA_DOMAIN", old.netloc, new.netloc
        super().__init__(
            f"{setting} is {now!r} but this database belongs to {old.scheme}://{old.netloc}; a "
            f"node's address can never change (other servers store its ids). Set {setting}={was} "
            "or point RUTA_DATA_DIR / RUTA_DATABASE_URL at a new database."
        )


async def create_local_actor(
    urls: Urls,
    *,
    kind: ActorKind,
    username: str,
    display_name: str = "",
    account: Account | None = None,
    summary: str = "",
    manually_approves_followers: bool = False,
    using_db: BaseDBAsyncClient | None = None,
) -> Actor:
    """Create a local actor and its key pair. ``username`` must already be validated and free."""
    keys = await generate_keys()
    uri = urls.actor(kind, username)
    fields = {
        "uri": uri,
        "kind": kind,
        "username": username,
        "domain": urls.domain,
        "local": True,
        "local_username": username.lower(),
        "account": account,
        "display_name": display_name,
        "summary": summary,
        "url": urls.profile_page(username) if kind is not ActorKind.APPLICATION else urls.base,
        "manually_approves_followers": manually_approves_followers,
        "inbox_url": uri + "/inbox",
        "shared_inbox_url": urls.shared_inbox(),
        "outbox_url": uri + "/outbox",
        "followers_url": uri + "/followers",
        "following_url": uri + "/following",
        "featured_url": uri + "/featured",
        "public_key_id": uri + "#main-key",
        "public_key_pem": keys.rsa_public_pem,
        "ed25519_key_id": uri + "#ed25519-key",
        "ed25519_multibase": keys.ed25519_multibase,
        "published": clock.now(),
    }
    if using_db is not None:
        return await _insert(fields, keys.rsa_private_pem, keys.ed25519_private_pem, using_db)
    async with in_transaction() as tx:
        return await _insert(fields, keys.rsa_private_pem, keys.ed25519_private_pem, tx)


async def _insert(
    fields: dict[str, object], rsa_pem: str, ed_pem: str, db: BaseDBAsyncClient
) -> Actor:
    actor = await Actor.create(using_db=db, **fields)
    await ActorKey.create(
        using_db=db, actor=actor, rsa_private_pem=rsa_pem, ed25519_private_pem=ed_pem
    )
    return actor


def instance_username(urls: Urls) -> str:
    """The instance actor's username: the host name, which no user can take (users have no dots
    or colons), as Mastodon and GoToSocial name theirs."""
    return urls.domain.split(":")[0].strip("[]")


async def ensure_instance_actor(urls: Urls) -> Actor:
    """The node's ``Application`` actor at ``/actor``, created with its keys on first start.

    It also pins the node's domain: a database created for one domain refuses to serve another,
    because every id other servers stored would silently break.
    """
    actor = await Actor.get_or_none(uri=urls.instance_actor())
    if actor is not None:
        return actor
    other = await Actor.filter(kind=ActorKind.APPLICATION, local=True).first()
    if other is not None:
        raise DomainChanged(other.uri, urls.instance_actor())
    return await create_local_actor(
        urls,
        kind=ActorKind.APPLICATION,
        username=instance_username(urls),
        display_name=urls.domain,
    )


async def instance_actor_present(urls: Urls) -> bool:
    return await ActorKey.filter(actor__uri=urls.instance_actor()).exists()
