"""Moderation: people report posts and accounts; staff work the report queue, suspend accounts,
block servers and edit the about page and the rules. Every staff action is written to the audit
log (``ModerationAction``) in the same transaction as the action itself.

Only staff and admins moderate (``Role.moderates``); everyone else gets ``PermissionDenied``.
A report is seen by its reporter and by staff; anyone else gets ``NotFound``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from node import clock
from node.errors import NotFound, PermissionDenied, ValidationFailed
from node.ids import parse_id
from node.models.accounts import Account, Role
from node.models.actors import Actor, ActorKind
from node.models.moderation import (
    DomainBlock,
    InstanceText,
    ModerationAction,
    Report,
    ReportResolution,
)
from node.models.social import Note
from node.ports import Publisher
from node.services import text
from node.services.accounts import sessions
from node.services.moderation import domain_blocks
from node.services.social import follows, notes

MAX_COMMENT = 1000
MAX_NOTE = 1000
MAX_INSTANCE_TEXT = 10_000  # what a web form field may carry (web.views.forms)
INSTANCE_TEXT_KEYS = ("about", "rules")


class Action:
    """What the audit log records (values stored in ``ModerationAction.action``)."""

    REPORT_RESOLVED = "report_resolved"
    REPORT_DISMISSED = "report_dismissed"
    REPORT_FORWARDED = "report_forwarded"
    ACCOUNT_SUSPENDED = "account_suspended"
    ACCOUNT_UNSUSPENDED = "account_unsuspended"
    DOMAIN_BLOCKED = "domain_blocked"
    DOMAIN_UNBLOCKED = "domain_unblocked"
    TEXT_UPDATED = "text_updated"


def require_moderator(account: Account) -> Account:
    """``account`` if it may moderate; ``PermissionDenied`` otherwise."""
    if not account.role.moderates or account.suspended_at is not None:
        raise PermissionDenied("Only the city's staff can do this.")
    return account


async def log_action(moderator: Account, action: str, target: str, note: str = "") -> None:
    """One line of the audit log: who did what to which account, server, report or shop."""
    await ModerationAction.create(
        moderator=moderator,
        moderator_name=moderator.username,
        action=action,
        target=target[:2048],
        note=note,
    )


def _bounded(value: str, limit: int, field: str) -> str:
    value = value.replace("\r\n", "\n").strip()
    if len(value) > limit:
        raise ValidationFailed.on(field, f"Write at most {limit} characters.")
    return value


# --- reporting ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportSubject:
    """What a report form is about: an account, and perhaps one of its posts."""

    target: Actor
    note: Note | None


async def report_subject(
    reporter: Actor, *, actor_id: str | None = None, note_id: str | None = None
) -> ReportSubject:
    """The account (and post) a person wants to report; only what they can see."""
    if note_id:
        note = await notes.get_visible_note(note_id, reporter)
        subject = ReportSubject(note.author, note)
    elif actor_id and (number := parse_id(actor_id)) is not None:
        actor = await Actor.get_or_none(id=number)
        if actor is None or actor.kind is ActorKind.APPLICATION:
            raise NotFound("Nobody to report here.")
        subject = ReportSubject(actor, None)
    else:
        raise NotFound("Nobody to report here.")
    if subject.target.id == reporter.id:
        raise ValidationFailed.on("target", "You cannot report yourself.")
    return subject


async def file_report(
    reporter: Actor,
    subject: ReportSubject,
    *,
    comment: str,
    forward: bool = False,
) -> Report:
    """A local person reports an account or a post to this node's staff. ``forward`` asks
    staff to send it on to the account's server too (they decide when they review it)."""
    comment = _bounded(comment, MAX_COMMENT, "comment")
    if not comment:
        raise ValidationFailed.on("comment", "Tell the team what is wrong.")
    return await Report.create(
        reporter=reporter,
        target=subject.target,
        object_uris=[subject.note.uri] if subject.note is not None else [],
        comment=comment,
        forward_requested=bool(forward and not subject.target.local),
    )


async def reports_filed_by(reporter: Actor) -> list[Report]:
    """The reports a person sent, newest first."""
    return await Report.filter(reporter=reporter).prefetch_related("target").order_by("-id")


async def get_report(viewer: Account, reporter: Actor | None, report_id: str) -> Report:
    """A report its reporter or a moderator may read; ``NotFound`` for anyone else."""
    number = parse_id(report_id)
    report = (
        await Report.get_or_none(id=number).prefetch_related("target", "reporter", "resolved_by")
        if number is not None
        else None
    )
    if report is None:
        raise NotFound("No such report.")
    is_reporter = reporter is not None and report.reporter_id == reporter.id  # type: ignore[attr-defined]
    if not is_reporter and not viewer.role.moderates:
        raise NotFound("No such report.")
    return report


# --- the queue ------------------------------------------------------------------------------


async def report_queue(moderator: Account, *, open_only: bool = True) -> list[Report]:
    """Open reports, oldest first (or the closed ones, newest first)."""
    require_moderator(moderator)
    if open_only:
        query = Report.filter(resolved_at__isnull=True).order_by("id")
    else:
        query = Report.filter(resolved_at__isnull=False).order_by("-resolved_at")
    return await query.prefetch_related("target", "reporter").limit(200)


async def close_report(
    publisher: Publisher,
    moderator: Account,
    report_id: str,
    *,
    resolution: str,
    note: str = "",
    forward: bool = False,
) -> Report:
    """Resolve or dismiss a report with a note; ``forward`` also sends it to the reported
    account's server as a ``Flag`` from this node (only once, and only for remote accounts)."""
    require_moderator(moderator)
    try:
        outcome = ReportResolution(resolution)
    except ValueError:
        raise ValidationFailed.on("resolution", "Choose resolve or dismiss.") from None
    note = _bounded(note, MAX_NOTE, "note")
    report = await get_report(moderator, None, report_id)
    if report.resolved_at is not None:
        raise ValidationFailed.on("resolution", "This report is already closed.")
    action = (
        Action.REPORT_RESOLVED if outcome is ReportResolution.RESOLVED else Action.REPORT_DISMISSED
    )
    async with in_transaction():
        report.resolved_at = clock.now()
        report.resolved_by = moderator
        report.resolution = outcome
        report.resolution_note = note
        fields = ["resolved_at", "resolved_by_id", "resolution", "resolution_note"]
        target: Actor | None = report.target
        if forward and target is not None and not target.local and report.forwarded_at is None:
            await publisher.report_forwarded(report)
            report.forwarded_at = clock.now()
            fields.append("forwarded_at")
            await log_action(
                moderator, Action.REPORT_FORWARDED, f"report {report.id} → {target.domain}"
            )
        await report.save(update_fields=fields)
        await log_action(moderator, action, f"report {report.id}", note)
    return report


# --- accounts ------------------------------------------------------------------------------


async def accounts_for_moderation(moderator: Account, query: str = "") -> list[Account]:
    """Local accounts by username (a part of it, or ``@name@host``), at most 200."""
    require_moderator(moderator)
    rows = Account.all()
    needle = query.strip().lstrip("@").split("@")[0].lower()
    if needle:
        rows = rows.filter(username__icontains=needle)
    return await rows.order_by("username").limit(200)


async def _actor_for(actor_id: str) -> Actor:
    number = parse_id(actor_id)
    actor = await Actor.get_or_none(id=number) if number is not None else None
    if actor is None or actor.kind is ActorKind.APPLICATION:
        raise NotFound("No such account.")
    return actor


async def _account_named(username: str) -> Account:
    account = await Account.get_or_none(username=username.strip().lower())
    if account is None:
        raise NotFound("No such account.")
    return account


def _may_suspend(moderator: Account, account: Account) -> None:
    if account.id == moderator.id:
        raise PermissionDenied("You cannot suspend yourself.")
    if account.role is Role.ADMIN or (account.role.moderates and moderator.role is not Role.ADMIN):
        raise PermissionDenied("Only an administrator can suspend staff.")


async def set_suspended(
    publisher: Publisher,
    moderator: Account,
    *,
    username: str | None = None,
    actor_id: str | None = None,
    suspended: bool,
    note: str = "",
) -> str:
    """Suspend (or lift the suspension of) a local account by username, or any account by its
    actor id. A suspended local account cannot sign in or use the API, its sessions end, and its
    actors stop receiving; a suspended remote actor's activities are refused. Suspending ends
    the follows between the account and this node's accounts
    (:func:`follows.end_follows_for_suspension`); lifting it does not bring them back.
    Returns the handle acted upon."""
    require_moderator(moderator)
    note = _bounded(note, MAX_NOTE, "note")
    account: Account | None = None
    if username:
        account = await _account_named(username)
    elif actor_id:
        actor = await _actor_for(actor_id)
        account = await Account.get_or_none(id=actor.account_id) if actor.local else None  # type: ignore[attr-defined]
        if account is None:
            return await _suspend_remote(publisher, moderator, actor, suspended, note)
    if account is None:
        raise NotFound("No such account.")
    _may_suspend(moderator, account)
    moment = clock.now() if suspended else None
    async with in_transaction():
        account.suspended_at = moment
        await account.save(update_fields=["suspended_at", "updated_at"])
        if suspended:
            for actor in await Actor.filter(account_id=account.id):
                await follows.end_follows_for_suspension(publisher, actor)
            await sessions.revoke_all_sessions(account)
        await Actor.filter(account_id=account.id).update(suspended_at=moment)
        action = Action.ACCOUNT_SUSPENDED if suspended else Action.ACCOUNT_UNSUSPENDED
        await log_action(moderator, action, f"@{account.username}", note)
    return account.username


async def _suspend_remote(
    publisher: Publisher, moderator: Account, actor: Actor, suspended: bool, note: str
) -> str:
    async with in_transaction():
        if suspended:
            await follows.end_follows_for_suspension(publisher, actor)
        actor.suspended_at = clock.now() if suspended else None
        await actor.save(update_fields=["suspended_at", "updated_at"])
        action = Action.ACCOUNT_SUSPENDED if suspended else Action.ACCOUNT_UNSUSPENDED
        await log_action(moderator, action, f"@{actor.handle}", note)
    return actor.handle


# --- domains -----------------------------------------------------------------------------


async def list_domain_blocks(moderator: Account) -> list[DomainBlock]:
    """Every blocked server, by name."""
    require_moderator(moderator)
    return await DomainBlock.all().order_by("domain")


async def add_domain_block(moderator: Account, raw: str, *, reason: str = "") -> DomainBlock:
    """Block a server (normalised host name, its subdomains too)."""
    require_moderator(moderator)
    reason = _bounded(reason, MAX_NOTE, "reason")
    async with in_transaction():
        block = await domain_blocks.block_domain(raw, reason=reason, created_by=moderator)
        await log_action(moderator, Action.DOMAIN_BLOCKED, block.domain, reason)
    return block


async def remove_domain_block(moderator: Account, raw: str) -> str:
    """Lift a block; ``NotFound`` when there was none."""
    require_moderator(moderator)
    domain = domain_blocks.normalise_domain(raw)
    async with in_transaction():
        if not await domain_blocks.unblock_domain(domain):
            raise NotFound("That server is not blocked.")
        await log_action(moderator, Action.DOMAIN_UNBLOCKED, domain)
    return domain


# --- about page and rules --------------------------------------------------------------------


async def instance_texts() -> dict[str, InstanceText | None]:
    """The about page and the rules (None for one nobody wrote yet)."""
    rows = {t.key: t for t in await InstanceText.filter(key__in=list(INSTANCE_TEXT_KEYS))}
    return {key: rows.get(key) for key in INSTANCE_TEXT_KEYS}


async def set_instance_texts(moderator: Account, sources: dict[str, str]) -> None:
    """Save the about page and the rules (markdown; rendered and sanitised here)."""
    require_moderator(moderator)
    cleaned = {
        key: _bounded(sources.get(key, ""), MAX_INSTANCE_TEXT, key) for key in INSTANCE_TEXT_KEYS
    }
    current = await instance_texts()
    async with in_transaction():
        for key, source in cleaned.items():
            row = current[key]
            if row is not None and row.source == source:
                continue
            html = text.render_markdown(source) if source else ""
            if row is None:
                await InstanceText.create(key=key, source=source, html=html, updated_by=moderator)
            else:
                row.source, row.html, row.updated_by = source, html, moderator
                await row.save()
            await log_action(moderator, Action.TEXT_UPDATED, key)


# --- the audit log -----------------------------------------------------------------------------


async def audit_log(moderator: Account, *, limit: int = 200) -> Sequence[ModerationAction]:
    """The latest moderator actions, newest first."""
    require_moderator(moderator)
    return await ModerationAction.all().order_by("-id").limit(limit)
