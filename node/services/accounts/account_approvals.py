"""Staff approval of new accounts (``RUTA_REGISTRATIONS=approval``), as Mastodon does it.

A person signs up with a few words on why they join (``Account.sign_up_reason``) and confirms
their email address; the account then waits in the staff queue and every staff member gets a
notification (``account_lifecycle.verify_email``). Staff approve it (the person gets a mail and
may sign in) or reject it: the person gets a mail with the reason, if staff gave one, and the
account goes with its actor, so its username and email address are free again. A waiting
account never signed in, so it has published nothing that other servers could hold. Both
decisions are written to the audit log in the same transaction as the decision.
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from node import clock
from node.config import Settings
from node.errors import Conflict, NotFound, ValidationFailed
from node.models.accounts import Account
from node.models.actors import Actor, ActorKind
from node.services.accounts.account_lifecycle import mail_context, mail_language
from node.services.mail import MailComposer, queue_mail
from node.services.moderation import moderation
from node.urls import Urls

MAX_REJECTION_REASON = moderation.MAX_NOTE
ACCOUNT_APPROVED = "account_approved"
ACCOUNT_REJECTED = "account_rejected"
NOT_WAITING = "There is no such account waiting for approval."
NOT_CONFIRMED = "This account has not confirmed its email address yet."
ALREADY_APPROVED = "This account is approved already: suspend it instead."


async def pending_accounts(moderator: Account) -> list[Account]:
    """Accounts that confirmed their address and wait for staff, oldest first."""
    moderation.require_moderator(moderator)
    return (
        await Account.filter(approved_at__isnull=True, suspended_at__isnull=True)
        .filter(email_verified_at__isnull=False)
        .order_by("created_at", "id")
    )


async def unconfirmed_accounts(moderator: Account, *, limit: int = 200) -> list[Account]:
    """Accounts whose owner has not opened the confirmation link yet, newest first: staff see
    them apart, as they cannot be approved before the address is confirmed."""
    moderation.require_moderator(moderator)
    return (
        await Account.filter(approved_at__isnull=True, suspended_at__isnull=True)
        .filter(email_verified_at__isnull=True)
        .order_by("-created_at", "-id")
        .limit(limit)
    )


async def pending_count() -> int:
    """How many confirmed accounts wait for staff (for a badge; no permission check)."""
    return (
        await Account.filter(approved_at__isnull=True, suspended_at__isnull=True)
        .filter(email_verified_at__isnull=False)
        .count()
    )


async def find_account(reference: str) -> Account:
    """The local account ``reference`` names: digits are this node's id for its actor (as in
    the admin API's account lists), anything else its username (``name`` or ``@name``)."""
    reference = reference.strip().lstrip("@").split("@")[0].lower()
    account: Account | None = None
    if reference.isdigit() and len(reference) <= 19:
        actor = await Actor.get_or_none(id=int(reference), local=True, kind=ActorKind.PERSON)
        if actor is not None and actor.account_id is not None:  # type: ignore[attr-defined]
            account = await Account.get_or_none(id=actor.account_id)  # type: ignore[attr-defined]
    if account is None and reference:
        account = await Account.get_or_none(username=reference)
    if account is None:
        raise NotFound("No such account.")
    return account


async def approve(
    settings: Settings, urls: Urls, composer: MailComposer, moderator: Account, account: Account
) -> Account:
    """Let a waiting account in: it may sign in from now on and its owner gets a mail.

    Approving an approved account changes nothing (no second mail, no second log line); an
    address nobody confirmed cannot be approved (``Conflict``), as the account could belong to
    someone who never asked for it.
    """
    moderation.require_moderator(moderator)
    async with in_transaction():
        current = await Account.select_for_update().get_or_none(id=account.id)
        if current is None:
            raise NotFound(NOT_WAITING)
        if current.approved_at is not None:
            return current
        if current.email_verified_at is None:
            raise Conflict(NOT_CONFIRMED)
        current.approved_at = clock.now()
        await current.save(update_fields=["approved_at", "updated_at"])
        await queue_mail(
            composer,
            to=current.email,
            template="account_approved",
            language=mail_language(settings, current),
            context=mail_context(settings, current, sign_in_url=urls.absolute("/sign-in")),
        )
        await moderation.log_action(moderator, ACCOUNT_APPROVED, f"@{current.username}")
    return current


async def reject(
    settings: Settings,
    composer: MailComposer,
    moderator: Account,
    account: Account,
    *,
    reason: str = "",
) -> None:
    """Turn a waiting account down: its owner gets a mail (with ``reason`` when given), then the
    account and its actor are deleted, so the username and the address may sign up again.

    Only accounts not approved yet can be rejected (``Conflict`` otherwise: suspend those);
    rejecting an account that is already gone raises ``NotFound`` and changes nothing.
    """
    moderation.require_moderator(moderator)
    reason = reason.replace("\r\n", "\n").strip()
    if len(reason) > MAX_REJECTION_REASON:
        raise ValidationFailed.on("reason", f"Use at most {MAX_REJECTION_REASON} characters.")
    async with in_transaction():
        current = await Account.select_for_update().get_or_none(id=account.id)
        if current is None:
            raise NotFound(NOT_WAITING)
        if current.approved_at is not None:
            raise Conflict(ALREADY_APPROVED)
        await queue_mail(
            composer,
            to=current.email,
            template="account_rejected",
            language=mail_language(settings, current),
            context=mail_context(settings, current, reason=reason),
        )
        # Its notifications, sessions and tokens go with it (ON DELETE CASCADE). No tombstone:
        # the actor never published anything, and the name must be free for a new sign-up.
        await Actor.filter(account_id=current.id, local=True).delete()
        await Account.filter(id=current.id).delete()
        await moderation.log_action(moderator, ACCOUNT_REJECTED, f"@{current.username}", reason)


async def with_actors(rows: list[Account]) -> list[tuple[Account, Actor]]:
    """Each account with its ``Person`` actor (what the admin API shows), in the same order."""
    people = await Actor.filter(
        account_id__in=[a.id for a in rows], kind=ActorKind.PERSON, local=True
    )
    by_account = {p.account_id: p for p in people}  # type: ignore[attr-defined]
    return [(a, by_account[a.id]) for a in rows if a.id in by_account]
