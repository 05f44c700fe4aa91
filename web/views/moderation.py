"""Reporting and moderation pages.

Everyone signed in may report an account or a post and read their own reports. Staff pages (the
report queue, the accounts waiting for approval, suspensions, domain blocks, the about page and
rules, the audit log) answer 403 to everyone else. The about page with the rules is public.
"""

from __future__ import annotations

from aiohttp import web

from node.appkeys import PUBLISHER, SETTINGS, URLS
from node.errors import ValidationFailed
from node.models.accounts import Account
from node.services.accounts import account_approvals
from node.services.accounts.accounts import person_actor
from node.services.moderation import moderation, suspensions
from web.i18n import N_, Translator
from web.mail_composer import COMPOSER
from web.ports import resolver
from web.rendering import render, translator_for_request
from web.sessions import require_account
from web.views.forms import read_form, see_other

_ADVICE = {
    "comment": N_("Tell the team what is wrong, in at most 1000 characters."),
    "note": N_("Use at most 1000 characters."),
    "reason": N_("Use at most 1000 characters."),
    "domain": N_("Enter a domain name, e.g. spam.example."),
    "resolution": N_("Choose resolve or dismiss."),
    "about": N_("Use at most 10000 characters."),
    "rules": N_("Use at most 10000 characters."),
    "target": N_("You cannot report yourself."),
    "handle": N_("Nobody answers to that address: check it, or try again later."),
}
# The resolver's other answers about a typed handle (the default is the one above).
_HANDLE_ADVICE = {
    suspensions.MALFORMED: N_("Enter an address such as @name@city.example."),
    "That server is blocked already.": N_("That server is blocked already."),
}
_ALREADY_CLOSED = N_("This report is already closed.")


def _errors(exc: ValidationFailed, t: Translator) -> dict[str, str]:
    errors: dict[str, str] = {}
    for error in exc.errors or []:
        if error.field not in errors:
            advice = _ALREADY_CLOSED if "already closed" in error.message else None
            advice = advice or _HANDLE_ADVICE.get(error.message)
            errors[error.field] = t.gettext(
                advice or _ADVICE.get(error.field, N_("Check this field."))
            )
    return errors or {"form": t.gettext(N_("Check what you entered and try again."))}


async def _staff(request: web.Request) -> Account:
    return moderation.require_moderator(await require_account(request))


# --- reporting (everyone signed in) ------------------------------------------------------------


async def report_form(request: web.Request) -> web.Response:
    account = await require_account(request)
    reporter = await person_actor(account)
    query = request.query
    subject = await moderation.report_subject(
        reporter, actor_id=query.get("account"), note_id=query.get("note")
    )
    context = {"subject": subject, "errors": {}, "comment": "", "forward": False}
    return await render(request, "moderation/report.html", context)


async def file_report(request: web.Request) -> web.Response:
    account = await require_account(request)
    reporter = await person_actor(account)
    form = await read_form(request)
    subject = await moderation.report_subject(
        reporter, actor_id=form.get("account"), note_id=form.get("note")
    )
    try:
        report = await moderation.file_report(
            reporter, subject, comment=form.get("comment", ""), forward=form.get("forward") == "1"
        )
    except ValidationFailed as exc:
        t = await translator_for_request(request)
        context = {
            "subject": subject,
            "errors": _errors(exc, t),
            "comment": form.get("comment", ""),
            "forward": form.get("forward") == "1",
        }
        return await render(request, "moderation/report.html", context, status=422)
    return see_other(f"/reports/{report.id}?notice=report_sent")


async def my_reports(request: web.Request) -> web.Response:
    account = await require_account(request)
    reports = await moderation.reports_filed_by(await person_actor(account))
    return await render(request, "moderation/my_reports.html", {"reports": reports})


async def my_report(request: web.Request) -> web.Response:
    account = await require_account(request)
    report = await moderation.get_report(
        account, await person_actor(account), request.match_info["id"]
    )
    return await render(request, "moderation/my_report.html", {"report": report})


# --- the public about page -----------------------------------------------------------------------


async def about(request: web.Request) -> web.Response:
    return await render(
        request, "moderation/about.html", {"texts": await moderation.instance_texts()}
    )


# --- staff ------------------------------------------------------------------------------------


async def dashboard(request: web.Request) -> web.Response:
    await _staff(request)
    raise web.HTTPSeeOther("/moderation/reports")


async def report_queue(request: web.Request) -> web.Response:
    account = await _staff(request)
    closed = request.query.get("closed") == "1"
    reports = await moderation.report_queue(account, open_only=not closed)
    return await render(request, "moderation/reports.html", {"reports": reports, "closed": closed})


async def _report_page(
    request: web.Request, account: Account, errors: dict[str, str], status: int = 200
) -> web.Response:
    report = await moderation.get_report(account, None, request.match_info["id"])
    return await render(
        request,
        "moderation/report_detail.html",
        {"report": report, "errors": errors},
        status=status,
    )


async def report_detail(request: web.Request) -> web.Response:
    account = await _staff(request)
    return await _report_page(request, account, {})


async def close_report(request: web.Request) -> web.Response:
    account = await _staff(request)
    form = await read_form(request)
    try:
        await moderation.close_report(
            request.app[PUBLISHER],
            account,
            request.match_info["id"],
            resolution=form.get("resolution", ""),
            note=form.get("note", ""),
            forward=form.get("forward") == "1",
        )
    except ValidationFailed as exc:
        t = await translator_for_request(request)
        return await _report_page(request, account, _errors(exc, t), status=422)
    return see_other("/moderation/reports?notice=report_closed")


async def _accounts_page(
    request: web.Request, account: Account, errors: dict[str, str], handle: str = "",
    status: int = 200,
) -> web.Response:  # fmt: skip
    query = request.query.get("q", "")[:100]
    context = {
        "pending": await account_approvals.pending_accounts(account),
        "unconfirmed": await account_approvals.unconfirmed_accounts(account),
        "max_rejection_reason": account_approvals.MAX_REJECTION_REASON,
        "accounts": await moderation.accounts_for_moderation(account, query),
        "remote": await suspensions.suspended_remote_actors(account),
        "query": query,
        "handle": handle,
        "errors": errors,
    }
    return await render(request, "moderation/accounts.html", context, status=status)


async def accounts_page(request: web.Request) -> web.Response:
    account = await _staff(request)
    return await _accounts_page(request, account, {})


async def suspend_by_handle(request: web.Request) -> web.Response:
    """Staff type ``@name@host`` of any server; the node resolves it and suspends it."""
    account = await _staff(request)
    form = await read_form(request)
    handle = form.get("handle", "")
    try:
        await suspensions.set_suspended_by_reference(
            request.app[PUBLISHER],
            resolver(request),
            account,
            handle,
            suspended=True,
            note=form.get("note", "")[: moderation.MAX_NOTE],
        )
    except ValidationFailed as exc:
        t = await translator_for_request(request)
        return await _accounts_page(request, account, _errors(exc, t), handle, status=422)
    return see_other("/moderation/accounts?notice=account_suspended")


async def suspend(request: web.Request) -> web.Response:
    account = await _staff(request)
    form = await read_form(request)
    suspended = form.get("suspended") == "1"
    await moderation.set_suspended(
        request.app[PUBLISHER],
        account,
        username=form.get("username") or None,
        actor_id=form.get("actor") or None,
        suspended=suspended,
        note=form.get("note", "")[: moderation.MAX_NOTE],
    )
    notice = "account_suspended" if suspended else "account_unsuspended"
    back = form.get("back", "")
    target = (
        back if back.startswith("/moderation/") and "//" not in back else "/moderation/accounts"
    )
    separator = "&" if "?" in target else "?"
    return see_other(f"{target}{separator}notice={notice}")


async def approve_account(request: web.Request) -> web.Response:
    account = await _staff(request)
    form = await read_form(request)
    app = request.app
    waiting = await account_approvals.find_account(form.get("username", ""))
    await account_approvals.approve(app[SETTINGS], app[URLS], app[COMPOSER], account, waiting)
    return see_other("/moderation/accounts?notice=account_approved")


async def reject_account(request: web.Request) -> web.Response:
    account = await _staff(request)
    form = await read_form(request)
    waiting = await account_approvals.find_account(form.get("username", ""))
    try:
        await account_approvals.reject(
            request.app[SETTINGS],
            request.app[COMPOSER],
            account,
            waiting,
            reason=form.get("reason", ""),
        )
    except ValidationFailed as exc:
        t = await translator_for_request(request)
        return await _accounts_page(request, account, _errors(exc, t), status=422)
    return see_other("/moderation/accounts?notice=account_rejected")


async def _domains_page(
    request: web.Request, account: Account, errors: dict[str, str], form: dict[str, str],
    status: int = 200,
) -> web.Response:  # fmt: skip
    blocks = await moderation.list_domain_blocks(account)
    context = {"blocks": blocks, "errors": errors, "form": form}
    return await render(request, "moderation/domains.html", context, status=status)


async def domains(request: web.Request) -> web.Response:
    account = await _staff(request)
    return await _domains_page(request, account, {}, {})


async def add_domain(request: web.Request) -> web.Response:
    account = await _staff(request)
    form = await read_form(request)
    try:
        await moderation.add_domain_block(
            account, form.get("domain", ""), reason=form.get("reason", "")
        )
    except ValidationFailed as exc:
        t = await translator_for_request(request)
        return await _domains_page(request, account, _errors(exc, t), form, status=422)
    return see_other("/moderation/domains?notice=domain_blocked")


async def remove_domain(request: web.Request) -> web.Response:
    account = await _staff(request)
    form = await read_form(request)
    await moderation.remove_domain_block(account, form.get("domain", ""))
    return see_other("/moderation/domains?notice=domain_unblocked")


async def texts_form(request: web.Request) -> web.Response:
    await _staff(request)
    texts = await moderation.instance_texts()
    values = {key: (row.source if row else "") for key, row in texts.items()}
    return await render(request, "moderation/texts.html", {"values": values, "errors": {}})


async def save_texts(request: web.Request) -> web.Response:
    account = await _staff(request)
    form = await read_form(request)
    values = {key: form.get(key, "") for key in moderation.INSTANCE_TEXT_KEYS}
    try:
        # read_form leaves out oversized fields: never save one of them as empty.
        for key in moderation.INSTANCE_TEXT_KEYS:
            if key not in form:
                raise ValidationFailed.on(key, "The text is too long.")
        await moderation.set_instance_texts(account, values)
    except ValidationFailed as exc:
        t = await translator_for_request(request)
        context = {"values": values, "errors": _errors(exc, t)}
        return await render(request, "moderation/texts.html", context, status=422)
    return see_other("/moderation/texts?notice=texts_saved")


async def audit_log(request: web.Request) -> web.Response:
    account = await _staff(request)
    entries = await moderation.audit_log(account)
    return await render(request, "moderation/log.html", {"entries": entries})


def setup(app: web.Application) -> None:
    router = app.router
    router.add_get("/about", about)
    router.add_get("/report", report_form)
    router.add_post("/report", file_report)
    router.add_get("/reports", my_reports)
    router.add_get(r"/reports/{id:\d{1,19}}", my_report)
    router.add_get("/moderation", dashboard)
    router.add_get("/moderation/reports", report_queue)
    router.add_get(r"/moderation/reports/{id:\d{1,19}}", report_detail)
    router.add_post(r"/moderation/reports/{id:\d{1,19}}", close_report)
    router.add_get("/moderation/accounts", accounts_page)
    router.add_post("/moderation/accounts/suspension", suspend)
    router.add_post("/moderation/accounts/approve", approve_account)
    router.add_post("/moderation/accounts/reject", reject_account)
    router.add_post("/moderation/accounts/remote", suspend_by_handle)
    router.add_get("/moderation/domains", domains)
    router.add_post("/moderation/domains", add_domain)
    router.add_post("/moderation/domains/remove", remove_domain)
    router.add_get("/moderation/texts", texts_form)
    router.add_post("/moderation/texts", save_texts)
    router.add_get("/moderation/log", audit_log)
