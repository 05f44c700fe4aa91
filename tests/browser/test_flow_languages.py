"""The main flow of a new person on a phone, in Spanish, Portuguese and French (English and
Arabic have their two-node flow in test_two_node_flow.py).

Per language: Amina signs up through the sign-up page, confirms her email (the file mail
backend) and signs in; she posts; Joao, another person of the same city, follows her and sees
the post on his timeline, then writes her; she sees both badges, the notifications and the
message; she changes her password and downloads her data from the settings. Every page is in
that language (``<html lang>``, translated labels, no English left in the header, main and
footer), dates and numbers are formatted for it, and the pages pass an axe scan. A POST without
a CSRF token is refused.

One node serves the three languages (an Amina for each, the same Joao), so the whole module stays
within a few seconds per language.
"""

from __future__ import annotations

import time
import zipfile
from collections.abc import Iterator
from datetime import datetime
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date
from babel.numbers import format_decimal

from node.services.text import MAX_NOTE_CHARS
from tests.browser.conftest import PHONE
from tests.browser.test_account_pages import phone_page, serious_violations
from tests.support.nodes import NodeProcess, make_node
from web.i18n import BABEL_LOCALES, load_translations
from web.rendering import date_length

pytestmark = pytest.mark.slow

PASSWORD = "pan de pueblo con aceite"
NEW_PASSWORD = "mercado de los jueves"
DEADLINE = 20.0
LOCALES = {"es": "es-ES", "pt": "pt-PT", "fr": "fr-FR"}
POSTS = {
    "es": "Arreglos de ropa en el día, 5 € el bajo",
    "pt": "Arranjos de roupa no próprio dia, 5 € a bainha",
    "fr": "Retouches le jour même, 5 € l’ourlet",
}
MESSAGES = {
    "es": "¡Hola! ¿Puedes arreglar unos pantalones mañana?",
    "pt": "Olá! Pode arranjar umas calças amanhã?",
    "fr": "Bonjour ! Pouvez-vous retoucher un pantalon demain ?",
}
# Text on the pages that is not interface text, whatever its catalog says.
SAME_EVERYWHERE = {"La Palma del Condado"}


NODE_TIMEZONE = "Europe/Madrid"


@pytest.fixture(scope="module")
def translations() -> dict[str, Any]:
    return load_translations()


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeProcess]:
    process = make_node(
        tmp_path_factory.mktemp("languages"),
        "lapalma",
        extra_env={
            "RUTA_REGISTRATIONS": "open",
            "RUTA_CITY_NAME": "La Palma del Condado",
            "RUTA_MAIL_BACKEND": "file",
            "RUTA_DEFAULT_LANGUAGE": "en",  # so a page falling back to the default shows
            "RUTA_TIMEZONE": NODE_TIMEZONE,  # pages show dates in the node's timezone
        },
    ).start()
    # Joao, a neighbour, is the same person in every language (his phone's language decides
    # his pages: his account has none); made once, as one CLI call costs about two seconds.
    process.cli("user", "create", "joao", "--email", "joao@example.org", input=PASSWORD + "\n")
    yield process
    process.stop()
    process.cleanup()


def english_leftovers(page: Any, language: str, translations: dict[str, Any]) -> list[str]:
    """Texts of the header, main and footer that are English msgids translated otherwise."""
    catalog = translations[language]
    texts: list[str] = page.evaluate(
        """() => {
          const out = [];
          for (const root of document.querySelectorAll('header, main, footer')) {
            const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
            while (walker.nextNode()) {
              const text = walker.currentNode.textContent.trim();
              if (text) out.push(text);
            }
            for (const el of root.querySelectorAll('[aria-label], [placeholder], [title]')) {
              for (const name of ['aria-label', 'placeholder', 'title']) {
                const value = el.getAttribute(name);
                if (value) out.push(value.trim());
              }
            }
          }
          return out;
        }"""
    )
    return [
        f"{page.url}: {text!r}"
        for text in texts
        if text not in SAME_EVERYWHERE and catalog.gettext(text) not in (text, "")
    ]


def mail_to(node: NodeProcess, address: str) -> Any:
    deadline = time.monotonic() + DEADLINE
    directory = node.data_dir / "mail"
    while time.monotonic() < deadline:
        for path in sorted(directory.glob("*.eml")) if directory.exists() else []:
            mail = message_from_bytes(path.read_bytes(), policy=policy.default)
            if mail["To"] == address:
                return mail
        time.sleep(0.1)
    raise AssertionError(f"no mail to {address} after {DEADLINE}s:\n{node.log_tail()}")


def sign_in(page: Any, node: NodeProcess, username: str, password: str = PASSWORD) -> None:
    page.goto("/sign-in")
    page.locator("#f-login").fill(username)
    page.locator("#f-password").fill(password)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(node.local_url + "/")


@pytest.mark.parametrize("language", ["es", "pt", "fr"])
def test_sign_up_post_follow_message_password_and_export_on_a_phone_in(
    language: str,
    browser: Any,
    city: NodeProcess,
    translations: dict[str, Any],
    artifacts: Path,
) -> None:
    catalog = translations[language]

    def _(message: str, **params: Any) -> str:
        text = catalog.gettext(message)
        return str(text % params if params else text)

    for label in ("Create account", "Sign in", "Your post", "Settings", "Change password"):
        assert _(label) != label, f"{label!r} is not translated to {language}"
    found: list[str] = []
    english: list[str] = []
    wide: list[str] = []

    def check(page: Any, *, axe: bool = False) -> None:
        """The page is in the language; ``axe``: scan it too (about a second a page, so only
        the pages whose layout the translation changes most)."""
        assert page.locator("html").get_attribute("lang") == language, page.url
        assert page.locator("html").get_attribute("dir") == "ltr", page.url
        english.extend(english_leftovers(page, language, translations))
        # Longer words must wrap, not push the page sideways on a 390 px screen.
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            wide.append(f"{page.url}: {width}px")
        if axe:
            found.extend(serious_violations(page))

    amina_name, joao_name = f"amina{language}", "joao"

    # --- Amina signs up in her language (from her phone's language) and confirms her email.
    amina = phone_page(browser, city, locale=LOCALES[language])
    amina.goto("/sign-up")
    assert amina.get_by_role("heading", name=_("Create account"), level=1).is_visible()
    check(amina, axe=True)
    amina.get_by_label(_("Username")).fill(amina_name)
    amina.get_by_label(_("Your name or your business name")).fill("Amina Couture")
    amina.get_by_label(_("Email address")).fill(f"{amina_name}@example.org")
    amina.get_by_label(_("Password")).fill(PASSWORD)
    assert amina.locator("#f-language").input_value() == language
    amina.locator("main").get_by_role("button", name=_("Create account")).click()
    amina.wait_for_url("**/sign-up/sent")
    assert amina.get_by_role("heading", name=_("Check your email")).is_visible()
    mail = mail_to(city, f"{amina_name}@example.org")
    body = mail.get_body(("plain",)).get_content()
    link = next(word for word in body.split() if "/verify-email/" in word)
    amina.goto(link)
    amina.wait_for_url("**/sign-in?notice=email_verified")
    amina.get_by_label(_("Username or email address")).fill(amina_name)
    amina.get_by_label(_("Password")).fill(PASSWORD)
    amina.locator("main").get_by_role("button", name=_("Sign in")).click()
    amina.wait_for_url(city.local_url + "/")
    hello = _("Hello, %(name)s", name="Amina Couture")
    assert amina.get_by_role("heading", name=hello).is_visible()

    # --- She posts; the composer's limit is a number written the local way.
    limit = format_decimal(MAX_NOTE_CHARS, locale=BABEL_LOCALES[language])
    assert limit in amina.locator("#f-content-hint").inner_text()
    amina.get_by_label(_("Your post")).fill(POSTS[language])
    amina.locator("input[name=visibility][value=public]").check()
    amina.locator("main form.composer button[type=submit]").click()
    amina.wait_for_url("**/?notice=posted*")
    assert POSTS[language] in amina.locator("article.note").first.inner_text()
    check(amina, axe=True)
    amina.screenshot(path=artifacts / f"90-{language}-posted.png", full_page=True)

    # --- Joao (his phone in the same language) follows her and sees her post at home.
    joao = phone_page(browser, city, locale=LOCALES[language])
    sign_in(joao, city, joao_name)
    joao.goto(f"/@{amina_name}")
    check(joao)
    joao.locator("main").get_by_role("button", name=_("Follow"), exact=True).click()
    joao.wait_for_url(f"**/@{amina_name}*")
    assert joao.locator("main").get_by_role("button", name=_("Unfollow")).is_visible()
    joao.goto("/")
    post = joao.locator("article.note").filter(has_text=POSTS[language])
    assert post.count() == 1
    check(joao)

    # --- He writes to her.
    joao.goto("/messages/new")
    joao.get_by_label(_("To")).fill(f"@{amina_name}")
    joao.get_by_label(_("Message"), exact=True).fill(MESSAGES[language])
    check(joao)
    joao.locator("main").get_by_role("button", name=_("Send")).click()
    joao.wait_for_url("**/messages/*")
    assert joao.get_by_text(MESSAGES[language]).is_visible()
    check(joao)

    # --- She sees the badges, the notifications and the message.
    amina.goto("/")
    assert amina.locator('header a[href="/messages"] .badge').inner_text().split()[0] == "1"
    assert amina.locator('header a[href="/notifications"] .badge').inner_text().split()[0] == "2"
    amina.locator('header a[href="/notifications"]').click()
    amina.wait_for_url("**/notifications")
    texts = amina.locator(".notification").all_inner_texts()
    assert len(texts) == 2, texts
    assert _("%(name)s sent you a message", name=joao_name) in texts[0]
    assert _("%(name)s followed you", name=joao_name) in texts[1]
    check(amina, axe=True)
    amina.goto("/messages")
    check(amina)
    amina.locator(".conversation-item a").first.click()
    amina.wait_for_url("**/messages/*")
    assert amina.get_by_text(MESSAGES[language]).is_visible()
    check(amina, axe=True)
    amina.screenshot(path=artifacts / f"91-{language}-message.png", full_page=True)

    # --- Settings: the date she joined, written the local way; a new password; her data.
    amina.goto("/settings")
    # "Today" where the node is: near midnight UTC, Madrid is already on the next day.
    today = format_date(
        datetime.now(ZoneInfo(NODE_TIMEZONE)).date(),
        date_length(language),
        locale=BABEL_LOCALES[language],
    )
    assert today in amina.locator("main .details").inner_text()
    check(amina, axe=True)
    amina.get_by_role("link", name=_("Change password")).click()
    amina.wait_for_url("**/settings/password")
    check(amina)
    amina.get_by_label(_("Current password")).fill(PASSWORD)
    amina.get_by_label(_("New password")).fill(NEW_PASSWORD)
    amina.locator("main").get_by_role("button", name=_("Save password")).click()
    amina.wait_for_url("**/settings?notice=password_changed")
    notice = _("Your password is changed. Your other devices were signed out.")
    assert amina.locator(".notice").inner_text() == notice
    with amina.expect_download() as download_info:
        amina.locator("main").get_by_role("button", name=_("Download ZIP")).click()
    saved = artifacts / f"92-{language}-export.zip"
    download_info.value.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        assert archive.namelist(), "the export has files"
        # Its README speaks her language (the file names stay as programs expect them).
        readme = archive.read("README.txt").decode()
        assert f"posts.json/.csv            {_('the posts you wrote')}" in readme
    amina.screenshot(path=artifacts / f"93-{language}-settings.png", full_page=True)

    # The new password works on a fresh phone (once: it does not depend on the language).
    pages = [amina, joao]
    if language == "es":
        pages.append(again := phone_page(browser, city, locale=LOCALES[language]))
        sign_in(again, city, amina_name, NEW_PASSWORD)

    # A form sent without its CSRF token is refused, signed in or not.
    refused = amina.request.post(
        city.local_url + "/settings/language", form={"language": "en"}, max_redirects=0
    )
    assert refused.status == 403

    assert not found, "\n".join(found)
    assert not english, "English left on the pages:\n" + "\n".join(english)
    assert not wide, "pages wider than the phone:\n" + "\n".join(wide)
    for page in pages:
        assert page.problems == []  # type: ignore[attr-defined]
        page.context.close()
