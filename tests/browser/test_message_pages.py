"""Direct messages and moderation on phones: ana writes to bea, bea sees it unread, answers and
reports a message; the city's staff close the report. The conversation in Arabic is
right-to-left. Screenshots at phone width; an axe scan and 24 px targets on the new pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import PHONE
from tests.browser.test_account_pages import phone_page, serious_violations
from tests.support.nodes import NodeProcess

pytestmark = pytest.mark.slow

PASSWORD = "pan de pueblo con aceite"


def sign_in(page: Any, node: NodeProcess, username: str) -> None:
    """By field ids, so it works in any language."""
    page.goto("/sign-in")
    page.locator("#f-login").fill(username)
    page.locator("#f-password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(node.local_url + "/")


def test_a_message_its_answer_a_report_and_the_staff_decision_on_phones(
    browser: Any, node: NodeProcess, artifacts: Path
) -> None:
    node.create_user("ana", password=PASSWORD)
    node.create_user("bea", password=PASSWORD)
    node.create_user("marta", role="staff", password=PASSWORD)

    ana = phone_page(browser, node)
    sign_in(ana, node, "ana")
    ana.get_by_role("link", name="Messages").first.click()
    ana.locator("main").get_by_role("link", name="New message").click()
    ana.get_by_label("To").fill("@bea")
    ana.get_by_label("Message", exact=True).fill("¿Tienes pan de pueblo mañana?")
    ana.locator("main").get_by_role("button", name="Send").click()
    ana.wait_for_url("**/messages/*")
    assert ana.get_by_text("¿Tienes pan de pueblo mañana?").is_visible()
    ana.screenshot(path=artifacts / "40-conversation-sent.png", full_page=True)

    bea = phone_page(browser, node)
    sign_in(bea, node, "bea")
    bea.goto("/messages")
    assert bea.get_by_text("You have 1 unread message.").is_visible()
    bea.screenshot(path=artifacts / "41-messages-unread.png", full_page=True)
    bea.locator(".conversation-item a").first.click()
    bea.get_by_label("Your answer").fill("Sí, guardo dos barras para ti.")
    bea.locator("main").get_by_role("button", name="Send").click()
    bea.wait_for_url("**/messages/*")
    assert bea.get_by_text("Sí, guardo dos barras para ti.").is_visible()
    bea.goto("/messages")
    assert bea.get_by_text("You have 1 unread message.").count() == 0

    ana.reload()
    assert ana.get_by_text("Sí, guardo dos barras para ti.").is_visible()

    # The same conversation in Arabic: the page is right-to-left, her own message at the end.
    arabic = phone_page(browser, node, locale="ar")
    sign_in(arabic, node, "ana")
    arabic.goto(ana.url)
    assert arabic.locator("html").get_attribute("dir") == "rtl"
    assert arabic.get_by_role("heading", level=1).inner_text().startswith("محادثة مع")
    mine = arabic.locator(".message--mine").first.bounding_box()
    theirs = arabic.locator(".message:not(.message--mine)").first.bounding_box()
    assert mine is not None and theirs is not None
    assert mine["x"] < theirs["x"]  # inline end is the left in RTL
    arabic.screenshot(path=artifacts / "42-conversation-ar.png", full_page=True)

    # Bea reports ana's message; marta (staff) closes the report.
    bea.goto(ana.url)
    bea.get_by_role("link", name="Report this message").first.click()
    bea.get_by_label("What is wrong?").fill("Prueba de denuncia")
    bea.locator("main").get_by_role("button", name="Send report").click()
    bea.wait_for_url("**/reports/*")
    assert bea.get_by_text("Thank you. The city team will look at your report.").is_visible()

    marta = phone_page(browser, node)
    sign_in(marta, node, "marta")
    marta.get_by_role("link", name="Moderation").first.click()
    marta.wait_for_url("**/moderation/reports")
    marta.screenshot(path=artifacts / "43-report-queue.png", full_page=True)
    marta.locator("main .link-list a").first.click()
    marta.get_by_label("Dismiss: nothing to do").check()
    marta.get_by_label("Note for the audit log").fill("Era una prueba")
    marta.get_by_role("button", name="Close report").click()
    marta.wait_for_url("**/moderation/reports?notice=report_closed")
    marta.goto("/moderation/log")
    assert marta.get_by_text("Era una prueba").is_visible()
    marta.screenshot(path=artifacts / "44-audit-log.png", full_page=True)

    found: list[str] = []
    small: list[str] = []
    checks = [
        (bea, ["/messages", "/messages/new", bea.url, "/reports"]),
        (ana, [ana.url.replace(node.local_url, "")]),
        (marta, ["/moderation/reports", "/moderation/accounts", "/moderation/domains",
                 "/moderation/texts", "/moderation/log", "/about"]),
    ]  # fmt: skip
    for page, paths in checks:
        for path in paths:
            page.goto(path)
            found += serious_violations(page)
            selector = (
                ":is(main a, main button, main input:not([type=hidden]), main select, "
                "main textarea):not(.message__body a, .prose a)"
            )
            for control in page.locator(selector).all():
                box = control.bounding_box()
                if box is not None and box["height"] < 24:
                    small.append(f"{path}: " + control.evaluate("e => e.outerHTML"))
    assert not found, "\n".join(found)
    assert not small, "targets under 24px:\n" + "\n".join(small)
    for page in (ana, bea, marta, arabic):
        assert page.problems == []  # type: ignore[attr-defined]
    assert PHONE["width"] == 390
