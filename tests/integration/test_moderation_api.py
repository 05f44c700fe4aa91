"""``/api/v1/admin``: staff work reports, suspend accounts, block servers and read the audit log
through the API; members get 403 with a problem+json body, anonymous callers 401, and every
action lands in the same audit log as the staff pages'."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from node import clock
from node.config import Settings
from node.main import create_app
from node.models.accounts import Account, Role
from node.models.actors import Actor
from node.models.moderation import DomainBlock, ModerationAction, Report
from node.models.peers import OutgoingActivity
from node.urls import Urls
from tests.support.fakes import api_user, remote_actor, with_ports

Client = TestClient  # type: ignore[type-arg]

# Every operation with a body that would succeed for staff.
OPERATIONS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/api/v1/admin/reports", None),
    ("GET", "/api/v1/admin/reports/{report}", None),
    ("POST", "/api/v1/admin/reports/{report}/close", {"resolution": "dismissed"}),
    ("GET", "/api/v1/admin/accounts", None),
    ("POST", "/api/v1/admin/accounts/bea/action", {"type": "suspend"}),
    ("GET", "/api/v1/admin/domain_blocks", None),
    ("POST", "/api/v1/admin/domain_blocks", {"domain": "spam.example"}),
    ("DELETE", "/api/v1/admin/domain_blocks/spam.example", None),
    ("GET", "/api/v1/admin/audit_log", None),
]


@pytest.fixture
def app(settings: Settings) -> web.Application:
    return with_ports(create_app(settings, run_workers=False))


async def staff_user(urls: Urls, username: str) -> tuple[Actor, dict[str, str]]:
    actor, auth = await api_user(urls, username)
    await Account.filter(username=username).update(role=Role.STAFF)
    return actor, auth


async def a_report(reporter: Actor, target: Actor, comment: str = "spam") -> Report:
    return await Report.create(reporter=reporter, target=target, comment=comment)


async def test_members_get_403_problems_and_anonymous_callers_401_on_every_operation(
    client: Client, urls: Urls
) -> None:
    ana, member = await api_user(urls, "ana")
    bea, _ = await api_user(urls, "bea")
    report = await a_report(ana, bea)
    await DomainBlock.create(domain="spam.example")
    for method, path, body in OPERATIONS:
        url = path.format(report=report.id)
        for headers, status in ((member, 403), ({}, 401)):
            response = await client.request(method, url, json=body, headers=headers)
            assert response.status == status, (method, url, headers)
            assert response.content_type == "application/problem+json"
            problem = await response.json()
            assert problem["status"] == status
    # Nothing changed.
    assert not await ModerationAction.exists()
    assert (await Report.get(id=report.id)).resolved_at is None
    assert (await Account.get(username="bea")).suspended_at is None
    assert await DomainBlock.filter(domain="spam.example").exists()


async def test_staff_list_open_and_closed_reports_and_close_one_with_a_suspension(
    client: Client, urls: Urls
) -> None:
    _, staff = await staff_user(urls, "marta")
    ana, _ = await api_user(urls, "ana")
    bea, bea_auth = await api_user(urls, "bea")
    joao = await remote_actor("joao", "faro.example")
    about_bea = await a_report(ana, bea, "vende cosas robadas")
    about_joao = await a_report(ana, joao, "spam")

    listing = await (await client.get("/api/v1/admin/reports", headers=staff)).json()
    assert [r["id"] for r in listing] == [str(about_bea.id), str(about_joao.id)]  # oldest first
    assert listing[0]["target"]["acct"] == f"bea@{urls.domain}"
    assert listing[0]["reporter"]["acct"] == f"ana@{urls.domain}"
    assert listing[0]["comment"] == "vende cosas robadas" and listing[0]["resolved"] is False

    closed = await client.post(
        f"/api/v1/admin/reports/{about_bea.id}/close",
        json={"resolution": "resolved", "action": "suspend", "note": "robos"},
        headers=staff,
    )
    assert closed.status == 200, await closed.text()
    body = await closed.json()
    assert (body["resolved"], body["resolution"], body["resolved_by"]) == (
        True,
        "resolved",
        "marta",
    )
    assert (await Account.get(username="bea")).suspended_at is not None
    me = await client.get("/api/v1/me", headers=bea_auth)
    assert me.status == 401, "her tokens stopped working"

    again = await client.post(
        f"/api/v1/admin/reports/{about_bea.id}/close",
        json={"resolution": "dismissed"},
        headers=staff,
    )
    assert again.status == 422

    dismissed = await client.post(
        f"/api/v1/admin/reports/{about_joao.id}/close",
        json={"resolution": "dismissed", "note": "no es spam", "forward": True},
        headers=staff,
    )
    assert dismissed.status == 200
    flags = [a.body for a in await OutgoingActivity.all() if a.body.get("type") == "Flag"]
    assert len(flags) == 1 and joao.uri in str(flags[0]["object"])

    open_now = await (await client.get("/api/v1/admin/reports", headers=staff)).json()
    assert open_now == []
    closed_list = await client.get("/api/v1/admin/reports?resolved=true", headers=staff)
    assert {r["id"] for r in await closed_list.json()} == {str(about_bea.id), str(about_joao.id)}
    one = await (await client.get(f"/api/v1/admin/reports/{about_joao.id}", headers=staff)).json()
    assert one["resolution"] == "dismissed" and one["resolution_note"] == "no es spam"
    missing = await client.get("/api/v1/admin/reports/12345", headers=staff)
    assert missing.status == 404

    log = await (await client.get("/api/v1/admin/audit_log", headers=staff)).json()
    assert [(e["action"], e["moderator"]) for e in log] == [
        ("report_dismissed", "marta"),
        ("report_forwarded", "marta"),
        ("report_resolved", "marta"),
        ("account_suspended", "marta"),
    ]
    assert log[2]["note"] == "robos" and log[3]["target"] == "@bea"


async def test_staff_suspend_and_unsuspend_local_and_remote_accounts(
    client: Client, urls: Urls
) -> None:
    marta, staff = await staff_user(urls, "marta")
    await api_user(urls, "bea")
    await staff_user(urls, "pilar")
    joao = await remote_actor("joao", "faro.example")
    await Actor.filter(id=joao.id).update(fetched_at=clock.now())  # known: no WebFinger needed

    suspended = await client.post(
        "/api/v1/admin/accounts/bea/action", json={"type": "suspend", "note": "x"}, headers=staff
    )
    assert suspended.status == 200
    assert await suspended.json() == {"acct": "bea", "suspended": True}
    remote = await client.post(
        "/api/v1/admin/accounts/@joao@faro.example/action",
        json={"type": "suspend"},
        headers=staff,
    )
    assert await remote.json() == {"acct": "joao@faro.example", "suspended": True}

    accounts = await (await client.get("/api/v1/admin/accounts", headers=staff)).json()
    states = {a["account"]["username"]: (a["role"], a["suspended"]) for a in accounts}
    assert states == {
        "bea": ("member", True),
        "marta": ("staff", False),
        "pilar": ("staff", False),
    }
    found = await (await client.get("/api/v1/admin/accounts?q=be", headers=staff)).json()
    assert [a["account"]["acct"] for a in found] == [f"bea@{urls.domain}"]
    remote_list = await client.get("/api/v1/admin/accounts?origin=remote", headers=staff)
    [listed] = await remote_list.json()
    assert listed["account"]["id"] == str(joao.id) and listed["role"] is None

    # Staff may not suspend themselves or other staff (only an admin may).
    for who in ("marta", str(marta.id), "pilar"):
        refused = await client.post(
            f"/api/v1/admin/accounts/{who}/action", json={"type": "suspend"}, headers=staff
        )
        assert refused.status == 403, who
    bad = await client.post(
        "/api/v1/admin/accounts/bea/action", json={"type": "ban"}, headers=staff
    )
    assert bad.status == 422

    for reference in ("bea", str(joao.id)):
        lifted = await client.post(
            f"/api/v1/admin/accounts/{reference}/action", json={"type": "unsuspend"}, headers=staff
        )
        assert (await lifted.json())["suspended"] is False
    assert (await Account.get(username="bea")).suspended_at is None
    assert (await Actor.get(id=joao.id)).suspended_at is None
    actions = await ModerationAction.all().order_by("id").values_list("action", "target")
    assert actions == [
        ("account_suspended", "@bea"),
        ("account_suspended", "@joao@faro.example"),
        ("account_unsuspended", "@bea"),
        ("account_unsuspended", "@joao@faro.example"),
    ]


async def test_staff_block_list_and_unblock_servers(client: Client, urls: Urls) -> None:
    _, staff = await staff_user(urls, "marta")
    added = await client.post(
        "/api/v1/admin/domain_blocks",
        json={"domain": "Spam.Example.", "reason": "bots"},
        headers=staff,
    )
    assert added.status == 200
    block = await added.json()
    assert (block["domain"], block["reason"]) == ("spam.example", "bots")
    bad = await client.post(
        "/api/v1/admin/domain_blocks", json={"domain": "spam example"}, headers=staff
    )
    assert bad.status == 422
    listed = await (await client.get("/api/v1/admin/domain_blocks", headers=staff)).json()
    assert [b["domain"] for b in listed] == ["spam.example"]

    removed = await client.delete("/api/v1/admin/domain_blocks/spam.example", headers=staff)
    assert removed.status == 204
    gone = await client.delete("/api/v1/admin/domain_blocks/spam.example", headers=staff)
    assert gone.status == 404
    assert await (await client.get("/api/v1/admin/domain_blocks", headers=staff)).json() == []

    log = await (await client.get("/api/v1/admin/audit_log?limit=1", headers=staff)).json()
    assert [(e["action"], e["target"]) for e in log] == [("domain_unblocked", "spam.example")]
    everything = await ModerationAction.all().order_by("id").values_list("action", "note")
    assert everything == [("domain_blocked", "bots"), ("domain_unblocked", "")]
