"""A node with the default registrations (``approval``), on a phone: a person signs up saying why
she joins, confirms her address from the mail, is told what happens next; a staff member is
notified, finds her in the queue on /moderation/accounts and approves her; she gets the mail,
signs in and publishes a post."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_account_pages import PASSWORD, phone_page, serious_violations
from tests.support.nodes import NodeProcess, make_node

pytestmark = pytest.mark.slow

REASON = "Coso arreglos de ropa en La Palma y quiero vender en el mercado."
STAFF_PASSWORD = "correct horse battery"


@pytest.fixture
def approval_node(tmp_path: Path) -> Iterator[NodeProcess]:
    """A node as a city starts it: ``RUTA_REGISTRATIONS=approval``, the file mail backend."""
    process = make_node(
        tmp_path,
        "lapalma",
        extra_env={
            "RUTA_REGISTRATIONS": "approval",
            "RUTA_CITY_NAME": "La Palma del Condado",
            "RUTA_MAIL_BACKEND": "file",
            "RUTA_DEFAULT_LANGUAGE": "es",
        },
    ).start()
    yield process
    process.stop()
    process.cleanup()


def wait_for_mail(node: NodeProcess, wanted: Callable[[Any], bool], timeout: float = 20.0) -> Any:
    """The first mail the node wrote (its worker sends them in the background) that fits."""
    deadline = time.monotonic() + timeout
    directory = node.data_dir / "mail"
    while time.monotonic() < deadline:
        for path in sorted(directory.glob("*.eml")) if directory.exists() else []:
            mail = message_from_bytes(path.read_bytes(), policy=policy.default)
            if wanted(mail):
                return mail
        time.sleep(0.1)
    raise AssertionError(f"no such mail after {timeout}s:\n{node.log_tail()}")


def sign_in(page: Any, node: NodeProcess, login: str, password: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Username or email address").fill(login)
    page.get_by_label("Password").fill(password)
    page.locator("main").get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_sign_up_verify_staff_approve_then_sign_in_and_post_on_a_phone(
    browser: Any, approval_node: NodeProcess, artifacts: Path
) -> None:
    node = approval_node
    node.create_user("marta", role="staff", password=STAFF_PASSWORD)
    found: list[str] = []

    # --- Amina signs up and says why she joins.
    amina = phone_page(browser, node)
    amina.goto("/sign-up")
    amina.get_by_label("Username").fill("amina")
    amina.get_by_label("Your name or your business name").fill("Amina Couture")
    amina.get_by_label("Email address").fill("amina@example.org")
    amina.get_by_label("Password").fill(PASSWORD)
    amina.get_by_label("Language").first.select_option("en")
    # Staff approve accounts here: the reason is required, and an empty one is explained.
    amina.locator("main").get_by_role("button", name="Create account").click()
    amina.wait_for_load_state()
    assert "Tell the city team in a few words why you want to join." in (
        amina.locator("#f-reason-error").inner_text()
    )
    amina.get_by_label("Password").fill(PASSWORD)
    amina.get_by_label("Why do you want to join?").fill(REASON)
    amina.screenshot(path=artifacts / "60-approval-sign-up.png", full_page=True)
    amina.locator("main").get_by_role("button", name="Create account").click()
    amina.wait_for_url("**/sign-up/sent")
    assert "city staff review your account" in amina.locator("main").inner_text()

    # --- The link in the mail confirms the address; the page says what happens next.
    mail = wait_for_mail(node, lambda m: m["To"] == "amina@example.org")
    body = mail.get_body(("plain",)).get_content()
    link = next(word for word in body.split() if "/verify-email/" in word)
    amina.goto(link.replace(node.base_url, node.local_url))
    amina.wait_for_url("**/sign-up/waiting")
    assert amina.get_by_role("heading", name="Your address is confirmed").is_visible()
    assert "usually within a few days" in amina.locator("main").inner_text()
    amina.screenshot(path=artifacts / "61-approval-waiting.png", full_page=True)
    found += serious_violations(amina)
    # Signing in before approval says the same, not "wrong password".
    sign_in(amina, node, "amina", PASSWORD)
    assert amina.get_by_role("heading", name="Your account is waiting for approval").is_visible()

    # --- Marta (staff) is notified and approves Amina from the queue.
    marta = phone_page(browser, node)
    sign_in(marta, node, "marta", STAFF_PASSWORD)
    marta.goto("/notifications")
    notification = marta.locator(".notification").filter(has_text="waits for approval")
    assert "Amina Couture" in notification.inner_text()
    notification.get_by_role("link", name="Review new accounts").click()
    marta.wait_for_url("**/moderation/accounts")
    waiting = marta.locator(".pending-account").filter(has_text="@amina")
    assert REASON in waiting.inner_text()
    assert "amina@example.org" in waiting.inner_text()
    marta.screenshot(path=artifacts / "62-approval-queue.png", full_page=True)
    found += serious_violations(marta)
    waiting.get_by_role("button", name="Approve @amina").click()
    marta.wait_for_url("**/moderation/accounts?notice=account_approved")
    assert "Nobody is waiting for approval." in marta.locator("main").inner_text()
    marta.goto("/moderation/log")
    assert "approved an account" in marta.locator("main").inner_text()

    # --- Amina gets the mail, signs in and publishes a post.
    approved = wait_for_mail(node, lambda m: "is ready" in str(m["Subject"]))
    assert approved["To"] == "amina@example.org"
    sign_in(amina, node, "amina", PASSWORD)
    amina.wait_for_url(node.local_url + "/")
    assert amina.get_by_role("heading", name="Hello, Amina Couture").is_visible()
    amina.get_by_label("Your post").fill("Arreglos de ropa en el día, desde hoy en el mercado")
    amina.get_by_role("radio", name="Public").check()
    amina.get_by_role("button", name="Publish").click()
    amina.wait_for_url("**/?notice=posted*")
    assert "Arreglos de ropa en el día" in amina.locator("article.note").first.inner_text()
    amina.screenshot(path=artifacts / "63-approval-first-post.png", full_page=True)
    # Nothing broke the CSP or threw; the only failed loads are the two refusals above.
    assert [
        p for p in amina.problems if "status of 422" not in p and "status of 403" not in p
    ] == []  # type: ignore[attr-defined]
    assert len(amina.problems) == 2  # type: ignore[attr-defined]
    assert marta.problems == []  # type: ignore[attr-defined]
    assert not found, "\n".join(found)
