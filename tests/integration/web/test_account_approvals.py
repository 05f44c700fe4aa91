"""Staff approve or reject the accounts that wait (``RUTA_REGISTRATIONS=approval``, the default):
the queue on /moderation/accounts with what the person wrote, a notification to every staff
member, the mails, the audit log, and a rejected name and address free to sign up again."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from node.appkeys import SETTINGS
from node.errors import Conflict, NotFound
from node.models.accounts import Account, Role
from node.models.actors import Actor
from node.models.moderation import ModerationAction
from node.models.notifications import Notification, NotificationKind
from node.services.accounts import account_approvals
from node.urls import Urls
from tests.integration.web.conftest import Mails
from tests.integration.web.webforms import (
    PASSWORD,
    active_account,
    csrf_in,
    link_in,
    sign_in,
    submit,
    text_of,
)
from web.mail_composer import COMPOSER

pytestmark = pytest.mark.usefixtures("orm")

Client = TestClient  # type: ignore[type-arg]

REASON = "Tengo una panadería en Lepe y quiero vender en el mercado."


async def sign_up_and_confirm(
    client: Client, sent_mails: Mails, username: str, *, language: str = "es",
    reason: str = REASON, confirm: bool = True,
) -> None:  # fmt: skip
    response = await submit(
        client,
        "/sign-up",
        {
            "username": username,
            "display_name": username.capitalize() + " Pérez",
            "email": f"{username}@example.org",
            "password": PASSWORD,
            "language": language,
            "reason": reason,
        },
    )
    assert response.status == 303, text_of(await response.text())
    if confirm:
        mail = next(m for m in reversed(await sent_mails()) if m["To"] == f"{username}@example.org")
        link = link_in(mail, "/verify-email/").replace("https://test.example", "")
        assert (await client.get(link, allow_redirects=False)).status == 303


async def sign_out(client: Client) -> None:
    page = await client.get("/")
    await client.post("/sign-out", data={"csrf": csrf_in(await page.text())})


async def test_staff_are_notified_see_the_queue_and_approve_then_the_person_signs_in(
    browser: Client, urls: Urls, sent_mails: Mails
) -> None:
    marta = await active_account(urls, "marta", role=Role.STAFF)
    boss = await active_account(urls, "boss", role=Role.ADMIN)
    bea = await active_account(urls, "bea")
    await sign_up_and_confirm(browser, sent_mails, "ana")
    await sign_up_and_confirm(browser, sent_mails, "luis", confirm=False)

    # Every staff member and administrator is told once, members are not.
    told = await Notification.filter(kind=NotificationKind.ACCOUNT_PENDING).values_list(
        "account_id", flat=True
    )
    assert sorted(told) == sorted([marta.id, boss.id])
    assert not await Notification.filter(account_id=bea.id).exists()

    assert (await sign_in(browser, "marta")).status == 303
    notifications = await (await browser.get("/notifications")).text()
    assert "Ana Pérez confirmed their email address and waits for approval" in text_of(
        notifications
    )
    assert 'href="/moderation/accounts"' in notifications

    page = await (await browser.get("/moderation/accounts")).text()
    queue = text_of(page.split('id="pending-title"')[1].split("Waiting for email confirmation")[0])
    assert "@ana" in queue and "Ana Pérez" in queue
    assert "ana@example.org" in queue
    assert REASON in queue
    assert "Español" in queue  # the language the person chose
    assert "Approve" in queue and "Reject" in queue
    # Luis has not confirmed his address: shown apart, not approvable yet.
    assert "@luis" not in queue
    assert "@luis" in text_of(page.split("Waiting for email confirmation")[1])

    approved = await submit(
        browser, "/moderation/accounts", {"username": "ana"}, action="/moderation/accounts/approve"
    )
    assert approved.status == 303
    assert approved.headers["Location"] == "/moderation/accounts?notice=account_approved"
    ana = await Account.get(username="ana")
    assert ana.approved_at is not None
    entry = await ModerationAction.get(action="account_approved")
    assert (entry.moderator_name, entry.target) == ("marta", "@ana")
    mail = (await sent_mails())[-1]
    assert mail["To"] == "ana@example.org"
    assert mail["Subject"] == "Tu cuenta en Ruta está lista"  # in the person's language
    after = text_of(await (await browser.get("/moderation/accounts")).text())
    assert "Nobody is waiting for approval." in after

    await sign_out(browser)
    assert (await sign_in(browser, "ana")).status == 303


async def test_staff_reject_with_a_reason_mailed_to_the_person_and_the_name_is_free_again(
    browser: Client, urls: Urls, sent_mails: Mails
) -> None:
    await active_account(urls, "marta", role=Role.STAFF)
    await sign_up_and_confirm(browser, sent_mails, "carla", language="fr")
    assert (await sign_in(browser, "marta")).status == 303

    rejected = await submit(
        browser,
        "/moderation/accounts",
        {"username": "carla", "reason": "Ce réseau est pour les entreprises de la région."},
        action="/moderation/accounts/reject",
    )
    assert rejected.status == 303
    assert rejected.headers["Location"] == "/moderation/accounts?notice=account_rejected"
    assert not await Account.filter(username="carla").exists()
    assert not await Actor.filter(local_username="carla").exists()
    entry = await ModerationAction.get(action="account_rejected")
    assert entry.target == "@carla"
    assert entry.note == "Ce réseau est pour les entreprises de la région."
    mail = (await sent_mails())[-1]
    assert mail["To"] == "carla@example.org"
    assert mail["Subject"] == "Votre demande pour rejoindre Ruta"
    body = mail.get_body(("plain",)).get_content()
    assert "Ce réseau est pour les entreprises de la région." in body
    assert "https://test.example/about" in body
    log = text_of(await (await browser.get("/moderation/log")).text())
    assert "rejected an account" in log

    # The same username and address may sign up again.
    await sign_out(browser)
    await sign_up_and_confirm(browser, sent_mails, "carla", language="fr")
    assert await Account.filter(username="carla", email="carla@example.org").exists()


async def test_members_cannot_approve_or_reject(
    browser: Client, urls: Urls, sent_mails: Mails
) -> None:
    await active_account(urls, "bea")
    await sign_up_and_confirm(browser, sent_mails, "ana")
    assert (await sign_in(browser, "bea")).status == 303
    for action in ("approve", "reject"):
        response = await submit(
            browser, "/settings", {"username": "ana"}, action=f"/moderation/accounts/{action}"
        )
        assert response.status == 403
    ana = await Account.get(username="ana")
    assert ana.approved_at is None
    assert not await ModerationAction.exists()


async def test_approving_twice_changes_nothing_and_rejecting_an_active_account_is_refused(
    app: web.Application, browser: Client, urls: Urls, sent_mails: Mails
) -> None:
    marta = await active_account(urls, "marta", role=Role.STAFF)
    await sign_up_and_confirm(browser, sent_mails, "ana")
    mails_before = len(await sent_mails())
    ana = await Account.get(username="ana")
    for _ in range(2):
        await account_approvals.approve(app[SETTINGS], urls, app[COMPOSER], marta, ana)
    assert await ModerationAction.filter(action="account_approved").count() == 1
    assert len(await sent_mails()) == mails_before + 1
    with pytest.raises(Conflict):
        await account_approvals.reject(app[SETTINGS], app[COMPOSER], marta, ana, reason="no")
    assert await Account.filter(username="ana").exists()

    await sign_up_and_confirm(browser, sent_mails, "luis")
    luis = await Account.get(username="luis")
    await account_approvals.reject(app[SETTINGS], app[COMPOSER], marta, luis)
    with pytest.raises(NotFound):
        await account_approvals.reject(app[SETTINGS], app[COMPOSER], marta, luis)
    assert await ModerationAction.filter(action="account_rejected").count() == 1


async def test_staff_see_how_many_accounts_wait_in_the_header_and_members_do_not(
    browser: Client, urls: Urls, sent_mails: Mails
) -> None:
    from tests.integration.web.test_header_badges import badge_text

    await active_account(urls, "marta", role=Role.STAFF)
    await active_account(urls, "bea")
    await sign_up_and_confirm(browser, sent_mails, "ana")
    await sign_up_and_confirm(browser, sent_mails, "luis")
    await sign_up_and_confirm(browser, sent_mails, "eva", confirm=False)  # not counted

    assert (await sign_in(browser, "marta")).status == 303
    page = await (await browser.get("/settings")).text()
    # The header's Moderation link opens the queue while someone waits.
    assert badge_text(page, "/moderation/accounts") == "2 waiting for approval"
    spanish = await (await browser.get("/settings", headers={"Accept-Language": "es"})).text()
    assert badge_text(spanish, "/moderation/accounts") == "2 pendientes de aprobación"

    await sign_out(browser)
    assert (await sign_in(browser, "bea")).status == 303
    member_page = await (await browser.get("/settings")).text()
    assert "waiting for approval" not in member_page
