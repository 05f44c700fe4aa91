"""Changing a password and resetting a forgotten one: sessions end, links work once and for an
hour, answers never reveal who has an account, requests are rate-limited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from node import clock
from node.models.accounts import Account
from node.models.jobs import Job
from node.models.web import WebSession
from node.services.accounts import passwords
from node.urls import Urls
from tests.integration.web.conftest import BROWSER_HEADERS, Mails
from tests.integration.web.webforms import (
    PASSWORD,
    active_account,
    csrf_in,
    link_in,
    sign_in,
    submit,
    text_of,
)

pytestmark = pytest.mark.usefixtures("orm")
NEW_PASSWORD = "a brand new passphrase"


async def test_changing_the_password_signs_out_every_other_device(
    browser: TestClient,
    urls: Urls,  # type: ignore[type-arg]
) -> None:
    await active_account(urls)
    await sign_in(browser)
    # A second device signed in as well.
    other_session = await WebSession.create(
        account=await Account.get(username="ana"),
        token_hash="0" * 64,
        last_seen_at=clock.now(),
        expires_at=clock.now() + timedelta(days=1),
    )
    response = await submit(
        browser,
        "/settings/password",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
    )
    assert response.status == 303
    assert response.headers["Location"] == "/settings?notice=password_changed"
    account = await Account.get(username="ana")
    assert await passwords.verify_password(account.password_hash, NEW_PASSWORD)
    await other_session.refresh_from_db()
    assert other_session.revoked_at is not None
    # This browser got a fresh session and stays signed in.
    page = await browser.get(response.headers["Location"], allow_redirects=False)
    assert page.status == 200
    assert "Your password is changed." in text_of(await page.text())
    assert await WebSession.filter(revoked_at__isnull=True).count() == 1


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"current_password": "wrong one!", "new_password": NEW_PASSWORD},
         "The current password is not right."),
        ({"current_password": PASSWORD, "new_password": "short"}, "Use at least 8 characters."),
    ],
)  # fmt: skip
async def test_a_wrong_current_password_or_a_weak_new_one_changes_nothing(
    browser: TestClient,
    urls: Urls,
    form: dict[str, str],
    message: str,  # type: ignore[type-arg]
) -> None:
    await active_account(urls)
    await sign_in(browser)
    before = (await Account.get(username="ana")).password_hash
    response = await submit(browser, "/settings/password", form)
    assert response.status == 422
    assert message in text_of(await response.text())
    assert (await Account.get(username="ana")).password_hash == before
    assert await WebSession.filter(revoked_at__isnull=True).count() == 1


async def test_a_reset_link_sets_a_new_password_once_and_ends_every_session(
    browser: TestClient,
    urls: Urls,
    sent_mails: Mails,  # type: ignore[type-arg]
) -> None:
    await active_account(urls, language="pt")
    await sign_in(browser)
    browser.session.cookie_jar.clear()
    response = await submit(browser, "/password/reset", {"email": "Ana@Example.org"})
    assert response.status == 200
    assert "we sent it a link to choose a new password" in text_of(await response.text())
    (mail,) = await sent_mails()
    assert mail["Subject"] == "Escolha uma nova palavra-passe para Ruta"
    path = link_in(mail, "/password/reset/").replace("https://test.example", "")
    form = await browser.get(path)
    assert form.status == 200
    assert 'autocomplete="new-password"' in await form.text()
    done = await submit(browser, path, {"password": NEW_PASSWORD})
    assert done.status == 303
    assert done.headers["Location"] == "/sign-in?notice=password_reset"
    assert await WebSession.filter(revoked_at__isnull=True).count() == 0
    assert (await sign_in(browser, password=NEW_PASSWORD)).status == 303
    # Used up.
    again = await browser.get(path)
    assert again.status == 404
    assert "Esta ligação não funciona" in text_of(await again.text())  # her language


async def test_a_weak_password_does_not_use_up_the_reset_link(
    browser: TestClient,
    urls: Urls,
    sent_mails: Mails,  # type: ignore[type-arg]
) -> None:
    await active_account(urls)
    await submit(browser, "/password/reset", {"email": "ana@example.org"})
    (mail,) = await sent_mails()
    path = link_in(mail, "/password/reset/").replace("https://test.example", "")
    weak = await submit(browser, path, {"password": "short"})
    assert weak.status == 422
    assert "Use at least 8 characters." in text_of(await weak.text())
    assert (await submit(browser, path, {"password": NEW_PASSWORD})).status == 303


async def test_a_reset_link_expires_after_an_hour(
    browser: TestClient,
    urls: Urls,
    sent_mails: Mails,  # type: ignore[type-arg]
) -> None:
    await active_account(urls)
    await submit(browser, "/password/reset", {"email": "ana@example.org"})
    (mail,) = await sent_mails()
    path = link_in(mail, "/password/reset/").replace("https://test.example", "")
    token = csrf_in(await (await browser.get(path)).text())
    with clock.shifted(timedelta(minutes=61)):
        late = await browser.post(
            path, data={"csrf": token, "password": NEW_PASSWORD}, allow_redirects=False
        )
    assert late.status == 404
    account = await Account.get(username="ana")
    assert await passwords.verify_password(account.password_hash, PASSWORD)


async def test_an_unknown_address_gets_the_same_answer_and_no_mail(
    browser: TestClient,
    urls: Urls,
    sent_mails: Mails,  # type: ignore[type-arg]
) -> None:
    await active_account(urls)
    known = await submit(browser, "/password/reset", {"email": "ana@example.org"})
    unknown = await submit(browser, "/password/reset", {"email": "nobody@example.org"})
    assert known.status == unknown.status == 200
    assert text_of(await known.text()) == text_of(await unknown.text())
    assert [m["To"] for m in await sent_mails()] == ["ana@example.org"]


async def test_reset_requests_are_rate_limited_per_address_and_per_email(
    browser: TestClient,
    urls: Urls,  # type: ignore[type-arg]
) -> None:
    await active_account(urls)
    for n in range(3):
        ip = {**BROWSER_HEADERS, "X-Forwarded-For": f"203.0.113.{n}"}
        ok = await submit(browser, "/password/reset", {"email": "ana@example.org"}, headers=ip)
        assert ok.status == 200
    blocked = await submit(browser, "/password/reset", {"email": "ana@example.org"})
    assert blocked.status == 429
    assert "Too many attempts" in text_of(await blocked.text())
    assert int(blocked.headers["Retry-After"]) > 0
    assert await Job.filter(queue="mail").count() == 3
    ip = {**BROWSER_HEADERS, "X-Forwarded-For": "198.51.100.1"}
    for n in range(20):
        await submit(browser, "/password/reset", {"email": f"x{n}@example.org"}, headers=ip)
    blocked = await submit(browser, "/password/reset", {"email": "y@example.org"}, headers=ip)
    assert blocked.status == 429


async def test_a_reset_link_dies_when_the_password_is_changed(
    browser: TestClient,
    urls: Urls,
    sent_mails: Mails,  # type: ignore[type-arg]
) -> None:
    await active_account(urls)
    assert (await submit(browser, "/password/reset", {"email": "ana@example.org"})).status == 200
    (mail,) = await sent_mails()
    path = link_in(mail, "/password/reset/").replace("https://test.example", "")
    # The owner remembers the password after all, signs in and changes it.
    await sign_in(browser)
    changed = await submit(
        browser,
        "/settings/password",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
    )
    assert changed.status == 303
    # Whoever reads the old mail later cannot set a password of their choosing.
    browser.session.cookie_jar.clear()
    assert (await browser.get(path)).status == 404
    assert (await post_new_password(browser, path, "the attacker's choice")).status == 404
    account = await Account.get(username="ana")
    assert await passwords.verify_password(account.password_hash, NEW_PASSWORD)


async def test_only_the_newest_reset_link_works(
    browser: TestClient,
    urls: Urls,
    sent_mails: Mails,  # type: ignore[type-arg]
) -> None:
    await active_account(urls)
    for n in range(2):
        ip = {**BROWSER_HEADERS, "X-Forwarded-For": f"203.0.113.{n}"}
        response = await submit(
            browser, "/password/reset", {"email": "ana@example.org"}, headers=ip
        )
        assert response.status == 200
    first, second = await sent_mails()
    old = link_in(first, "/password/reset/").replace("https://test.example", "")
    new = link_in(second, "/password/reset/").replace("https://test.example", "")
    assert old != new
    assert (await browser.get(old)).status == 404
    assert (await post_new_password(browser, old, NEW_PASSWORD)).status == 404
    assert (await post_new_password(browser, new, NEW_PASSWORD)).status == 303


async def post_new_password(
    browser: TestClient,  # type: ignore[type-arg]
    path: str,
    password: str,
) -> ClientResponse:
    """Post a new password to a reset link, with a token from a page that always opens (a dead
    link's own page is a 404 without a form)."""
    page = await browser.get("/password/reset")
    return await browser.post(
        path, data={"csrf": csrf_in(await page.text()), "password": password},
        allow_redirects=False,
    )  # fmt: skip
