"""The staff page of the network peers (``/moderation/network``): every peer of
``RUTA_NETWORK_PEERS`` with its state, the date of the last attempt and the listings received
from it; the page names the setting (the list is read-only here); "Retry now" (CSRF) queues the
sync ``ruta peers sync`` queues. Members get 403. The header badge of orders says what it counts."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from node import clock
from node.appkeys import PUBLISHER, SETTINGS
from node.config import Settings
from node.main import create_app
from node.models.accounts import Role
from node.models.actors import Actor, ActorKind
from node.models.jobs import Job
from node.models.social import Follow, FollowState
from node.services.market import remote
from node.services.network.peering import plan_peering
from node.urls import Urls
from tests.integration.web.webforms import active_account, csrf_in, sign_in, submit, text_of
from tests.support.fakes import remote_actor

pytestmark = pytest.mark.usefixtures("orm")

Client = TestClient  # type: ignore[type-arg]
PAGE = "/moderation/network"


@pytest.fixture
def app(settings: Settings) -> web.Application:
    peers = frozenset({"faro.test", "lepe.test"})
    return create_app(settings.with_overrides(network_peers=peers), run_workers=False)


async def faro_accepted_with_two_listings(urls: Urls) -> None:
    group = await remote_actor("mercado", "faro.test", kind=ActorKind.GROUP)
    instance = await Actor.get(uri=urls.instance_actor())
    await Follow.create(follower=instance, target=group, state=FollowState.ACCEPTED,
                        uri=urls.activity(1))  # fmt: skip
    seller = await remote_actor("rui", "faro.test", kind=ActorKind.ORGANIZATION)
    for n in (1, 2):
        await remote.store_remote_listing(
            seller,
            remote.RemoteListing(
                uri=f"https://faro.test/listings/{n}", url=f"https://faro.test/l/{n}",
                title=f"Cataplana {n}", price_cents=4500, currency="EUR", category="home",
                city="Faro", quantity=1, condition="good", delivery=("pickup",), state=None,
                description_html="<p>Cobre.</p>", photos=(), published=clock.now(),
            ),
        )  # fmt: skip


def card_of(page: str, host: str) -> str:
    return page[page.index(f'<bdi dir="ltr">{host}</bdi>') :].split("</li>")[0]


async def test_staff_see_each_peer_its_state_last_attempt_and_listings_and_retry(
    browser: Client, urls: Urls
) -> None:
    await active_account(urls, "marta", role=Role.STAFF, language="en")
    await faro_accepted_with_two_listings(urls)
    # lepe.test does not answer: its follow job failed for good.
    await Job.filter(queue="peering", group_key="peer:lepe.test").update(
        state="failed", attempts=60, last_error="NotFound: no mercado@lepe.test"
    )
    await sign_in(browser, "marta")
    response = await browser.get(PAGE)
    assert response.status == 200
    page = await response.text()
    assert "RUTA_NETWORK_PEERS" in page  # the list comes from the setting, said in words
    assert "cannot be changed on this page" in page
    faro = text_of(card_of(page, "faro.test"))
    assert "Accepted" in faro and "Listings received 2" in " ".join(faro.split())
    lepe = text_of(card_of(page, "lepe.test"))
    assert "Failed" in lepe and "no mercado@lepe.test" in lepe and "Listings received 0" in (
        " ".join(lepe.split()))  # fmt: skip
    assert "Last attempt —" not in " ".join(faro.split())  # the follow's date is shown

    # Retry now: the same sync the CLI queues; the workers then queue lepe.test afresh.
    await Job.filter(queue="peering", group_key="peer:faro.test").delete()
    retried = await submit(browser, PAGE, {}, action=PAGE + "/retry")
    assert retried.status == 303 and retried.headers["Location"] == PAGE + "?retried=1"
    assert [j.payload for j in await Job.filter(queue="peering")] == [
        {"host": "lepe.test"}, {"sync": True}]  # fmt: skip
    # What the sync job runs (a worker would; here the peers' hosts do not exist).
    await plan_peering(browser.app[PUBLISHER], urls, browser.app[SETTINGS])
    again = await Job.get(queue="peering", group_key="peer:lepe.test")
    assert (again.payload, again.state, again.attempts) == ({"host": "lepe.test"}, "pending", 0)
    after = await (await browser.get(PAGE + "?retried=1")).text()
    assert "tries again in the next minutes" in after
    assert "Looking for the node" in text_of(card_of(after, "lepe.test"))


async def test_retry_without_the_csrf_token_is_refused(browser: Client, urls: Urls) -> None:
    await active_account(urls, "marta", role=Role.STAFF)
    await sign_in(browser, "marta")
    before = await Job.filter(queue="peering").count()
    response = await browser.post(PAGE + "/retry", data={}, allow_redirects=False)
    assert response.status == 403
    assert await Job.filter(queue="peering").count() == before


async def test_members_get_403_on_the_network_page_and_its_retry(
    browser: Client, urls: Urls
) -> None:
    await active_account(urls, "ana")
    await sign_in(browser, "ana")
    assert (await browser.get(PAGE)).status == 403
    csrf = csrf_in(await (await browser.get("/settings")).text())
    response = await browser.post(PAGE + "/retry", data={"csrf": csrf}, allow_redirects=False)
    assert response.status == 403
    assert not await Job.filter(queue="peering", payload={"sync": True}).exists()
    nav = await (await browser.get("/moderation/reports")).text()
    assert 'href="/moderation/network"' not in nav
