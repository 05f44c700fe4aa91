"""Suspending an account by what a moderator types or sends: a local username, ``@user@host`` on
another server, or this node's id for the account.

A remote handle is resolved through the ``ActorResolver`` port (WebFinger and a fetch, so it runs
outside any transaction), then suspended through :func:`moderation.set_suspended`: the rules and
the audit log are the ones of the staff pages' buttons, there is no second path. A suspended
remote actor's activities are dropped by the inbox, its notes leave every timeline
(``visibility.visible_to``), its follows with our accounts end
(``follows.end_follows_for_suspension``) and nothing more is delivered to it.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.transactions import in_transaction

from node.errors import NotFound, PermissionDenied, ValidationFailed
from node.models.accounts import Account
from node.models.actors import Actor, ActorKind
from node.models.moderation import Report, ReportResolution
from node.ports import ActorResolver, Publisher
from node.services.moderation import moderation

MAX_REFERENCE = 2048
UNRESOLVED = "Nobody answers to that address: check it, or try again later."
MALFORMED = "Enter an address such as @name@city.example."


async def set_suspended_by_reference(
    publisher: Publisher,
    resolver: ActorResolver,
    moderator: Account,
    reference: str,
    *,
    suspended: bool,
    note: str = "",
) -> str:
    """Suspend (or lift the suspension of) the account ``reference`` names: digits are this
    node's id for it, anything else a handle (``name``, ``@name@host``) or an actor URL.
    Returns the handle acted upon. A reference that does not resolve raises
    ``ValidationFailed`` on the field ``handle``, so a form can say so next to the field."""
    moderation.require_moderator(moderator)
    reference = reference.strip()
    if not reference or len(reference) > MAX_REFERENCE:
        raise ValidationFailed.on("handle", MALFORMED)
    if reference.isdigit():
        return await moderation.set_suspended(
            publisher, moderator, actor_id=reference, suspended=suspended, note=note
        )
    actor = await _resolve(resolver, reference)
    return await moderation.set_suspended(
        publisher, moderator, actor_id=str(actor.id), suspended=suspended, note=note
    )


async def _resolve(resolver: ActorResolver, reference: str) -> Actor:
    try:
        actor = await resolver.resolve(reference)
    except ValidationFailed:
        raise ValidationFailed.on("handle", MALFORMED) from None
    except NotFound:
        raise ValidationFailed.on("handle", UNRESOLVED) from None
    except PermissionDenied:
        # A blocked server: its accounts are already refused, nothing more to suspend.
        raise ValidationFailed.on("handle", "That server is blocked already.") from None
    if actor.kind is ActorKind.APPLICATION:
        raise ValidationFailed.on("handle", UNRESOLVED)
    return actor


async def suspended_remote_actors(moderator: Account, *, limit: int = 200) -> list[Actor]:
    """Accounts of other servers suspended here, most recent first (so staff can lift it)."""
    moderation.require_moderator(moderator)
    return (
        await Actor.filter(local=False, suspended_at__isnull=False)
        .order_by("-suspended_at")
        .limit(limit)
    )


@dataclass(frozen=True)
class ModeratedAccount:
    """An account as staff see it: its actor, and the local account behind it (None remote)."""

    actor: Actor
    account: Account | None


async def local_accounts(moderator: Account, query: str = "") -> list[ModeratedAccount]:
    """:func:`moderation.accounts_for_moderation` with each account's ``Person`` actor."""
    accounts = await moderation.accounts_for_moderation(moderator, query)
    people = await Actor.filter(
        account_id__in=[a.id for a in accounts], kind=ActorKind.PERSON, local=True
    )
    by_account = {p.account_id: p for p in people}  # type: ignore[attr-defined]
    return [ModeratedAccount(by_account[a.id], a) for a in accounts if a.id in by_account]


async def close_report_suspending(
    publisher: Publisher, moderator: Account, report_id: str, *, note: str = "",
    forward: bool = False,
) -> Report:  # fmt: skip
    """Resolve a report by suspending the reported account: both in one transaction, both in
    the audit log (what Mastodon's account action with a ``report_id`` does)."""
    moderation.require_moderator(moderator)
    report = await moderation.get_report(moderator, None, report_id)
    if report.target is None:
        raise ValidationFailed.on("action", "The reported account no longer exists.")
    async with in_transaction():
        await moderation.set_suspended(
            publisher, moderator, actor_id=str(report.target.id), suspended=True, note=note
        )
        return await moderation.close_report(
            publisher,
            moderator,
            report_id,
            resolution=ReportResolution.RESOLVED.value,
            note=note,
            forward=forward,
        )
