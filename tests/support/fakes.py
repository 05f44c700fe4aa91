"""Small recording fakes of the domain's ports (node.ports), for service-level tests.

The real implementations live in federation/ and are exercised by the integration tests; these
only record what the domain asked for, and whether it asked inside a transaction (publisher
calls must be) or outside one (resolving does network I/O and must not be).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import TransactionalDBClient

from node.errors import NotFound
from node.models.actors import Actor, ActorKind


def in_transaction_now() -> bool:
    return isinstance(connections.get("default"), TransactionalDBClient)


@dataclass
class Call:
    name: str
    obj: Any
    in_transaction: bool


@dataclass
class RecordingPublisher:
    """A ``node.ports.Publisher`` that records every call."""

    calls: list[Call] = field(default_factory=list)

    def names(self) -> list[str]:
        return [c.name for c in self.calls]

    def of(self, name: str) -> list[Any]:
        return [c.obj for c in self.calls if c.name == name]

    def clear(self) -> None:
        self.calls.clear()

    async def _record(self, name: str, obj: Any) -> None:
        self.calls.append(Call(name, obj, in_transaction_now()))

    async def note_created(self, note: Any) -> None:
        await self._record("note_created", note)

    async def note_updated(self, note: Any) -> None:
        await self._record("note_updated", note)

    async def note_deleted(self, note: Any) -> None:
        await self._record("note_deleted", note)

    async def follow_requested(self, follow: Any) -> None:
        await self._record("follow_requested", follow)

    async def follow_undone(self, follow: Any) -> None:
        await self._record("follow_undone", follow)

    async def follow_accepted(self, follow: Any) -> None:
        await self._record("follow_accepted", follow)

    async def follow_rejected(self, follow: Any) -> None:
        await self._record("follow_rejected", follow)

    async def liked(self, like: Any) -> None:
        await self._record("liked", like)

    async def unliked(self, like: Any) -> None:
        await self._record("unliked", like)

    async def announced(self, announce: Any) -> None:
        await self._record("announced", announce)

    async def unannounced(self, announce: Any) -> None:
        await self._record("unannounced", announce)

    async def blocked(self, block: Any) -> None:
        await self._record("blocked", block)

    async def unblocked(self, block: Any) -> None:
        await self._record("unblocked", block)

    async def actor_updated(self, actor: Any) -> None:
        await self._record("actor_updated", actor)

    async def actor_deleted(self, actor: Any) -> None:
        await self._record("actor_deleted", actor)

    async def report_forwarded(self, report: Any) -> None:
        await self._record("report_forwarded", report)


@dataclass
class FakeResolver:
    """A ``node.ports.ActorResolver`` over actors already in the database (local and remote
    ones the test created): ``@user@host``, ``user@host`` or an actor URI."""

    calls: list[tuple[str, bool]] = field(default_factory=list)  # (reference, in transaction)

    async def resolve(self, reference: str) -> Actor:
        self.calls.append((reference, in_transaction_now()))
        if reference.startswith(("http://", "https://")):
            actor = await Actor.get_or_none(uri=reference)
        else:
            user, _, host = reference.strip().lstrip("@").partition("@")
            actor = await Actor.filter(username__iexact=user, domain=host.lower()).first()
        if actor is None:
            raise NotFound(f"Nobody answers to {reference}.")
        return actor


async def remote_actor(
    username: str,
    domain: str = "faro.example",
    *,
    manually_approves_followers: bool = False,
    kind: ActorKind = ActorKind.PERSON,
) -> Actor:
    """A remote actor as the federation adapter would have stored it after fetching it."""
    uri = f"https://{domain}/users/{username}"
    return await Actor.create(
        uri=uri,
        kind=kind,
        username=username,
        domain=domain,
        local=False,
        display_name=username.title(),
        url=f"https://{domain}/@{username}",
        inbox_url=uri + "/inbox",
        shared_inbox_url=f"https://{domain}/inbox",
        followers_url=uri + "/followers",
        public_key_id=uri + "#main-key",
        manually_approves_followers=manually_approves_followers,
    )


async def local_person(urls: Any, username: str, *, manually_approves: bool = False) -> Actor:
    """A local account's ``Person`` actor (with keys), as ``ruta user create`` makes it."""
    from node.services.accounts.accounts import create_account, person_actor

    account = await create_account(
        urls, username=username, email=f"{username}@example.org", password="a long password"
    )
    actor = await person_actor(account)
    if manually_approves:
        actor.manually_approves_followers = True
        await actor.save(update_fields=["manually_approves_followers"])
    return actor


def with_ports(app: Any) -> Any:
    """Give an application fakes for the ports the federation adapter has not set (yet).

    API tests then run against the real implementations as soon as they are wired, and still
    run before. Only ports that are missing are filled in.
    """
    from node.appkeys import PUBLISHER, RESOLVER

    if app.get(PUBLISHER) is None:
        app[PUBLISHER] = RecordingPublisher()
    if app.get(RESOLVER) is None:
        app[RESOLVER] = FakeResolver()
    return app


async def api_user(urls: Any, username: str, **kw: Any) -> tuple[Actor, dict[str, str]]:
    """A local account's actor and the ``Authorization`` header of a token for it."""
    from node.models.accounts import Account
    from node.services.accounts.tokens import create_token

    actor = await local_person(urls, username, **kw)
    account = await Account.get(username=username)
    _, secret = await create_token(account, "tests")
    return actor, {"Authorization": f"Bearer {secret}"}
