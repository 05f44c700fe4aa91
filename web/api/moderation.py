"""``/api/v1/admin``: the staff pages' moderation through the API — reports, accounts waiting for
approval (approving and rejecting them: ``web.api.admin_approvals``), suspensions, blocked
servers and the audit log. Shapes follow Mastodon's admin API
where it has one.

Every operation is for staff only: any other token gets 403 (a problem+json body). The handlers
call the same services as the staff pages (``node.services.moderation``: ``moderation`` and
``suspensions``; ``node.services.accounts.account_approvals``), so each action lands in the same
audit log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from aiohttp import web
from pydantic import BaseModel, Field, RootModel

from node.appkeys import PUBLISHER
from node.errors import ValidationFailed
from node.models.accounts import Account
from node.models.actors import Actor
from node.models.moderation import DomainBlock, ModerationAction, Report
from node.services.accounts import account_approvals
from node.services.moderation import moderation, suspensions
from web.api.accounts import ActorOut, actor_out
from web.api.auth import require_account
from web.api.routing import Operation, read_json, read_query, respond
from web.api.viewer import resolver


async def staff_account(request: web.Request) -> Account:
    """The staff account the request authenticates (403 for anyone else)."""
    return moderation.require_moderator(await require_account(request))


# --- reports ----------------------------------------------------------------------------------


class ReportOut(BaseModel):
    id: str
    target: ActorOut | None = Field(description="The reported account (None once deleted).")
    reporter: ActorOut | None = Field(description="Who reported it (None: a remote Flag).")
    comment: str
    object_uris: list[str] = Field(description="The reported posts' ActivityPub ids.")
    created_at: datetime
    forward_requested: bool = Field(description="The reporter asks to tell the other server.")
    forwarded_at: datetime | None
    resolved: bool
    resolved_at: datetime | None
    resolution: Literal["resolved", "dismissed"] | None
    resolution_note: str
    resolved_by: str | None = Field(description="The username of the staff member who closed it.")


class ReportList(RootModel[list[ReportOut]]):
    pass


class ReportQuery(BaseModel):
    resolved: bool = Field(
        False, description="`false`: the open reports, oldest first; `true`: the closed ones."
    )


class CloseReportIn(BaseModel):
    resolution: Literal["resolved", "dismissed"] = Field(
        description="`resolved`: action was taken; `dismissed`: nothing to do."
    )
    action: Literal["none", "suspend"] = Field(
        "none",
        description="`suspend` also suspends the reported account (and needs `resolved`).",
    )
    note: str = Field("", max_length=moderation.MAX_NOTE, description="For the audit log.")
    forward: bool = Field(
        False, description="Also send the report to a remote account's server, as a `Flag`."
    )


def report_out(report: Report) -> ReportOut:
    return ReportOut(
        id=str(report.id),
        target=actor_out(report.target) if report.target else None,
        reporter=actor_out(report.reporter) if report.reporter else None,
        comment=report.comment,
        object_uris=list(report.object_uris or []),
        created_at=report.created_at,
        forward_requested=report.forward_requested,
        forwarded_at=report.forwarded_at,
        resolved=report.resolved_at is not None,
        resolved_at=report.resolved_at,
        resolution=report.resolution.value if report.resolution else None,
        resolution_note=report.resolution_note,
        resolved_by=report.resolved_by.username if report.resolved_by else None,
    )


async def list_reports(request: web.Request) -> web.Response:
    account = await staff_account(request)
    query = read_query(request, ReportQuery)
    reports = await moderation.report_queue(account, open_only=not query.resolved)
    await Report.fetch_for_list(reports, "resolved_by")
    return respond(ReportList([report_out(r) for r in reports]))


async def get_report(request: web.Request) -> web.Response:
    account = await staff_account(request)
    return respond(report_out(await moderation.get_report(account, None, request.match_info["id"])))


async def close_report(request: web.Request) -> web.Response:
    account = await staff_account(request)
    body = await read_json(request, CloseReportIn)
    report_id = request.match_info["id"]
    if body.action == "suspend":
        if body.resolution != "resolved":
            raise ValidationFailed.on("resolution", "Suspending the account resolves the report.")
        await suspensions.close_report_suspending(
            request.app[PUBLISHER], account, report_id, note=body.note, forward=body.forward
        )
    else:
        await moderation.close_report(
            request.app[PUBLISHER],
            account,
            report_id,
            resolution=body.resolution,
            note=body.note,
            forward=body.forward,
        )
    return respond(report_out(await moderation.get_report(account, None, report_id)))


# --- accounts -----------------------------------------------------------------------------------


class AdminAccountOut(BaseModel):
    account: ActorOut
    role: str | None = Field(description="member, staff or admin; None for remote accounts.")
    suspended: bool
    suspended_at: datetime | None
    email: str | None = Field(default=None, description="Local accounts only.")
    created_at: datetime | None = Field(
        default=None, description="When the local account signed up."
    )
    locale: str | None = Field(default=None, description="The language of its pages and mails.")
    confirmed: bool | None = Field(
        default=None, description="Its owner confirmed the email address."
    )
    approved: bool | None = Field(
        default=None, description="Staff let it in (or registrations were open); `false`: waiting."
    )
    invite_request: str | None = Field(
        default=None, description="What the person wrote at sign-up on why they join (as Mastodon)."
    )


class AdminAccountList(RootModel[list[AdminAccountOut]]):
    pass


class AccountQuery(BaseModel):
    origin: Literal["local", "remote"] = Field(
        "local",
        description="`local`: this node's accounts (at most 200, by username); `remote`: the "
        "accounts of other servers suspended here, most recent first.",
    )
    q: str = Field("", max_length=100, description="Local accounts whose username has this.")
    status: Literal["any", "pending", "unconfirmed"] = Field(
        "any",
        description="With `local`: `pending` lists the accounts that confirmed their address "
        "and wait for approval, oldest first; `unconfirmed` those that have not opened the "
        "confirmation link yet, newest first.",
    )


class AccountActionIn(BaseModel):
    type: Literal["suspend", "unsuspend"]
    note: str = Field("", max_length=moderation.MAX_NOTE, description="For the audit log.")


class AccountActionOut(BaseModel):
    acct: str = Field(description="The handle acted upon.")
    suspended: bool


def admin_account_out(actor: Actor, account: Account | None) -> AdminAccountOut:
    suspended_at = account.suspended_at if account is not None else actor.suspended_at
    out = AdminAccountOut(
        account=actor_out(actor),
        role=account.role.value if account is not None else None,
        suspended=suspended_at is not None,
        suspended_at=suspended_at,
    )
    if account is not None:
        out.email = account.email
        out.created_at = account.created_at
        out.locale = account.language
        out.confirmed = account.email_verified_at is not None
        out.approved = account.approved_at is not None
        out.invite_request = account.sign_up_reason
    return out


async def list_accounts(request: web.Request) -> web.Response:
    account = await staff_account(request)
    query = read_query(request, AccountQuery)
    rows: list[tuple[Actor, Account | None]]
    if query.origin == "remote":
        rows = [(a, None) for a in await suspensions.suspended_remote_actors(account)]
    elif query.status != "any":
        waiting = (
            await account_approvals.pending_accounts(account)
            if query.status == "pending"
            else await account_approvals.unconfirmed_accounts(account)
        )
        people = await account_approvals.with_actors(waiting)
        rows = [(actor, acc) for acc, actor in people]
    else:
        rows = [(m.actor, m.account) for m in await suspensions.local_accounts(account, query.q)]
    return respond(AdminAccountList([admin_account_out(actor, acc) for actor, acc in rows]))


async def account_action(request: web.Request) -> web.Response:
    account = await staff_account(request)
    body = await read_json(request, AccountActionIn)
    suspended = body.type == "suspend"
    handle = await suspensions.set_suspended_by_reference(
        request.app[PUBLISHER],
        resolver(request),
        account,
        request.match_info["account"],
        suspended=suspended,
        note=body.note,
    )
    return respond(AccountActionOut(acct=handle, suspended=suspended))


# --- blocked servers ------------------------------------------------------------------------


class DomainBlockIn(BaseModel):
    domain: str = Field(min_length=1, max_length=255, description="e.g. `spam.example`.")
    reason: str = Field("", max_length=moderation.MAX_NOTE)


class DomainBlockOut(BaseModel):
    id: str
    domain: str = Field(description="Normalised: lower case, punycode, no port.")
    reason: str
    created_at: datetime


class DomainBlockList(RootModel[list[DomainBlockOut]]):
    pass


def domain_block_out(block: DomainBlock) -> DomainBlockOut:
    return DomainBlockOut(
        id=str(block.id), domain=block.domain, reason=block.reason, created_at=block.created_at
    )


async def list_domain_blocks(request: web.Request) -> web.Response:
    blocks = await moderation.list_domain_blocks(await staff_account(request))
    return respond(DomainBlockList([domain_block_out(b) for b in blocks]))


async def add_domain_block(request: web.Request) -> web.Response:
    account = await staff_account(request)
    body = await read_json(request, DomainBlockIn)
    block = await moderation.add_domain_block(account, body.domain, reason=body.reason)
    return respond(domain_block_out(block))


async def remove_domain_block(request: web.Request) -> web.Response:
    account = await staff_account(request)
    await moderation.remove_domain_block(account, request.match_info["domain"])
    return web.Response(status=204)


# --- the audit log --------------------------------------------------------------------------


class AuditEntryOut(BaseModel):
    id: str
    action: str = Field(description="e.g. report_resolved, account_suspended, domain_blocked.")
    moderator: str = Field(description="The staff member's username.")
    target: str
    note: str
    created_at: datetime


class AuditLog(RootModel[list[AuditEntryOut]]):
    pass


class AuditQuery(BaseModel):
    limit: int = Field(40, ge=1, le=200, description="How many entries, newest first.")


def audit_entry_out(entry: ModerationAction) -> AuditEntryOut:
    return AuditEntryOut(
        id=str(entry.id),
        action=entry.action,
        moderator=entry.moderator_name,
        target=entry.target,
        note=entry.note,
        created_at=entry.created_at,
    )


async def audit_log(request: web.Request) -> web.Response:
    account = await staff_account(request)
    query = read_query(request, AuditQuery)
    entries = await moderation.audit_log(account, limit=query.limit)
    return respond(AuditLog([audit_entry_out(e) for e in entries]))


STAFF_ONLY = "Staff only: any other token gets 403."
_REPORT_ID = {"id": "The report's id."}
OPERATIONS = [
    Operation(
        "GET",
        "/api/v1/admin/reports",
        list_reports,
        "Reports to work on",
        "admin",
        description=STAFF_ONLY,
        query=ReportQuery,
        response=ReportList,
        errors=(403,),
    ),
    Operation(
        "GET",
        "/api/v1/admin/reports/{id}",
        get_report,
        "One report",
        "admin",
        description=STAFF_ONLY,
        response=ReportOut,
        errors=(403, 404),
        path_params=_REPORT_ID,
    ),
    Operation(
        "POST",
        "/api/v1/admin/reports/{id}/close",
        close_report,
        "Close a report: resolve (optionally suspending the account) or dismiss it",
        "admin",
        description=STAFF_ONLY + " A closed report cannot be closed again (422).",
        request=CloseReportIn,
        response=ReportOut,
        errors=(403, 404, 422),
        path_params=_REPORT_ID,
    ),
    Operation(
        "GET",
        "/api/v1/admin/accounts",
        list_accounts,
        "Accounts to moderate",
        "admin",
        description=STAFF_ONLY,
        query=AccountQuery,
        response=AdminAccountList,
        errors=(403,),
    ),
    Operation(
        "POST",
        "/api/v1/admin/accounts/{account}/action",
        account_action,
        "Suspend an account, or lift its suspension",
        "admin",
        description=STAFF_ONLY + " A suspended local account cannot sign in and its sessions "
        "end; a suspended remote account's activities are refused and its posts leave "
        "every timeline. A handle that nobody answers to gets 422.",
        request=AccountActionIn,
        response=AccountActionOut,
        errors=(403, 404, 422),
        path_params={
            "account": "This node's id for the account, a local username, or "
            "a handle `@user@host` on another server (resolved with WebFinger)."
        },
    ),
    Operation(
        "GET",
        "/api/v1/admin/domain_blocks",
        list_domain_blocks,
        "Blocked servers",
        "admin",
        description=STAFF_ONLY,
        response=DomainBlockList,
        errors=(403,),
    ),
    Operation(
        "POST",
        "/api/v1/admin/domain_blocks",
        add_domain_block,
        "Block a server",
        "admin",
        description=STAFF_ONLY + " Its subdomains are blocked too.",
        request=DomainBlockIn,
        response=DomainBlockOut,
        errors=(403, 422),
    ),
    Operation(
        "DELETE",
        "/api/v1/admin/domain_blocks/{domain}",
        remove_domain_block,
        "Unblock a server",
        "admin",
        description=STAFF_ONLY,
        status=204,
        errors=(403, 404),
        path_params={"domain": "The blocked server's name."},
    ),
    Operation(
        "GET",
        "/api/v1/admin/audit_log",
        audit_log,
        "The audit log",
        "admin",
        description=STAFF_ONLY + " Every staff action, newest first.",
        query=AuditQuery,
        response=AuditLog,
        errors=(403,),
    ),
]
