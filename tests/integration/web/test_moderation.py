"""Reporting and moderation: a member reports a post or an account; staff close reports (and
forward them as Flag), suspend accounts, block servers and edit the about page and rules, each
action in the audit log. Members get 403 on staff pages and 404 on other people's reports."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from node import clock
from node.models.accounts import Account, Role
from node.models.actors import Actor
from node.models.moderation import (
    DomainBlock,
    InstanceText,
    ModerationAction,
    Report,
    ReportResolution,
)
from node.models.peers import OutgoingActivity
from node.models.social import Note, Visibility
from node.models.web import WebSession
from node.services.accounts.accounts import person_actor
from node.services.moderation.domain_blocks import is_blocked
from node.urls import Urls
from tests.integration.web.conftest import SpyPublisher
from tests.integration.web.webforms import active_account, csrf_in, sign_in, submit, text_of
from tests.support.fakes import remote_actor

pytestmark = pytest.mark.usefixtures("orm")

Client = TestClient  # type: ignore[type-arg]

STAFF_PAGES = [
    "/moderation/reports",
    "/moderation/accounts",
    "/moderation/domains",
    "/moderation/texts",
    "/moderation/log",
]


async def _note(author: Actor, text: str, uri: str) -> Note:
    return await Note.create(
        uri=uri,
        author=author,
        local=author.local,
        content_html=f"<p>{text}</p>",
        language="es",
        published=clock.now(),
        visibility=Visibility.PUBLIC,
    )


async def _sign_out(client: Client) -> None:
    page = await client.get("/")
    await client.post("/sign-out", data={"csrf": csrf_in(await page.text())})


async def test_a_member_reports_a_remote_post_and_staff_resolve_and_forward_it_as_flag(
    browser: Client, urls: Urls, publisher: SpyPublisher
) -> None:
    await active_account(urls, "ana")
    await active_account(urls, "marta", role=Role.STAFF)
    joao = await remote_actor("joao", "faro.example")
    note = await _note(joao, "Compra seguidores baratos", "https://faro.example/notes/1")
    await sign_in(browser, "ana")
    form = await browser.get(f"/report?note={note.id}")
    assert form.status == 200
    assert "Compra seguidores baratos" in text_of(await form.text())
    response = await submit(
        browser,
        f"/report?note={note.id}",
        {"note": str(note.id), "account": str(joao.id), "comment": "Spam", "forward": "1"},
        action="/report",
    )
    assert response.status == 303
    report = await Report.get()
    assert report.target_id == joao.id  # type: ignore[attr-defined]
    assert report.object_uris == [note.uri] and report.forward_requested
    assert response.headers["Location"] == f"/reports/{report.id}?notice=report_sent"
    mine = await browser.get(response.headers["Location"])
    assert "Thank you. The city team will look at your report." in text_of(await mine.text())
    await _sign_out(browser)

    await sign_in(browser, "marta")
    queue = text_of(await (await browser.get("/moderation/reports")).text())
    assert "@joao@faro.example" in queue
    response = await submit(
        browser,
        f"/moderation/reports/{report.id}",
        {"resolution": "resolved", "note": "Cuenta de spam", "forward": "1"},
    )
    assert response.status == 303
    await report.refresh_from_db()
    assert report.resolution is ReportResolution.RESOLVED
    assert report.resolution_note == "Cuenta de spam" and report.forwarded_at is not None
    assert [r.id for r in publisher.of("report_forwarded")] == [report.id]
    flags = [a.body for a in await OutgoingActivity.all() if a.body.get("type") == "Flag"]
    assert len(flags) == 1
    assert flags[0]["object"][0] == joao.uri and note.uri in flags[0]["object"]
    assert "ana" not in str(flags[0])  # sent by the node, never naming the reporter
    actions = await ModerationAction.all().order_by("id").values_list("action", "moderator_name")
    assert actions == [("report_forwarded", "marta"), ("report_resolved", "marta")]
    log = text_of(await (await browser.get("/moderation/log")).text())
    assert "@marta resolved a report" in log and "Cuenta de spam" in log
    # Closing it again is refused and changes nothing.
    again = await submit(
        browser, f"/moderation/reports/{report.id}", {"resolution": "dismissed", "note": ""}
    )
    assert again.status == 422
    assert "This report is already closed." in text_of(await again.text())
    assert await ModerationAction.all().count() == 2


async def test_reporting_an_account_needs_a_comment_and_stores_nothing_without(
    browser: Client, urls: Urls
) -> None:
    await active_account(urls, "ana")
    bea = await person_actor(await active_account(urls, "bea"))
    await sign_in(browser, "ana")
    response = await submit(
        browser, f"/report?account={bea.id}", {"account": str(bea.id), "comment": " "},
        action="/report",
    )  # fmt: skip
    assert response.status == 422
    assert "Tell the team what is wrong" in text_of(await response.text())
    response = await submit(
        browser, f"/report?account={bea.id}", {"account": str(bea.id), "comment": "x" * 1001},
        action="/report",
    )  # fmt: skip
    assert response.status == 422
    ana = await Actor.get(username="ana", local=True)
    response = await browser.get(f"/report?account={ana.id}")
    assert response.status == 422  # reporting oneself
    assert await Report.all().count() == 0
    no_csrf = await browser.post(
        "/report", data={"account": str(bea.id), "comment": "spam"}, allow_redirects=False
    )
    assert no_csrf.status == 403
    assert await Report.all().count() == 0
    response = await submit(
        browser, f"/report?account={bea.id}", {"account": str(bea.id), "comment": "Insultos"},
        action="/report",
    )  # fmt: skip
    assert response.status == 303
    report = await Report.get()
    assert report.target_id == bea.id and not report.forward_requested  # type: ignore[attr-defined]


async def test_a_member_gets_403_on_staff_pages_and_404_on_someone_elses_report(
    browser: Client, urls: Urls
) -> None:
    ana = await person_actor(await active_account(urls, "ana"))
    await active_account(urls, "eve")
    bea = await person_actor(await active_account(urls, "bea"))
    report = await Report.create(reporter=ana, target=bea, comment="privado")
    await sign_in(browser, "eve")
    for path in [*STAFF_PAGES, f"/moderation/reports/{report.id}"]:
        response = await browser.get(path, allow_redirects=False)
        assert response.status == 403, path
        assert "privado" not in await response.text()
    page = await browser.get("/")
    token = csrf_in(await page.text())
    posts = [
        (f"/moderation/reports/{report.id}", {"resolution": "dismissed"}),
        ("/moderation/accounts/suspension", {"username": "ana", "suspended": "1"}),
        ("/moderation/domains", {"domain": "evil.example"}),
        ("/moderation/domains/remove", {"domain": "evil.example"}),
        ("/moderation/texts", {"about": "hacked", "rules": ""}),
    ]
    for path, data in posts:
        response = await browser.post(path, data={"csrf": token, **data}, allow_redirects=False)
        assert response.status == 403, path
    response = await browser.get(f"/reports/{report.id}")
    assert response.status == 404
    assert "privado" not in await response.text()
    await report.refresh_from_db()
    assert report.resolved_at is None
    assert (await Account.get(username="ana")).suspended_at is None
    assert await DomainBlock.all().count() == 0 and await InstanceText.all().count() == 0
    assert await ModerationAction.all().count() == 0
    # Signed out: sent to sign in.
    await _sign_out(browser)
    response = await browser.get("/moderation/reports", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"].startswith("/sign-in")


async def test_staff_suspend_and_unsuspend_a_member_who_is_signed_out_everywhere(
    browser: Client, urls: Urls
) -> None:
    await active_account(urls, "ana")
    await active_account(urls, "marta", role=Role.STAFF)
    await active_account(urls, "lola", role=Role.ADMIN)
    await sign_in(browser, "ana")
    assert await WebSession.filter(account__username="ana", revoked_at__isnull=True).exists()
    await _sign_out(browser)
    await sign_in(browser, "marta")
    response = await submit(
        browser, "/moderation/accounts", {"username": "ana", "suspended": "1", "note": "spam"},
        action="/moderation/accounts/suspension",
    )  # fmt: skip
    assert response.status == 303
    ana = await Account.get(username="ana")
    assert ana.suspended_at is not None
    assert (await Actor.get(account_id=ana.id)).suspended_at is not None
    assert not await WebSession.filter(account_id=ana.id, revoked_at__isnull=True).exists()
    refused = await submit(
        browser, "/moderation/accounts", {"username": "lola", "suspended": "1"},
        action="/moderation/accounts/suspension",
    )  # fmt: skip
    assert refused.status == 403
    assert (await Account.get(username="lola")).suspended_at is None
    page = text_of(await (await browser.get("/moderation/accounts?q=ana")).text())
    assert "Suspended" in page
    response = await submit(
        browser, "/moderation/accounts", {"username": "ana", "suspended": "0"},
        action="/moderation/accounts/suspension",
    )  # fmt: skip
    assert response.status == 303
    assert (await Account.get(username="ana")).suspended_at is None
    actions = await ModerationAction.all().order_by("id").values_list("action", "target", "note")
    assert actions == [("account_suspended", "@ana", "spam"), ("account_unsuspended", "@ana", "")]


async def test_staff_block_and_unblock_servers_by_normalised_name(
    browser: Client, urls: Urls
) -> None:
    await active_account(urls, "marta", role=Role.STAFF)
    await sign_in(browser, "marta")
    response = await submit(
        browser, "/moderation/domains", {"domain": "EVIL.Example.:443", "reason": "spam"}
    )
    assert response.status == 303
    assert await DomainBlock.filter(domain="evil.example").exists()
    assert await is_blocked("sub.evil.example")
    bad = await submit(browser, "/moderation/domains", {"domain": "not a domain"})
    assert bad.status == 422
    assert "Enter a domain name" in text_of(await bad.text())
    assert await DomainBlock.all().count() == 1
    page = text_of(await (await browser.get("/moderation/domains")).text())
    assert "evil.example" in page
    response = await submit(
        browser, "/moderation/domains", {"domain": "Evil.example"},
        action="/moderation/domains/remove",
    )  # fmt: skip
    assert response.status == 303
    assert not await is_blocked("evil.example")
    actions = await ModerationAction.all().order_by("id").values_list("action", "target")
    assert actions == [("domain_blocked", "evil.example"), ("domain_unblocked", "evil.example")]


async def test_staff_edit_the_about_page_and_rules_and_everyone_reads_them(
    browser: Client, urls: Urls
) -> None:
    await active_account(urls, "marta", role=Role.STAFF)
    await sign_in(browser, "marta")
    response = await submit(
        browser,
        "/moderation/texts",
        {"about": "Red de **emprendedores**.", "rules": "1. Respeto\n2. Nada de spam"},
    )
    assert response.status == 303
    await _sign_out(browser)
    page = await browser.get("/about")
    assert page.status == 200
    body = await page.text()
    assert "<strong>emprendedores</strong>" in body
    assert "<li>Nada de spam</li>" in body
    assert await ModerationAction.filter(action="text_updated").count() == 2
    too_long = "x" * 10_001
    await sign_in(browser, "marta")
    response = await submit(browser, "/moderation/texts", {"about": too_long, "rules": ""})
    assert response.status == 422
    assert "Use at most 10000 characters." in text_of(await response.text())
    assert (await InstanceText.get(key="about")).source == "Red de **emprendedores**."
    assert (await InstanceText.get(key="rules")).source == "1. Respeto\n2. Nada de spam"


@pytest.mark.parametrize(
    ("language", "heading"),
    [("es", "Moderación"), ("pt", "Moderação"), ("fr", "Modération"), ("ar", "الإشراف")],
)
async def test_staff_pages_are_translated(
    browser: Client, urls: Urls, language: str, heading: str
) -> None:
    await active_account(urls, "marta", role=Role.STAFF)
    await sign_in(browser, "marta")
    for path in STAFF_PAGES:
        page = await (await browser.get(path, headers={"Accept-Language": language})).text()
        assert f"<h1>{heading}</h1>" in page, path
