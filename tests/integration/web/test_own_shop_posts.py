"""A member's shop is theirs: on posts written by their own shop actor the note card offers no
"Report" link (as on the shop's profile), while anybody else still gets it."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from node.models.social import Visibility
from node.services.market import shops
from node.services.social import notes
from node.urls import Urls
from tests.integration.web.conftest import SpyPublisher
from tests.integration.web.webforms import active_account, sign_in

pytestmark = pytest.mark.usefixtures("orm")

Client = TestClient  # type: ignore[type-arg]


def card_of(page: str, note_id: int) -> str:
    return page[page.index(f'id="note-{note_id}"') :].split("</article>")[0]


async def test_no_report_link_on_posts_of_ones_own_shop(
    browser: Client, urls: Urls, publisher: SpyPublisher
) -> None:
    ana = await active_account(urls, "ana")
    await active_account(urls, "bob")
    shop = await shops.open_shop(urls, ana, "panaderia", shops.ShopDetails(display_name="Pan"))
    shop_actor = await shop.actor
    note = await notes.create_note(
        publisher, shop_actor, content="Hoy hay pan de centeno", language="es",
        visibility=Visibility.PUBLIC,
    )  # fmt: skip
    thread = f"/@panaderia/{note.id}"

    await sign_in(browser, "ana")
    for path in (thread, "/@panaderia", "/local"):
        response = await browser.get(path)
        assert response.status == 200, path
        card = card_of(await response.text(), note.id)
        assert "/report?" not in card, path
        assert "Like" in card, path  # the card's actions are there, only Report is not

    browser.session.cookie_jar.clear()
    await sign_in(browser, "bob")
    for path in (thread, "/@panaderia", "/local"):
        card = card_of(await (await browser.get(path)).text(), note.id)
        assert f'href="/report?note={note.id}"' in card, path
