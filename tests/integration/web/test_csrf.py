"""Every state-changing browser request needs the page's CSRF token; machines are exempt."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from node.models.accounts import Account
from node.models.web import WebSession
from node.services.accounts.tokens import create_token
from node.urls import Urls
from tests.integration.web.webforms import PASSWORD, active_account, csrf_in, sign_in, text_of

pytestmark = pytest.mark.usefixtures("orm")


async def test_a_form_post_without_a_token_is_refused_with_a_translated_page(
    browser: TestClient,  # type: ignore[type-arg]
) -> None:
    response = await browser.post(
        "/sign-up",
        data={"username": "ana", "email": "ana@example.org", "password": PASSWORD},
        headers={"Accept-Language": "pt-PT"},
        allow_redirects=False,
    )
    assert response.status == 403
    assert response.content_type == "text/html"
    page = await response.text()
    assert '<html lang="pt" dir="ltr">' in page
    assert "Este formulário expirou ou não veio deste site." in text_of(page)
    assert await Account.all().count() == 0


async def test_a_signed_in_person_is_protected_from_forged_posts(
    browser: TestClient,
    urls: Urls,  # type: ignore[type-arg]
) -> None:
    await active_account(urls)
    await sign_in(browser)
    forged = await browser.post(
        "/settings/delete", data={"password": PASSWORD}, allow_redirects=False
    )
    assert forged.status == 403
    # A token from another browser's page does not work either.
    other = await browser.get("/")
    stolen_elsewhere = csrf_in(await other.text())[::-1]
    forged = await browser.post(
        "/settings/delete",
        data={"password": PASSWORD, "csrf": stolen_elsewhere},
        allow_redirects=False,
    )
    assert forged.status == 403
    assert await Account.filter(username="ana").exists()
    forged_sign_out = await browser.post("/sign-out", allow_redirects=False)
    assert forged_sign_out.status == 403
    assert await WebSession.filter(revoked_at__isnull=True).count() == 1


async def test_the_token_of_an_anonymous_page_stops_working_after_sign_in(
    browser: TestClient,
    urls: Urls,  # type: ignore[type-arg]
) -> None:
    await active_account(urls)
    anonymous_token = csrf_in(await (await browser.get("/")).text())
    await sign_in(browser)
    response = await browser.post(
        "/language", data={"csrf": anonymous_token, "language": "fr"}, allow_redirects=False
    )
    assert response.status == 403


async def test_a_form_token_in_the_header_is_accepted(
    browser: TestClient,  # type: ignore[type-arg]
) -> None:
    token = csrf_in(await (await browser.get("/")).text())
    response = await browser.post(
        "/language", data={"language": "fr"}, headers={"X-CSRF-Token": token},
        allow_redirects=False,
    )  # fmt: skip
    assert response.status == 303


async def test_the_api_and_inboxes_are_not_blocked_by_the_csrf_check(
    browser: TestClient,  # type: ignore[type-arg]
) -> None:
    # Bearer-token API: the API answers for itself (401 problem), not the CSRF check (403 page).
    api = await browser.post("/api/v1/notes", json={"content": "hola"})
    assert api.status == 401
    assert api.content_type == "application/problem+json"
    with_bearer = await browser.post(
        "/api/v1/notes", json={}, headers={"Authorization": "Bearer ruta_not-a-token"}
    )
    assert with_bearer.status == 401
    inbox = await browser.post(
        "/inbox", data=b"{}", headers={"Content-Type": "application/activity+json"}
    )
    # Whatever the inbox answers to an unsigned post, it is not the CSRF refusal.
    assert "expired or did not come from this site" not in await inbox.text()


async def test_an_authorization_header_next_to_the_session_cookie_exempts_nothing(
    browser: TestClient,
    urls: Urls,  # type: ignore[type-arg]
) -> None:
    account = await active_account(urls)
    await sign_in(browser)
    forged = await browser.post(
        "/settings/language",
        data={"language": "fr"},
        headers={"Authorization": "Basic eDp5"},
        allow_redirects=False,
    )
    assert forged.status == 403
    assert "expired or did not come from this site" in text_of(await forged.text())
    # Not even a real API token helps a request that the session cookie authenticates.
    _, secret = await create_token(account, "tests")
    forged = await browser.post(
        "/settings/language",
        data={"language": "fr"},
        headers={"Authorization": f"Bearer {secret}"},
        allow_redirects=False,
    )
    assert forged.status == 403
    assert (await Account.get(id=account.id)).language != "fr"


@pytest.mark.parametrize(
    "headers",
    [{"Origin": "https://evil.example"}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"}],
)
async def test_a_signed_in_state_change_from_another_site_is_refused_even_with_a_token(
    browser: TestClient,  # type: ignore[type-arg]
    urls: Urls,
    headers: dict[str, str],
) -> None:
    account = await active_account(urls)
    await sign_in(browser)
    token = csrf_in(await (await browser.get("/settings")).text())
    refused = await browser.post(
        "/settings/language",
        data={"csrf": token, "language": "fr"},
        headers=headers,
        allow_redirects=False,
    )
    assert refused.status == 403
    assert refused.content_type == "text/html"
    assert "came from another site, so it was refused" in text_of(await refused.text())
    assert (await Account.get(id=account.id)).language != "fr"


@pytest.mark.parametrize(
    "headers",
    [{}, {"Origin": "https://test.example"}, {"Sec-Fetch-Site": "same-origin"}],
)
async def test_a_signed_in_state_change_from_this_site_passes(
    browser: TestClient,  # type: ignore[type-arg]
    urls: Urls,
    headers: dict[str, str],
) -> None:
    account = await active_account(urls)
    await sign_in(browser)
    token = csrf_in(await (await browser.get("/settings")).text())
    response = await browser.post(
        "/settings/language",
        data={"csrf": token, "language": "fr"},
        headers=headers,
        allow_redirects=False,
    )
    assert response.status == 303
    assert (await Account.get(id=account.id)).language == "fr"
