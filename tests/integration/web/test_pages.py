"""The page foundation: layout, languages, error pages, security headers, manifest, static."""

from __future__ import annotations

import re

import pytest
from aiohttp.test_utils import TestClient

from node.models.accounts import Account
from node.urls import Urls
from tests.integration.web.webforms import active_account, csrf_in, sign_in, submit, text_of

pytestmark = pytest.mark.usefixtures("orm")


async def test_the_home_page_tells_a_visitor_what_this_is_and_how_to_join(
    browser: TestClient,  # type: ignore[type-arg]
) -> None:
    response = await browser.get("/")
    assert response.status == 200
    page = await response.text()
    assert '<html lang="en" dir="ltr">' in page
    assert '<a class="skip-link" href="#main">Skip to content</a>' in page
    assert '<main id="main"' in page
    assert 'href="/sign-up"' in page
    assert 'href="/sign-in"' in page
    assert "The city team reviews new accounts before they can be used." in text_of(page)
    # OpenGraph for link previews, with absolute URLs.
    assert '<meta property="og:url" content="https://test.example/">' in page
    assert re.search(r'og:image" content="https://test.example/static/icons/og-card.png\?v=', page)
    # No inline script or style anywhere (the CSP forbids them).
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert "<style" not in page
    assert not re.search(r"\sstyle=|\son[a-z]+=", page)
    headers = response.headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Language"] == "en"
    assert "no-store" in headers["Cache-Control"]


async def test_signed_in_home_shows_the_persons_address_and_account_links(
    browser: TestClient,
    urls: Urls,  # type: ignore[type-arg]
) -> None:
    await active_account(urls, display_name="Ana")
    await sign_in(browser)
    page = await (await browser.get("/")).text()
    assert "Hello, Ana" in text_of(page)
    assert "@ana@test.example" in page
    for path in ("/settings", "/settings/password", "/settings/delete"):
        assert f'href="{path}"' in page
    assert 'action="/sign-out"' in page


@pytest.mark.parametrize(
    ("accept", "lang", "direction", "text"),
    [
        ("es-ES,es;q=0.9", "es", "ltr", "Saltar al contenido"),
        ("pt-PT", "pt", "ltr", "Saltar para o conteúdo"),
        ("fr-CA,fr;q=0.8,en;q=0.5", "fr", "ltr", "Aller au contenu"),
        ("ar-MA,ar;q=0.9", "ar", "rtl", "انتقل إلى المحتوى"),
        ("de-DE,de;q=0.9,pt;q=0.5", "pt", "ltr", "Saltar para o conteúdo"),
        ("de-DE", "es", "ltr", "Saltar al contenido"),  # RUTA_DEFAULT_LANGUAGE
    ],
)
async def test_the_language_follows_accept_language_then_the_node_default(
    browser: TestClient,
    accept: str,
    lang: str,
    direction: str,
    text: str,  # type: ignore[type-arg]
) -> None:
    page = await (await browser.get("/", headers={"Accept-Language": accept})).text()
    assert f'<html lang="{lang}" dir="{direction}">' in page
    assert text in page


async def test_the_switcher_cookie_beats_accept_language_and_the_account_beats_both(
    browser: TestClient,
    urls: Urls,  # type: ignore[type-arg]
) -> None:
    response = await submit(
        browser, "/", {"language": "ar", "next": "/sign-in"}, action="/language"
    )
    assert response.status == 303
    assert response.headers["Location"] == "/sign-in"
    assert response.cookies["ruta_lang"].value == "ar"
    page = await (await browser.get("/sign-in")).text()
    assert '<html lang="ar" dir="rtl">' in page
    # Signing in: the account's language (French) wins over the cookie.
    await active_account(urls, language="fr")
    await sign_in(browser)
    page = await (await browser.get("/")).text()
    assert '<html lang="fr" dir="ltr">' in page
    # The switcher, signed in, changes the account too.
    await submit(browser, "/", {"language": "pt", "next": "/"}, action="/language")
    assert (await Account.get(username="ana")).language == "pt"


async def test_the_switcher_ignores_unknown_languages_and_foreign_next(
    browser: TestClient,  # type: ignore[type-arg]
) -> None:
    response = await submit(
        browser, "/", {"language": "xx", "next": "https://evil.example/"}, action="/language"
    )
    assert response.status == 303
    assert response.headers["Location"] == "/"
    assert "ruta_lang" not in response.cookies


async def test_an_unknown_page_is_a_translated_404_page(
    browser: TestClient,  # type: ignore[type-arg]
) -> None:
    response = await browser.get("/no/such/page", headers={"Accept-Language": "ar"})
    assert response.status == 404
    assert response.content_type == "text/html"
    page = await response.text()
    assert '<html lang="ar" dir="rtl">' in page
    assert "الصفحة غير موجودة" in page
    # Machines still get problem+json.
    api = await browser.get("/api/v1/nothing", headers={"Accept": "application/json"})
    assert api.content_type == "application/problem+json"


async def test_the_manifest_makes_the_node_installable_under_the_city_name(
    browser: TestClient,  # type: ignore[type-arg]
) -> None:
    response = await browser.get("/manifest.webmanifest", headers={"Accept-Language": "ar"})
    assert response.status == 200
    assert response.content_type == "application/manifest+json"
    manifest = await response.json(content_type=None)
    assert manifest["name"] == "Ruta"
    assert manifest["lang"] == "ar"
    assert manifest["dir"] == "rtl"
    assert manifest["start_url"] == "/"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    assert any(icon.get("purpose") == "maskable" for icon in manifest["icons"])
    for icon in manifest["icons"]:
        fetched = await browser.get(icon["src"])
        assert fetched.status == 200, icon["src"]
        assert fetched.content_type == icon["type"]


async def test_versioned_static_files_are_cached_for_a_year(
    browser: TestClient,  # type: ignore[type-arg]
) -> None:
    page = await (await browser.get("/")).text()
    css = re.search(r'href="(/static/ruta.css\?v=[0-9a-f]+)"', page)
    assert css
    response = await browser.get(css.group(1))
    assert response.status == 200
    assert response.content_type == "text/css"
    assert "immutable" in response.headers["Cache-Control"]


async def test_a_notice_shows_only_known_translated_messages(
    browser: TestClient,  # type: ignore[type-arg]
) -> None:
    known = await (await browser.get("/?notice=signed_out")).text()
    assert '<p class="notice" role="status">You are signed out.</p>' in known
    unknown = await (await browser.get("/?notice=<script>alert(1)</script>")).text()
    assert 'class="notice"' not in unknown
    assert "<script>alert" not in unknown


async def test_forms_keep_their_token_across_pages_of_the_same_browser(
    browser: TestClient,  # type: ignore[type-arg]
) -> None:
    first = csrf_in(await (await browser.get("/")).text())
    second = csrf_in(await (await browser.get("/sign-in")).text())
    assert first == second
