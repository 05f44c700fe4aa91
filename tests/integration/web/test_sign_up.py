"""Signing up: open registrations, approval by staff, closed registrations; the email link; bad
input shown again with translated errors and nothing stored."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from node import clock
from node.appkeys import SETTINGS, URLS
from node.errors import Conflict, PermissionDenied
from node.models.accounts import Account, Role
from node.models.actors import Actor
from node.models.jobs import Job
from node.services.accounts import account_approvals
from node.urls import Urls
from tests.integration.web.conftest import Mails
from tests.integration.web.webforms import (
    PASSWORD,
    active_account,
    link_in,
    sign_in,
    submit,
    text_of,
)
from web.mail_composer import COMPOSER

pytestmark = pytest.mark.usefixtures("orm")

ANA = {
    "username": "ana",
    "display_name": "Ana García",
    "email": "ana@example.org",
    "password": PASSWORD,
    "language": "es",
    "reason": "Vendo miel de Almonte y quiero conocer a otras productoras.",
}


async def sign_up(client: TestClient, **changes: str) -> web.Response:  # type: ignore[type-arg]
    return await submit(client, "/sign-up", {**ANA, **changes})  # type: ignore[return-value]


@pytest.mark.parametrize("registrations", ["open"])
async def test_open_sign_up_confirms_the_address_by_mail_then_signs_in(
    browser: TestClient,
    sent_mails: Mails,  # type: ignore[type-arg]
) -> None:
    response = await sign_up(browser)
    assert response.status == 303
    assert response.headers["Location"] == "/sign-up/sent"
    account = await Account.get(username="ana")
    assert account.language == "es"
    assert account.email_verified_at is None
    assert account.approved_at is None
    # Not yet: the address is unconfirmed.
    early = await sign_in(browser)
    assert early.status == 403
    assert "Confirm your email address first" in text_of(await early.text())

    (mail,) = await sent_mails()
    assert mail["To"] == "ana@example.org"
    # The mail speaks the language chosen at sign-up.
    assert mail["Subject"] == "Confirma tu correo para Ruta"
    assert mail["Content-Language"] == "es"
    link = link_in(mail, "/verify-email/")
    assert link.startswith("https://test.example/verify-email/")

    confirmed = await browser.get(link.replace("https://test.example", ""), allow_redirects=False)
    assert confirmed.status == 303
    assert confirmed.headers["Location"] == "/sign-in?notice=email_verified"
    assert (await sign_in(browser)).status == 303
    home = text_of(await (await browser.get("/")).text())
    assert "Hola, Ana García" in home  # the account's language now wins over Accept-Language

    # The link works once.
    again = await browser.get(link.replace("https://test.example", ""))
    assert again.status == 404


async def test_approval_registrations_wait_for_staff_after_the_mail(
    browser: TestClient,
    app: web.Application,
    urls: Urls,
    sent_mails: Mails,  # type: ignore[type-arg]
) -> None:
    assert (await sign_up(browser, language="en")).status == 303
    ana = await Account.get(username="ana")
    # What the person wrote for staff is kept with the account.
    assert ana.sign_up_reason == ANA["reason"]
    sent = text_of(await (await browser.get("/sign-up/sent")).text())
    assert "city staff review your account, usually within a few days" in sent
    (mail,) = await sent_mails()
    assert "the city team reviews your account" in mail.get_body(("plain",)).get_content()
    link = link_in(mail, "/verify-email/").replace("https://test.example", "")
    confirmed = await browser.get(link, allow_redirects=False)
    # A page that says what happens next, not a sign-in form that cannot work yet.
    assert confirmed.headers["Location"] == "/sign-up/waiting"
    waiting_page = text_of(await (await browser.get("/sign-up/waiting")).text())
    assert "Your address is confirmed" in waiting_page
    assert "City staff review new accounts, usually within a few days" in waiting_page
    assert "You will get an email" in waiting_page
    waiting = await sign_in(browser)
    assert waiting.status == 403
    refused = text_of(await waiting.text())
    assert "Your account is waiting for approval" in refused
    assert "City staff review new accounts, usually within a few days" in refused

    staff = await active_account(urls, "marta", role=Role.STAFF)
    assert [a.username for a in await account_approvals.pending_accounts(staff)] == ["ana"]
    member = await active_account(urls, "bea")
    with pytest.raises(PermissionDenied):
        await account_approvals.approve(app[SETTINGS], app[URLS], app[COMPOSER], member, ana)
    await account_approvals.approve(app[SETTINGS], app[URLS], app[COMPOSER], staff, ana)
    mails = await sent_mails()
    assert mails[-1]["Subject"] == "Your account on Ruta is ready"
    assert (await sign_in(browser)).status == 303


async def test_approval_registrations_need_a_reason_and_say_so_next_to_the_field(
    browser: TestClient,  # type: ignore[type-arg]
) -> None:
    form = await (await browser.get("/sign-up")).text()
    assert "Why do you want to join?" in text_of(form)
    assert '<textarea id="f-reason" name="reason"' in form
    response = await sign_up(browser, reason="   ")
    assert response.status == 422
    page = await response.text()
    assert "Tell the city team in a few words why you want to join." in text_of(page)
    assert 'id="f-reason-error"' in page
    assert await Account.all().count() == 0
    too_long = await sign_up(browser, reason="x" * 501)
    assert too_long.status == 422
    assert "Use at most 500 characters." in text_of(await too_long.text())
    assert await Account.all().count() == 0
    spanish = await submit(
        browser, "/sign-up", {**ANA, "reason": ""}, headers={"Accept-Language": "es"}
    )
    assert "Cuéntale al equipo municipal" in text_of(await spanish.text())


@pytest.mark.parametrize("registrations", ["open"])
async def test_open_registrations_ask_no_reason(
    browser: TestClient,  # type: ignore[type-arg]
) -> None:
    form = await (await browser.get("/sign-up")).text()
    assert 'name="reason"' not in form
    assert (await sign_up(browser, reason="")).status == 303
    assert (await Account.get(username="ana")).sign_up_reason == ""


async def test_staff_cannot_approve_an_address_nobody_confirmed(
    app: web.Application,
    browser: TestClient,
    urls: Urls,  # type: ignore[type-arg]
) -> None:
    await sign_up(browser)
    ana = await Account.get(username="ana")
    staff = await active_account(urls, "marta", role=Role.STAFF)
    assert await account_approvals.pending_accounts(staff) == []
    assert [a.username for a in await account_approvals.unconfirmed_accounts(staff)] == ["ana"]
    with pytest.raises(Conflict):
        await account_approvals.approve(app[SETTINGS], app[URLS], app[COMPOSER], staff, ana)
    assert (await Account.get(id=ana.id)).approved_at is None


@pytest.mark.parametrize("registrations", ["closed"])
async def test_closed_registrations_say_so_and_create_nothing(
    browser: TestClient,  # type: ignore[type-arg]
) -> None:
    page = await browser.get("/sign-up")
    assert page.status == 200
    assert "New accounts are closed" in text_of(await page.text())
    assert 'action="/sign-up"' not in await page.text()
    home = await browser.get("/")
    assert "New accounts are not being created at the moment." in text_of(await home.text())
    token_page = await browser.get("/sign-in")
    from tests.integration.web.webforms import csrf_in

    response = await browser.post(
        "/sign-up", data={"csrf": csrf_in(await token_page.text()), **ANA}, allow_redirects=False
    )
    assert response.status == 403
    assert await Account.all().count() == 0


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"username": "a b"}, "username", "Use 1 to 30 characters"),
        ({"username": "mercado"}, "username", "Some names are reserved"),
        ({"email": "not-an-address"}, "email", "Enter an email address such as ana@example.org."),
        ({"password": "short"}, "password", "Use at least 8 characters."),
        ({"display_name": "x" * 101}, "display_name", "Use at most 100 characters."),
        ({"language": "de"}, "language", "Choose one of the offered languages."),
    ],
)
async def test_bad_input_shows_the_form_again_with_the_error_and_stores_nothing(
    browser: TestClient,
    changes: dict[str, str],
    field: str,
    message: str,  # type: ignore[type-arg]
) -> None:
    response = await sign_up(browser, **changes)
    assert response.status == 422
    page = await response.text()
    assert message in text_of(page)
    assert f'id="f-{field}-error"' in page
    assert 'aria-invalid="true"' in page
    assert PASSWORD not in page  # passwords are never echoed back
    assert await Account.all().count() == 0
    assert await Job.filter(queue="mail").count() == 0


async def test_every_mistake_is_reported_at_once_and_in_the_visitors_language(
    browser: TestClient,  # type: ignore[type-arg]
) -> None:
    response = await submit(
        browser,
        "/sign-up",
        {"username": "", "email": "x", "password": "1", "display_name": ""},
        headers={"Accept-Language": "fr-FR,fr;q=0.9"},
    )
    text = text_of(await response.text())
    assert "Vérifiez le formulaire" in text
    assert "Utilisez de 1 à 30 caractères" in text
    assert "Saisissez une adresse e-mail comme ana@example.org." in text
    assert "Utilisez au moins 8 caractères." in text


async def test_a_taken_username_is_refused(
    browser: TestClient,
    urls: Urls,  # type: ignore[type-arg]
) -> None:
    await active_account(urls, "ana")
    response = await sign_up(browser, email="other@example.org")
    assert response.status == 422
    assert "This username is taken. Try another one." in text_of(await response.text())
    assert await Account.all().count() == 1


async def test_a_known_address_gets_a_mail_instead_of_a_second_account(
    browser: TestClient,
    urls: Urls,
    sent_mails: Mails,  # type: ignore[type-arg]
) -> None:
    await active_account(urls, "ana")
    response = await sign_up(browser, username="ana2")
    # The same answer as a new sign-up: the form never tells who has an account here.
    assert response.status == 303
    assert response.headers["Location"] == "/sign-up/sent"
    assert await Account.all().count() == 1
    (mail,) = await sent_mails()
    # In the existing account's language (none chosen: the node's default), not the visitor's.
    assert mail["Subject"] == "Ya tienes una cuenta en Ruta"
    assert "@ana@test.example" in mail.get_body(("plain",)).get_content()


async def test_a_deleted_persons_username_is_never_given_again(
    browser: TestClient,
    urls: Urls,  # type: ignore[type-arg]
) -> None:
    account = await active_account(urls, "ana")
    await Actor.filter(account_id=account.id).update(account_id=None)
    await Account.filter(id=account.id).delete()
    response = await sign_up(browser, email="new@example.org")
    assert response.status == 422
    assert "This username is taken" in text_of(await response.text())


async def test_sign_ups_from_one_address_are_rate_limited(
    browser: TestClient,  # type: ignore[type-arg]
) -> None:
    ip = {"X-Forwarded-For": "192.0.2.10"}
    for n in range(10):
        response = await submit(
            browser,
            "/sign-up",
            {**ANA, "username": f"user{n}", "email": f"user{n}@example.org"},
            headers=ip,
        )
        assert response.status == 303
    blocked = await submit(
        browser, "/sign-up", {**ANA, "username": "late", "email": "late@example.org"}, headers=ip
    )
    assert blocked.status == 429
    assert "Too many attempts" in text_of(await blocked.text())
    assert not await Account.filter(username="late").exists()


async def test_an_expired_confirmation_link_does_not_work(
    browser: TestClient,
    sent_mails: Mails,  # type: ignore[type-arg]
) -> None:
    await sign_up(browser)
    (mail,) = await sent_mails()
    link = link_in(mail, "/verify-email/").replace("https://test.example", "")
    with clock.shifted(timedelta(days=3, minutes=1)):
        response = await browser.get(link)
    assert response.status == 404
    assert "This link does not work" in text_of(await response.text())
    assert (await Account.get(username="ana")).email_verified_at is None


async def test_resending_the_confirmation_mail_sends_a_fresh_link_and_the_old_one_stops(
    browser: TestClient,
    sent_mails: Mails,  # type: ignore[type-arg]
) -> None:
    await sign_up(browser)
    (first,) = await sent_mails()
    response = await submit(browser, "/verify-email", {"email": "ana@example.org"})
    assert response.status == 200
    assert "we sent it a new confirmation link" in text_of(await response.text())
    second = (await sent_mails())[-1]
    old = link_in(first, "/verify-email/").replace("https://test.example", "")
    new = link_in(second, "/verify-email/").replace("https://test.example", "")
    assert old != new
    assert (await browser.get(old)).status == 404
    assert (await browser.get(new, allow_redirects=False)).status == 303
