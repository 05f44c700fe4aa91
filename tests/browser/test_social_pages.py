"""Two people on phones: ana posts with the composer and sees it on her home timeline, bob (who
follows her) likes it from his, and ana gets the notification with an unread badge; the same
page in Arabic is right-to-left. Screenshots at phone width; an axe scan of the new pages."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.browser.conftest import PHONE
from tests.browser.test_account_pages import phone_page, serious_violations
from tests.support.nodes import NodeProcess

pytestmark = pytest.mark.slow

PASSWORD = "pan de pueblo con aceite"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (230, 220, 200)).save(out, "PNG")
    return out.getvalue()


def sign_in(page: Any, node: NodeProcess, username: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Username or email address").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()
    page.wait_for_url(node.local_url + "/")


def test_post_see_it_on_home_like_it_and_the_author_is_notified_on_a_phone(
    browser: Any, node: NodeProcess, artifacts: Path
) -> None:
    node.create_user("ana", password=PASSWORD)
    node.create_user("bob", password=PASSWORD)
    bob = phone_page(browser, node)
    sign_in(bob, node, "bob")
    bob.goto("/search")
    bob.get_by_label("Address").fill("@ana")
    bob.locator("main").get_by_role("button", name="Search").click()
    bob.wait_for_url("**/@ana")
    bob.locator("main").get_by_role("button", name="Follow").click()
    bob.wait_for_url("**/@ana")
    assert bob.locator("main").get_by_role("button", name="Unfollow").is_visible()

    ana = phone_page(browser, node)
    sign_in(ana, node, "ana")
    ana.get_by_label("Your post").fill("Pan de pueblo recién hecho, **2 €** la pieza")
    ana.get_by_label("Written in").select_option("es")
    ana.get_by_role("radio", name="Public").check()
    ana.screenshot(path=artifacts / "20-composer.png", full_page=True)
    ana.get_by_role("button", name="Publish").click()
    ana.wait_for_url("**/?notice=posted*")
    assert ana.locator(".notice").inner_text() == "Your post is published."
    post = ana.locator("article.note").first
    assert "Pan de pueblo recién hecho" in post.inner_text()
    assert post.locator("strong").inner_text() == "2 €"
    ana.screenshot(path=artifacts / "21-home-timeline.png", full_page=True)

    bob.goto("/")
    card = bob.locator("article.note").filter(has_text="Pan de pueblo recién hecho")
    like = card.get_by_role("button", name="Like")
    assert like.get_attribute("aria-pressed") == "false"
    like.click()
    bob.wait_for_load_state()
    card = bob.locator("article.note").filter(has_text="Pan de pueblo recién hecho")
    assert card.get_by_role("button", name="Like").get_attribute("aria-pressed") == "true"
    assert card.get_by_role("button", name="Like").inner_text().split()[-1] == "1"
    bob.screenshot(path=artifacts / "22-liked.png", full_page=True)
    card.get_by_role("link", name=card.locator("time").inner_text()).click()
    bob.wait_for_url("**/@ana/*")
    bob.screenshot(path=artifacts / "23-thread.png", full_page=True)

    ana.goto("/")
    nav_link = ana.get_by_role("link", name="Notifications")
    assert nav_link.locator(".badge").inner_text().split()[0] == "2"  # a follow and a like
    nav_link.click()
    ana.wait_for_url("**/notifications")
    items = ana.locator(".notification")
    assert items.count() == 2  # bob followed, then liked
    assert "bob liked your post" in items.first.inner_text()
    assert "bob followed you" in items.nth(1).inner_text()
    ana.screenshot(path=artifacts / "24-notifications.png", full_page=True)
    ana.get_by_role("button", name="Mark all as read").click()
    ana.wait_for_url("**/notifications")
    assert ana.locator(".notification--unread").count() == 0
    assert ana.get_by_role("link", name="Notifications").locator(".badge").count() == 0

    # The same page in Arabic: right-to-left, translated.
    ana.get_by_label("Language").select_option("ar")
    ana.get_by_role("button", name="Change").click()
    ana.wait_for_url("**/notifications")
    html = ana.locator("html")
    assert html.get_attribute("dir") == "rtl" and html.get_attribute("lang") == "ar"
    assert ana.locator("main h1").inner_text() == "الإشعارات"
    assert "أعجب bob بمنشورك" in ana.locator(".notification").first.inner_text()
    assert ana.locator("main h1").evaluate("e => getComputedStyle(e).direction") == "rtl"
    ana.screenshot(path=artifacts / "25-notifications-arabic.png", full_page=True)
    ana.goto("/")
    assert html.get_attribute("dir") == "rtl"
    ana.screenshot(path=artifacts / "26-home-arabic.png", full_page=True)
    assert ana.problems == [] and bob.problems == []  # type: ignore[attr-defined]


def test_the_social_pages_pass_an_axe_scan_and_have_24px_targets(
    browser: Any, node: NodeProcess, artifacts: Path
) -> None:
    node.create_user("ana", password=PASSWORD)
    page = phone_page(browser, node)
    sign_in(page, node, "ana")
    page.get_by_label("Your post").fill("Abrimos el lunes #pan")
    page.get_by_role("button", name="Publish").click()
    page.wait_for_url("**/?notice=posted*")
    thread = page.locator("article.note time").first
    thread.click()
    page.wait_for_url("**/@ana/*")
    thread_path = page.url.replace(node.local_url, "")
    note_id = thread_path.rsplit("/", 1)[1]
    paths = ["/", thread_path, "/local", "/@ana", "/@ana/followers",
             "/notifications", "/settings/profile", "/search", "/compose",
             f"/notes/{note_id}/edit", f"/notes/{note_id}/delete"]  # fmt: skip
    found: list[str] = []
    small: list[str] = []
    for path in paths:
        page.goto(path)
        found += serious_violations(page)
        # Links inside the text of a post or a bio are inline targets (WCAG 2.5.8 exception).
        for control in page.locator(":is(main a, main button, main input:not([type=hidden]), "
                                    "main select, main textarea, header a)"
                                    ":not(.note__content a, .profile__bio a)").all():  # fmt: skip
            box = control.bounding_box()
            if box is not None and box["height"] < 24:
                small.append(f"{path}: " + control.evaluate("e => e.outerHTML"))
    page.goto("/settings/profile")
    page.screenshot(path=artifacts / "27-edit-profile.png", full_page=True)
    page.goto("/@ana")
    page.screenshot(path=artifacts / "28-profile.png", full_page=True)
    page.goto("/local")
    page.screenshot(path=artifacts / "29-local-timeline.png", full_page=True)
    assert not found, "\n".join(found)
    assert not small, "targets under 24px:\n" + "\n".join(small)
    assert PHONE["width"] == 390

    # Edit the post from its page, then delete it after the confirmation page.
    page.goto(thread_path)
    page.locator("article.note").get_by_role("link", name="Edit").click()
    page.get_by_label("Your post", exact=True).fill("Abrimos el martes #pan")
    page.get_by_text("Content warning").click()
    page.get_by_label("Warning shown before the post").fill("Horario")
    # A picture added to the published post, with its alt text.
    page.get_by_text("Add pictures (up to 4)").click()
    page.locator("#f-media-1").set_input_files(
        {"name": "horario.png", "mimeType": "image/png", "buffer": png()}
    )
    page.locator("#f-new-alt-1").fill("El horario escrito en la puerta")
    page.screenshot(path=artifacts / "30-edit-post.png", full_page=True)
    found = serious_violations(page)
    assert not found, "\n".join(found)
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url("**/@ana/*notice=post_edited*")
    card = page.locator("article.note").first
    assert card.locator("details summary").inner_text().startswith("Horario")
    card.locator("details summary").click()
    assert "Abrimos el martes" in card.locator(".note__content").inner_text()
    assert card.get_by_role("img", name="El horario escrito en la puerta").is_visible()
    card.get_by_role("link", name="Delete").click()
    page.get_by_role("button", name="Delete the post").click()
    page.wait_for_url("**/@ana?notice=post_deleted")
    assert page.locator(".notice").inner_text() == "Your post is deleted."
    assert page.locator("article.note").count() == 0
    assert page.problems == []  # type: ignore[attr-defined]
