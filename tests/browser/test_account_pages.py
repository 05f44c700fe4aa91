"""A new person on a phone: sign up, confirm the email, sign in, switch to Arabic (the layout
mirrors), sign out; screenshots at phone width; an axe scan of every page of the foundation."""

from __future__ import annotations

import time
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import PHONE
from tests.support.nodes import NodeProcess

pytestmark = pytest.mark.slow

PASSWORD = "pan de pueblo con aceite"
SERIOUS = {"serious", "critical"}


def wait_for_mail(node: NodeProcess, timeout: float = 20.0) -> Any:
    """The first mail the node wrote (its worker sends it in the background)."""
    deadline = time.monotonic() + timeout
    directory = node.data_dir / "mail"
    while time.monotonic() < deadline:
        mails = sorted(directory.glob("*.eml")) if directory.exists() else []
        if mails:
            return message_from_bytes(mails[0].read_bytes(), policy=policy.default)
        time.sleep(0.1)
    raise AssertionError(f"no mail after {timeout}s:\n{node.log_tail()}")


def phone_page(browser: Any, node: NodeProcess, *, locale: str = "en-GB", **options: Any) -> Any:
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale=locale,
        base_url=node.local_url,
        **options,
    )
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.problems = problems  # type: ignore[attr-defined]
    return page


def serious_violations(page: Any, *, skip: tuple[str, ...] = ()) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{page.url} {v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in SERIOUS and v["id"] not in skip
    ]


def inline_start_x(page: Any, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None
    return float(box["x"])


def test_sign_up_confirm_sign_in_switch_to_arabic_and_sign_out_on_a_phone(
    browser: Any, node: NodeProcess, artifacts: Path
) -> None:
    page = phone_page(browser, node)
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.screenshot(path=artifacts / "01-home.png", full_page=True)

    page.get_by_role("link", name="Create account").first.click()
    page.get_by_label("Username").fill("amina")
    page.get_by_label("Your name or your business name").fill("Amina Couture")
    page.get_by_label("Email address").fill("amina@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Language").first.select_option("en")
    page.screenshot(path=artifacts / "02-sign-up.png", full_page=True)
    page.locator("main").get_by_role("button", name="Create account").click()
    page.wait_for_url("**/sign-up/sent")
    assert page.get_by_role("heading", name="Check your email").is_visible()
    page.screenshot(path=artifacts / "03-check-email.png", full_page=True)

    mail = wait_for_mail(node)
    assert mail["To"] == "amina@example.org"
    body = mail.get_body(("plain",)).get_content()
    link = next(word for word in body.split() if "/verify-email/" in word)
    page.goto(link.replace(node.base_url, node.local_url))
    page.wait_for_url("**/sign-in?notice=email_verified")
    assert "You can sign in now" in page.locator(".notice").inner_text()

    page.get_by_label("Username or email address").fill("amina")
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()
    page.wait_for_url(node.local_url + "/")
    assert page.get_by_role("heading", name="Hello, Amina Couture").is_visible()
    assert f"@amina@{node.domain}" in page.locator(".handle").inner_text()
    page.screenshot(path=artifacts / "04-home-signed-in.png", full_page=True)

    # Left-to-right: the city name starts at the left edge.
    assert inline_start_x(page, ".site-name") < PHONE["width"] / 3
    page.get_by_label("Language").select_option("ar")
    page.get_by_role("button", name="Change").click()
    page.wait_for_load_state()
    html = page.locator("html")
    assert html.get_attribute("lang") == "ar"
    assert html.get_attribute("dir") == "rtl"
    assert page.get_by_role("heading", name="مرحبًا، Amina Couture").is_visible()
    # Mirrored: the city name now starts at the right edge, the text is right-aligned.
    name = page.locator(".site-name").bounding_box()
    assert name is not None
    assert name["x"] + name["width"] > PHONE["width"] * 2 / 3
    assert page.locator("main h1").evaluate("e => getComputedStyle(e).direction") == "rtl"
    page.screenshot(path=artifacts / "05-home-arabic.png", full_page=True)
    page.goto("/settings")
    assert page.locator("main h1").inner_text() == "الإعدادات"
    page.screenshot(path=artifacts / "06-settings-arabic.png", full_page=True)

    page.get_by_role("button", name="تسجيل الخروج").click()
    page.wait_for_url("**/?notice=signed_out")
    assert page.locator(".notice").inner_text() == "تم تسجيل خروجك."
    assert page.get_by_role("link", name="تسجيل الدخول").first.is_visible()
    page.screenshot(path=artifacts / "07-signed-out-arabic.png", full_page=True)
    # Nothing broke the CSP or threw in the page.
    assert page.problems == []  # type: ignore[attr-defined]


def test_the_foundation_pages_pass_an_axe_scan_in_light_and_dark(
    browser: Any, node: NodeProcess, artifacts: Path
) -> None:
    node.create_user("ana", password=PASSWORD)
    anonymous = ["/", "/sign-in", "/sign-up", "/sign-up/sent", "/password/reset",
                 "/verify-email", "/no-such-page"]  # fmt: skip
    signed_in = ["/", "/settings", "/settings/password", "/settings/delete"]
    found: list[str] = []
    for scheme in ("light", "dark"):
        page = phone_page(browser, node, color_scheme=scheme)
        for path in anonymous:
            page.goto(path)
            found += serious_violations(page)
        # A form sent back with errors (the error summary and invalid fields).
        page.goto("/sign-up")
        page.locator("main").get_by_role("button", name="Create account").click()
        page.wait_for_load_state()
        assert page.locator(".error-summary").is_visible()
        found += serious_violations(page)
        page.screenshot(path=artifacts / f"10-sign-up-errors-{scheme}.png", full_page=True)
        page.goto("/sign-in")
        page.get_by_label("Username or email address").fill("ana")
        page.get_by_label("Password").fill(PASSWORD)
        page.locator("main").get_by_role("button", name="Sign in").click()
        page.wait_for_url(node.local_url + "/")
        for path in signed_in:
            page.goto(path)
            found += serious_violations(page)
        page.screenshot(path=artifacts / f"11-settings-{scheme}.png", full_page=True)
        page.context.close()
    # Arabic pages too (axe cannot judge contrast on them: the English scan above covers it).
    page = phone_page(browser, node, locale="ar")
    for path in anonymous:
        page.goto(path)
        assert page.locator("html").get_attribute("dir") == "rtl"
        found += serious_violations(page, skip=("color-contrast",))
    page.screenshot(path=artifacts / "12-sign-in-arabic.png", full_page=True)
    assert not found, "\n".join(found)


def test_targets_are_at_least_24_px_and_focus_is_visible(browser: Any, node: NodeProcess) -> None:
    page = phone_page(browser, node)
    page.goto("/sign-in")
    for control in page.locator("main a, main button, main input:not([type=hidden]), "
                                "header a, footer select, footer button").all():  # fmt: skip
        box = control.bounding_box()
        if box is None:  # hidden
            continue
        assert box["height"] >= 24, control.evaluate("e => e.outerHTML")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
