"""``/api/v1/admin/accounts``: staff list the accounts waiting for approval (with what the person
wrote at sign-up), approve and reject them through the API, with the same mails and audit log as
the staff pages; members get 403."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from node import clock
from node.config import Settings
from node.main import create_app
from node.models.accounts import Account, Role
from node.models.actors import Actor
from node.models.jobs import Job
from node.models.moderation import ModerationAction
from node.services.accounts import accounts
from node.urls import Urls
from tests.support.fakes import api_user, with_ports

Client = TestClient  # type: ignore[type-arg]

REASON = "Vendo cerámica en Palos y busco clientes en Faro."


@pytest.fixture
def app(settings: Settings) -> web.Application:
    return with_ports(create_app(settings, run_workers=False))


async def staff_user(urls: Urls, username: str) -> dict[str, str]:
    _, auth = await api_user(urls, username)
    await Account.filter(username=username).update(role=Role.STAFF)
    return auth


async def waiting(urls: Urls, username: str, *, confirmed: bool = True) -> Account:
    """An account as a sign-up leaves it: not approved, its address confirmed or not."""
    account = await accounts.create_account(
        urls,
        username=username,
        email=f"{username}@example.org",
        password="a long password",
        language="pt",
        approved=False,
        sign_up_reason=REASON,
    )
    if confirmed:
        await Account.filter(id=account.id).update(email_verified_at=clock.now())
    return account


async def mails_to(address: str) -> list[dict[str, str]]:
    return [j.payload for j in await Job.filter(queue="mail") if j.payload["to"] == address]


async def test_staff_list_pending_accounts_and_approve_one(client: Client, urls: Urls) -> None:
    staff = await staff_user(urls, "marta")
    await waiting(urls, "ana")
    await waiting(urls, "luis", confirmed=False)

    response = await client.get("/api/v1/admin/accounts?status=pending", headers=staff)
    assert response.status == 200
    (row,) = await response.json()
    assert row["account"]["username"] == "ana"
    assert row["email"] == "ana@example.org"
    assert row["invite_request"] == REASON
    assert row["locale"] == "pt"
    assert (row["confirmed"], row["approved"]) == (True, False)
    unconfirmed = await client.get("/api/v1/admin/accounts?status=unconfirmed", headers=staff)
    assert [r["account"]["username"] for r in await unconfirmed.json()] == ["luis"]
    bad = await client.get("/api/v1/admin/accounts?status=waiting", headers=staff)
    assert bad.status == 422

    # By this node's id for the account, as the list gives it.
    approved = await client.post(
        f"/api/v1/admin/accounts/{row['account']['id']}/approve", headers=staff
    )
    assert approved.status == 200
    assert (await approved.json())["approved"] is True
    assert (await Account.get(username="ana")).approved_at is not None
    (mail,) = await mails_to("ana@example.org")
    assert mail["subject"] == "A sua conta em Ruta está pronta"
    # Again: nothing changes, no second mail, no second log line.
    again = await client.post("/api/v1/admin/accounts/ana/approve", headers=staff)
    assert again.status == 200
    assert len(await mails_to("ana@example.org")) == 1
    assert await ModerationAction.filter(action="account_approved").count() == 1
    after = await client.get("/api/v1/admin/accounts?status=pending", headers=staff)
    assert await after.json() == []

    # An address nobody confirmed cannot be approved.
    early = await client.post("/api/v1/admin/accounts/luis/approve", headers=staff)
    assert early.status == 409
    assert "not confirmed its email address" in (await early.json())["detail"]


async def test_staff_reject_with_a_reason_and_the_account_is_gone(
    client: Client, urls: Urls
) -> None:
    staff = await staff_user(urls, "marta")
    await waiting(urls, "ana")
    response = await client.post(
        "/api/v1/admin/accounts/ana/reject", json={"reason": "Solo negocios de la región."},
        headers=staff,
    )  # fmt: skip
    assert response.status == 200
    assert await response.json() == {"acct": "ana@test.example", "rejected": True}
    assert not await Account.filter(username="ana").exists()
    assert not await Actor.filter(local_username="ana").exists()
    (mail,) = await mails_to("ana@example.org")
    assert "Solo negocios de la región." in mail["text"]
    entry = await ModerationAction.get(action="account_rejected")
    assert (entry.target, entry.note) == ("@ana", "Solo negocios de la región.")
    gone = await client.post("/api/v1/admin/accounts/ana/reject", headers=staff)
    assert gone.status == 404

    # Without a body too; an approved account is refused (suspend it instead).
    await waiting(urls, "bea")
    assert (await client.post("/api/v1/admin/accounts/bea/reject", headers=staff)).status == 200
    await api_user(urls, "carlos")
    active = await client.post("/api/v1/admin/accounts/carlos/reject", headers=staff)
    assert active.status == 409
    assert await Account.filter(username="carlos").exists()
    too_long = await client.post(
        "/api/v1/admin/accounts/carlos/reject", json={"reason": "x" * 1001}, headers=staff
    )
    assert too_long.status == 422


async def test_members_get_403_on_approving_and_rejecting(client: Client, urls: Urls) -> None:
    _, member = await api_user(urls, "bea")
    await waiting(urls, "ana")
    for path in ("/api/v1/admin/accounts?status=pending",):
        assert (await client.get(path, headers=member)).status == 403
    for action in ("approve", "reject"):
        response = await client.post(f"/api/v1/admin/accounts/ana/{action}", headers=member)
        assert response.status == 403
        assert response.content_type == "application/problem+json"
    assert (await Account.get(username="ana")).approved_at is None
    assert not await ModerationAction.exists()
