"""Signing in and out: sessions rotate and end, cookies are locked down, failures look alike and
are rate-limited, and ``next=`` never leaves the node."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from node.models.web import WebSession
from node.urls import Urls
from tests.integration.web.webforms import (
    PASSWORD,
    active_account,
    csrf_in,
    sign_in,
    submit,
    text_of,
)

pytestmark = pytest.mark.usefixtures("orm")


def replace_session_cookie(client: TestClient, value: str) -> None:  # type: ignore[type-arg]
    """Put ``value`` in the browser's session cookie, as a replaying attacker would."""
    client.session.cookie_jar.clear(lambda cookie: cookie.key == "ruta_session")
    client.session.cookie_jar.update_cookies(
        {"ruta_session": value}, response_url=client.make_url("/")
    )


def session_cookie(client: TestClient) -> str:  # type: ignore[type-arg]
    for cookie in client.session.cookie_jar:
        if cookie.key == "ruta_session":
            return cookie.value
    return ""


async def test_signing_in_opens_a_session_with_a_locked_down_cookie(
    browser: TestClient,
    urls: Urls,  # type: ignore[type-arg]
) -> None:
    await active_account(urls, display_name="Ana García")
    response = await sign_in(browser)
    assert response.status == 303
    assert response.headers["Location"] == "/"
    morsel = response.cookies["ruta_session"]
    assert morsel["httponly"] is True
    assert morsel["samesite"] == "Lax"
    assert morsel["secure"] is True  # the test node is https
    assert morsel["path"] == "/"
    home = await browser.get("/")
    page = text_of(await home.text())
    assert "Ana García" in page
    assert "@ana@test.example" in page
    # Only the token's hash is stored.
    stored = await WebSession.get(account__username="ana")
    assert stored.token_hash != morsel.value
    assert len(stored.token_hash) == 64


async def test_signing_in_again_replaces_the_session_and_the_old_token_stops_working(
    browser: TestClient,
    urls: Urls,  # type: ignore[type-arg]
) -> None:
    await active_account(urls)
    await sign_in(browser)
    first = session_cookie(browser)
    assert (await browser.get("/settings", allow_redirects=False)).status == 200
    # Signing in again from the same browser gives a brand-new token and ends the old one.
    page = await browser.get("/")
    again = await browser.post(
        "/sign-in",
        data={"csrf": csrf_in(await page.text()), "login": "ana", "password": PASSWORD},
        allow_redirects=False,
    )
    assert again.status == 303
    second = session_cookie(browser)
    assert second and second != first
    replace_session_cookie(browser, first)
    stale = await browser.get("/settings", allow_redirects=False)
    assert stale.status == 303
    assert stale.headers["Location"].startswith("/sign-in?next=")


async def test_a_session_token_planted_before_sign_in_is_never_adopted(
    browser: TestClient,
    urls: Urls,  # type: ignore[type-arg]
) -> None:
    await active_account(urls)
    replace_session_cookie(browser, "planted-by-someone-else")
    await sign_in(browser)
    assert session_cookie(browser) not in ("", "planted-by-someone-else")


async def test_signing_out_revokes_the_session_on_the_server(
    browser: TestClient,
    urls: Urls,  # type: ignore[type-arg]
) -> None:
    await active_account(urls)
    await sign_in(browser)
    token = session_cookie(browser)
    response = await submit(browser, "/settings", {}, action="/sign-out")
    assert response.status == 303
    assert response.headers["Location"] == "/?notice=signed_out"
    assert session_cookie(browser) == ""
    # Replaying the old cookie does not sign anybody in.
    replace_session_cookie(browser, token)
    assert (await browser.get("/settings", allow_redirects=False)).status == 303
    assert await WebSession.filter(revoked_at__isnull=False).count() == 1


async def test_unknown_account_and_wrong_password_get_the_same_answer(
    browser: TestClient,
    urls: Urls,  # type: ignore[type-arg]
) -> None:
    await active_account(urls)
    wrong_password = await sign_in(browser, "ana", "not the password")
    unknown = await sign_in(browser, "nobody", "not the password")
    assert wrong_password.status == unknown.status == 422
    first, second = text_of(await wrong_password.text()), text_of(await unknown.text())
    message = "The username, email address or password is not right."
    assert message in first
    assert message in second
    assert "ruta_session" not in wrong_password.cookies
    assert await WebSession.all().count() == 0


async def test_the_answer_is_translated(browser: TestClient, urls: Urls) -> None:  # type: ignore[type-arg]
    await active_account(urls)
    response = await sign_in(browser, "ana", "wrong one!", **{"Accept-Language": "es"})
    assert "El usuario, el correo o la contraseña no son correctos." in text_of(
        await response.text()
    )


async def test_sign_in_with_the_email_address_works_too(
    browser: TestClient,
    urls: Urls,  # type: ignore[type-arg]
) -> None:
    await active_account(urls)
    assert (await sign_in(browser, "ANA@example.org")).status == 303


async def test_repeated_failures_on_one_account_are_refused_with_429_even_with_the_right_password(
    browser: TestClient,
    urls: Urls,  # type: ignore[type-arg]
) -> None:
    await active_account(urls)
    for attempt in range(10):
        # From different addresses: the per-account limit alone must stop the guessing.
        ip = {"X-Forwarded-For": f"203.0.113.{attempt}"}
        assert (await sign_in(browser, "ana", f"guess {attempt}", **ip)).status == 422
    blocked = await sign_in(browser, "ana", PASSWORD, **{"X-Forwarded-For": "203.0.113.99"})
    assert blocked.status == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert "Too many attempts. Try again in 15 minutes." in text_of(await blocked.text())
    assert "ruta_session" not in blocked.cookies


async def test_one_address_trying_many_accounts_is_refused_with_429(
    browser: TestClient,
    urls: Urls,  # type: ignore[type-arg]
) -> None:
    await active_account(urls)
    ip = {"X-Forwarded-For": "198.51.100.7"}
    for attempt in range(50):
        assert (await sign_in(browser, f"user{attempt}", "guess", **ip)).status == 422
    assert (await sign_in(browser, "ana", PASSWORD, **ip)).status == 429
    # Another address is not affected.
    assert (
        await sign_in(browser, "ana", PASSWORD, **{"X-Forwarded-For": "198.51.100.8"})
    ).status == 303


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "http:/evil.example",
        "javascript:alert(1)",
        "/\r\nSet-Cookie: x=1",
        "evil.example",
    ],
)
async def test_next_never_leads_off_the_node(
    browser: TestClient,
    urls: Urls,
    target: str,  # type: ignore[type-arg]
) -> None:
    await active_account(urls)
    response = await submit(
        browser, "/sign-in", {"login": "ana", "password": PASSWORD, "next": target}
    )
    assert response.status == 303
    assert response.headers["Location"] == "/"


async def test_next_brings_the_person_back_to_the_page_they_wanted(
    browser: TestClient,
    urls: Urls,  # type: ignore[type-arg]
) -> None:
    await active_account(urls)
    protected = await browser.get("/settings/password", allow_redirects=False)
    assert protected.headers["Location"] == "/sign-in?next=/settings/password"
    form = await browser.get(protected.headers["Location"])
    assert 'name="next" value="/settings/password"' in await form.text()
    response = await submit(
        browser,
        "/sign-in?next=%2Fsettings%2Fpassword",
        {"login": "ana", "password": PASSWORD, "next": "/settings/password"},
    )
    assert response.headers["Location"] == "/settings/password"
