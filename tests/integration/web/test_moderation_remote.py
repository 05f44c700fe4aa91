"""Staff type ``@user@host`` on /moderation/accounts: the node resolves it through WebFinger on a
(loopback) server and suspends it; a handle nobody answers to is shown as an error next to the
field, in the staff member's language; the suspension is listed and can be lifted."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from node.models.accounts import Role
from node.models.actors import Actor
from node.models.moderation import ModerationAction
from node.urls import Urls
from tests.integration.federation.webfinger_peer import Peer, app, peer
from tests.integration.web.webforms import active_account, csrf_in, sign_in, submit, text_of

__all__ = ["app", "peer"]  # fixtures

pytestmark = pytest.mark.usefixtures("orm")

Client = TestClient  # type: ignore[type-arg]
PAGE = "/moderation/accounts"
ACTION = "/moderation/accounts/remote"


async def test_staff_suspend_a_remote_account_by_handle_and_lift_it(
    browser: Client, urls: Urls, peer: Peer
) -> None:
    await active_account(urls, "marta", role=Role.STAFF)
    await sign_in(browser, "marta")
    page = text_of(await (await browser.get(PAGE)).text())
    assert "Accounts on other servers" in page and "Address of the account" in page

    handle = f"@bob@{peer.authority}"
    done = await submit(browser, PAGE, {"handle": handle, "note": "spam"}, action=ACTION)
    assert done.status == 303
    assert done.headers["Location"] == f"{PAGE}?notice=account_suspended"
    bob = await Actor.get(local=False)
    assert bob.suspended_at is not None and bob.handle == handle.lstrip("@")
    assert peer.webfinger_hits == 1
    listed = text_of(await (await browser.get(PAGE)).text())
    assert handle in listed and "Lift the suspension" in listed

    lifted = await submit(
        browser, PAGE, {"actor": str(bob.id), "suspended": "0"},
        action="/moderation/accounts/suspension",
    )  # fmt: skip
    assert lifted.status == 303
    await bob.refresh_from_db()
    assert bob.suspended_at is None
    actions = await ModerationAction.all().order_by("id").values_list("action", "target", "note")
    assert actions == [
        ("account_suspended", handle, "spam"),
        ("account_unsuspended", handle, ""),
    ]


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Nobody answers to that address: check it, or try again later."),
        ("es", "Nadie responde a esa dirección: revísala o inténtalo más tarde."),
        ("fr", "Personne ne répond à cette adresse : vérifiez-la ou réessayez plus tard."),
    ],
)
async def test_a_handle_nobody_answers_to_is_an_error_next_to_the_field(
    browser: Client, urls: Urls, peer: Peer, language: str, message: str
) -> None:
    await active_account(urls, "marta", role=Role.STAFF, language=language)
    await sign_in(browser, "marta")
    for handle in (f"@nadie@{peer.authority}", "@nadie"):
        response = await submit(browser, PAGE, {"handle": handle}, action=ACTION)
        assert response.status == 422
        body = await response.text()
        assert 'id="f-handle-error"' in body and 'aria-invalid="true"' in body
        assert message in text_of(body)
        assert f'value="{handle}"' in body, "what she typed is kept"
    malformed = await submit(browser, PAGE, {"handle": "@a b@c"}, action=ACTION)
    assert malformed.status == 422
    assert not await Actor.filter(suspended_at__isnull=False).exists()
    assert not await ModerationAction.exists()


async def test_members_and_forms_without_a_csrf_token_are_refused(
    browser: Client, urls: Urls, peer: Peer
) -> None:
    await active_account(urls, "ana")
    await active_account(urls, "marta", role=Role.STAFF)
    await sign_in(browser, "ana")
    token = csrf_in(await (await browser.get("/")).text())
    handle = f"@bob@{peer.authority}"
    member = await browser.post(ACTION, data={"csrf": token, "handle": handle})
    assert member.status == 403
    await sign_in(browser, "marta")
    no_token = await browser.post(ACTION, data={"handle": handle}, allow_redirects=False)
    assert no_token.status == 403
    assert peer.webfinger_hits == 0
    assert not await Actor.filter(local=False).exists()
