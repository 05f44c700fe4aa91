"""Two real nodes, two people on phones (issue 4 point 9's main flow).

Amina signs up on lapalma.test through the sign-up page, confirms her email, signs in; Joao (made
with the CLI on faro.test) finds ``@amina@lapalma.test``, follows her and sees her new post on his
home timeline; he writes her a direct message; she sees the unread badge, the notification and
the message. Then the key steps again with both interfaces in Arabic (``dir="rtl"``).

The browser uses the nodes' real names: Chromium maps ``lapalma.test`` and ``faro.test`` to the
loopback ports (``--host-resolver-rules``), so cookies, CSRF tokens, redirects and the ids in the
pages are those of a real deployment. Screenshots 80–89 at phone width; an axe scan of every page
visited (no serious or critical violation). Nothing sleeps for a fixed time: federation is awaited
by reloading until a deadline.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import PHONE
from tests.browser.test_account_pages import serious_violations
from tests.multinode.network import second_backend
from tests.support.nodes import NodeProcess, make_node, running

pytestmark = pytest.mark.slow

PASSWORD = "pan de pueblo con aceite"
DEADLINE = 30.0


@pytest.fixture
def network(tmp_path: Path) -> Iterator[tuple[NodeProcess, NodeProcess]]:
    lapalma = make_node(
        tmp_path,
        "lapalma",
        domain="lapalma.test",
        extra_env={
            "RUTA_REGISTRATIONS": "open",
            "RUTA_CITY_NAME": "La Palma del Condado",
            "RUTA_MAIL_BACKEND": "file",
            "RUTA_DEFAULT_LANGUAGE": "es",
        },
    )
    faro = make_node(
        tmp_path,
        "faro",
        backend=second_backend(),
        domain="faro.test",
        extra_env={"RUTA_CITY_NAME": "Faro", "RUTA_DEFAULT_LANGUAGE": "pt"},
    )
    with running(lapalma, faro):
        yield lapalma, faro


def phone(browser: Any, node: NodeProcess, *, locale: str = "en-GB") -> Any:
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale=locale,
        base_url=node.base_url,
    )
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.problems = problems
    return page


def wait_for_mail(node: NodeProcess) -> Any:
    deadline = time.monotonic() + DEADLINE
    directory = node.data_dir / "mail"
    while time.monotonic() < deadline:
        mails = sorted(directory.glob("*.eml")) if directory.exists() else []
        if mails:
            return message_from_bytes(mails[0].read_bytes(), policy=policy.default)
        time.sleep(0.1)
    raise AssertionError(f"no mail after {DEADLINE}s:\n{node.log_tail()}")


def reload_until(page: Any, what: str, check: Callable[[], bool], *nodes: NodeProcess) -> None:
    """Reload ``page`` until ``check()`` holds (federation is asynchronous) or the deadline."""
    deadline = time.monotonic() + DEADLINE
    while not check():
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- {n.domain}\n{n.log_tail()}" for n in nodes)
            raise AssertionError(f"{what}: not seen after {DEADLINE}s\n{logs}")
        time.sleep(0.3)
        page.reload()


def sign_in(page: Any, node: NodeProcess, username: str) -> None:
    """By field ids, so it works in any language."""
    page.goto("/sign-in")
    page.locator("#f-login").fill(username)
    page.locator("#f-password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(node.base_url + "/")


def switch_language(page: Any, language: str) -> None:
    """The footer's language switcher (a form that comes back to the same page)."""
    here = page.url
    page.locator("footer select").first.select_option(language)
    page.locator("footer form button[type=submit]").first.click()
    page.wait_for_url(here)


def scan(page: Any, found: list[str], *, arabic: bool = False) -> None:
    # axe cannot judge contrast on Arabic glyphs; the English pages cover contrast.
    found += serious_violations(page, skip=("color-contrast",) if arabic else ())


def test_sign_up_post_follow_across_nodes_message_and_notification_then_in_arabic(
    named_browser: Any,
    network: tuple[NodeProcess, NodeProcess],
    artifacts: Path,
) -> None:
    lapalma, faro = network
    faro.create_user("joao", password=PASSWORD)
    found: list[str] = []

    # --- Amina signs up on lapalma.test and confirms her email.
    amina = phone(named_browser, lapalma)
    amina.goto("/sign-up")
    amina.get_by_label("Username").fill("amina")
    amina.get_by_label("Your name or your business name").fill("Amina Couture")
    amina.get_by_label("Email address").fill("amina@example.org")
    amina.get_by_label("Password").fill(PASSWORD)
    amina.get_by_label("Language").first.select_option("en")
    scan(amina, found)
    amina.screenshot(path=artifacts / "80-sign-up.png", full_page=True)
    amina.locator("main").get_by_role("button", name="Create account").click()
    amina.wait_for_url("**/sign-up/sent")
    mail = wait_for_mail(lapalma)
    assert mail["To"] == "amina@example.org"
    body = mail.get_body(("plain",)).get_content()
    link = next(word for word in body.split() if "/verify-email/" in word)
    assert link.startswith("http://lapalma.test/")
    amina.goto(link)
    amina.wait_for_url("**/sign-in?notice=email_verified")
    amina.get_by_label("Username or email address").fill("amina")
    amina.get_by_label("Password").fill(PASSWORD)
    amina.locator("main").get_by_role("button", name="Sign in").click()
    amina.wait_for_url(lapalma.base_url + "/")
    assert "@amina@lapalma.test" in amina.locator(".handle").inner_text()
    scan(amina, found)

    # --- Joao on faro.test finds her by her address and follows her.
    joao = phone(named_browser, faro)
    sign_in(joao, faro, "joao")
    joao.goto("/search")
    joao.get_by_label("Address").fill("@amina@lapalma.test")
    scan(joao, found)
    joao.locator("main").get_by_role("button", name="Search").click()
    joao.wait_for_url("**/@amina@lapalma.test")
    assert joao.get_by_text("This account is on another server.").is_visible()
    joao.locator("main").get_by_role("button", name="Follow").click()
    joao.wait_for_url("**/@amina@lapalma.test")
    reload_until(
        joao,
        "lapalma.test accepts the follow",
        lambda: joao.locator("main").get_by_role("button", name="Unfollow").count() == 1,
        lapalma,
        faro,
    )
    scan(joao, found)
    joao.screenshot(path=artifacts / "81-remote-profile-followed.png", full_page=True)

    # --- Amina posts with the composer; it reaches Joao's home timeline on the other node.
    amina.goto("/")
    amina.get_by_label("Your post").fill("Arreglos de ropa en el día, **5 €** el bajo")
    amina.get_by_role("radio", name="Public").check()
    amina.get_by_role("button", name="Publish").click()
    amina.wait_for_url("**/?notice=posted*")
    assert "Arreglos de ropa en el día" in amina.locator("article.note").first.inner_text()
    amina.screenshot(path=artifacts / "82-posted.png", full_page=True)
    scan(amina, found)

    joao.goto("/")
    post = joao.locator("article.note").filter(has_text="Arreglos de ropa en el día")
    reload_until(joao, "amina's post on faro.test", lambda: post.count() == 1, lapalma, faro)
    assert post.locator("strong").inner_text() == "5 €"
    assert "amina@lapalma.test" in post.inner_text()
    report = post.get_by_role("link", name="Report")
    assert (report.get_attribute("href") or "").startswith("/report?note=")
    scan(joao, found)
    joao.screenshot(path=artifacts / "83-remote-post-on-home.png", full_page=True)

    # --- Joao writes to Amina from the messages pages.
    joao.get_by_role("link", name="Messages").first.click()
    joao.wait_for_url("**/messages")
    scan(joao, found)
    joao.locator("main").get_by_role("link", name="New message").click()
    joao.get_by_label("To").fill("@amina@lapalma.test")
    joao.get_by_label("Message", exact=True).fill("Olá! Pode arranjar umas calças amanhã?")
    scan(joao, found)
    joao.locator("main").get_by_role("button", name="Send").click()
    joao.wait_for_url("**/messages/*")
    assert joao.get_by_text("Olá! Pode arranjar umas calças amanhã?").is_visible()
    conversation_on_faro = joao.url
    scan(joao, found)
    joao.screenshot(path=artifacts / "84-message-sent.png", full_page=True)

    # --- Amina sees the unread badge, the notifications and the message.
    messages_link = amina.locator("header").get_by_role("link", name="Messages")
    reload_until(
        amina,
        "the message badge on lapalma.test",
        lambda: messages_link.locator(".badge").count() == 1,
        lapalma,
        faro,
    )
    assert messages_link.locator(".badge").inner_text().split()[0] == "1"
    notifications_link = amina.locator("header").get_by_role("link", name="Notifications")
    assert notifications_link.locator(".badge").inner_text().split()[0] == "2"  # follow, message
    amina.screenshot(path=artifacts / "85-badges.png", full_page=True)
    notifications_link.click()
    amina.wait_for_url("**/notifications")
    items = amina.locator(".notification")
    texts = items.all_inner_texts()
    assert len(texts) == 2, texts
    assert "joao sent you a message" in texts[0]  # newest first
    assert "joao followed you" in texts[1]
    scan(amina, found)
    amina.goto("/messages")
    assert amina.get_by_text("You have 1 unread message.").is_visible()
    scan(amina, found)
    amina.locator(".conversation-item a").first.click()
    amina.wait_for_url("**/messages/*")
    assert amina.get_by_text("Olá! Pode arranjar umas calças amanhã?").is_visible()
    scan(amina, found)
    amina.screenshot(path=artifacts / "86-message-received.png", full_page=True)
    conversation_on_lapalma = amina.url

    # --- The key steps in Arabic: both switch the interface, Amina answers, Joao reads it.
    switch_language(amina, "ar")
    html = amina.locator("html")
    assert html.get_attribute("lang") == "ar" and html.get_attribute("dir") == "rtl"
    assert amina.locator("main h1").evaluate("e => getComputedStyle(e).direction") == "rtl"
    amina.locator("#f-content").fill("نعم، غدًا في الصباح.")
    amina.locator("section[aria-labelledby=reply-title] button[type=submit]").click()
    amina.wait_for_url(conversation_on_lapalma + "*")
    assert amina.get_by_text("نعم، غدًا في الصباح.").is_visible()
    scan(amina, found, arabic=True)
    amina.screenshot(path=artifacts / "87-answer-arabic.png", full_page=True)
    for path in ("/", "/notifications", "/messages"):
        amina.goto(path)
        assert amina.locator("html").get_attribute("dir") == "rtl", path
        scan(amina, found, arabic=True)

    joao.goto("/")
    switch_language(joao, "ar")
    assert joao.locator("html").get_attribute("dir") == "rtl"
    post = joao.locator("article.note").filter(has_text="Arreglos de ropa en el día")
    assert post.count() == 1
    scan(joao, found, arabic=True)
    joao.screenshot(path=artifacts / "88-home-arabic.png", full_page=True)
    joao.goto(conversation_on_faro)
    answer = joao.get_by_text("نعم، غدًا في الصباح.")
    reload_until(joao, "amina's answer on faro.test", lambda: answer.count() == 1, lapalma, faro)
    assert joao.locator("html").get_attribute("dir") == "rtl"
    mine = joao.locator(".message--mine").first.bounding_box()
    theirs = joao.locator(".message:not(.message--mine)").first.bounding_box()
    assert mine is not None and theirs is not None
    assert mine["x"] < theirs["x"]  # his own message at the inline end: the left in RTL
    scan(joao, found, arabic=True)
    joao.screenshot(path=artifacts / "89-conversation-arabic.png", full_page=True)

    assert not found, "\n".join(found)
    assert amina.problems == [] and joao.problems == []
