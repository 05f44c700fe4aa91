"""``/api/v1/admin/accounts/{account}/approve|reject``: staff decide on the accounts waiting
for approval (``RUTA_REGISTRATIONS=approval``), through the same service as the staff page
``/moderation/accounts`` (``node.services.accounts.account_approvals``), so each decision lands in
the same audit log. The list of waiting accounts is ``GET /api/v1/admin/accounts?status=pending``
(``web.api.moderation``).
"""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, Field

from node.appkeys import SETTINGS, URLS
from node.services.accounts import account_approvals
from web.api.moderation import STAFF_ONLY, AdminAccountOut, admin_account_out, staff_account
from web.api.routing import Operation, read_json, respond
from web.mail_composer import COMPOSER


class RejectIn(BaseModel):
    reason: str = Field(
        default="",
        max_length=account_approvals.MAX_REJECTION_REASON,
        description="Why; it is in the mail to the person and in the audit log.",
    )


class RejectedOut(BaseModel):
    acct: str = Field(description="The handle of the deleted account (free again).")
    rejected: bool


async def approve_account(request: web.Request) -> web.Response:
    account = await staff_account(request)
    waiting = await account_approvals.find_account(request.match_info["account"])
    app = request.app
    approved = await account_approvals.approve(
        app[SETTINGS], app[URLS], app[COMPOSER], account, waiting
    )
    ((_, actor),) = await account_approvals.with_actors([approved])
    return respond(admin_account_out(actor, approved))


async def reject_account(request: web.Request) -> web.Response:
    account = await staff_account(request)
    body = await read_json(request, RejectIn) if request.can_read_body else RejectIn()
    waiting = await account_approvals.find_account(request.match_info["account"])
    await account_approvals.reject(
        request.app[SETTINGS], request.app[COMPOSER], account, waiting, reason=body.reason
    )
    return respond(
        RejectedOut(acct=f"{waiting.username}@{request.app[SETTINGS].domain}", rejected=True)
    )


_LOCAL_ACCOUNT = {
    "account": "This node's id for the account (`account.id` in the lists) or its username."
}
OPERATIONS = [
    Operation(
        "POST",
        "/api/v1/admin/accounts/{account}/approve",
        approve_account,
        "Approve an account waiting for approval",
        "admin",
        description=STAFF_ONLY + " Its owner gets a mail and may sign in. Approving an approved "
        "account changes nothing; an account whose address is not confirmed yet gets 409.",
        response=AdminAccountOut,
        errors=(403, 404, 409),
        path_params=_LOCAL_ACCOUNT,
    ),
    Operation(
        "POST",
        "/api/v1/admin/accounts/{account}/reject",
        reject_account,
        "Reject an account waiting for approval",
        "admin",
        description=STAFF_ONLY + " Its owner gets a mail (with `reason` when given), then the "
        "account is deleted, so its username and email address are free again. The body is "
        "optional. An approved account gets 409 (suspend it instead); one already gone, 404.",
        request=RejectIn,
        response=RejectedOut,
        errors=(403, 404, 409, 422),
        path_params=_LOCAL_ACCOUNT,
    ),
]
