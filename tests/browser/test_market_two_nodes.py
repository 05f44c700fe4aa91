"""Issue 5's "Done when" in a browser, across two real cities on phones.

Ana opens a shop on lapalma.test and publishes a product with a photo from the pages. The two
nodes are a network (``RUTA_NETWORK_PEERS``): faro.test follows lapalma's market group by
itself, and its staff see that on the network page. Joao, a buyer on faro.test, finds the
product by searching faro's market, reads it on faro's own page (photo, price, where it was
listed), contacts the seller from there; Ana answers from lapalma and Joao reads the answer on
faro. Every page visited passes the axe scan; screenshots 90–97 at phone width.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.browser.test_two_node_flow import PASSWORD, phone, reload_until, scan, sign_in
from tests.multinode.network import second_backend
from tests.support.nodes import NodeProcess, make_node, running

pytestmark = pytest.mark.slow

NETWORK = "lapalma.test,faro.test"


@pytest.fixture
def network(tmp_path: Path) -> Iterator[tuple[NodeProcess, NodeProcess]]:
    lapalma = make_node(
        tmp_path, "lapalma", domain="lapalma.test",
        extra_env={"RUTA_CITY_NAME": "La Palma del Condado", "RUTA_NETWORK_PEERS": NETWORK},
    )  # fmt: skip
    faro = make_node(
        tmp_path, "faro", backend=second_backend(), domain="faro.test",
        extra_env={"RUTA_CITY_NAME": "Faro", "RUTA_DEFAULT_LANGUAGE": "pt",
                   "RUTA_NETWORK_PEERS": NETWORK},
    )  # fmt: skip
    with running(lapalma, faro):
        yield lapalma, faro


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (900, 700), (120, 80, 40)).save(out, "JPEG")
    return out.getvalue()


def test_a_product_published_in_lapalma_is_found_and_discussed_from_faro_on_phones(
    named_browser: Any, network: tuple[NodeProcess, NodeProcess], artifacts: Path
) -> None:
    lapalma, faro = network
    lapalma.create_user("ana", password=PASSWORD)
    faro.create_user("joao", password=PASSWORD)
    faro.create_user("rita", role="admin", password=PASSWORD)
    found: list[str] = []

    # --- Ana opens a shop and publishes a product with a photo, on lapalma.test.
    ana = phone(named_browser, lapalma)
    sign_in(ana, lapalma, "ana")
    ana.goto("/mercado/shops/new")
    ana.get_by_label("Shop address name").fill("cesteria")
    ana.get_by_label("Shop name").fill("Cestería Ana")
    ana.get_by_role("checkbox", name="Crafts").check()
    ana.locator("main").get_by_role("button", name="Open the shop").click()
    ana.wait_for_url("**/mercado/shops/cesteria")
    ana.get_by_role("link", name="New listing in this shop").click()
    ana.wait_for_url("**/mercado/new?shop=cesteria")
    ana.get_by_label("Title", exact=True).fill("Cesta de esparto grande")
    ana.get_by_label("Description (optional)", exact=True).fill("Tejida a mano, **40 cm**.")
    ana.get_by_label("Category", exact=True).select_option("crafts")
    ana.get_by_label("Price (optional)", exact=True).fill("28")
    ana.get_by_label("Choose a photo").set_input_files(
        {"name": "cesta.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}
    )
    ana.get_by_label("Describe the photo for people who cannot see it").fill(
        "Una cesta de esparto redonda con asas"
    )
    ana.locator("main").get_by_role("button", name="Publish").click()
    ana.wait_for_url(re.compile(r"/mercado/\d+$"))
    ana.screenshot(path=artifacts / "90-published-on-lapalma.png", full_page=True)

    # --- faro's staff see the network: lapalma.test's market group is followed.
    rita = phone(named_browser, faro)
    sign_in(rita, faro, "rita")
    rita.goto("/moderation/network")
    peer = rita.locator(".card").filter(has_text="lapalma.test")
    reload_until(
        rita, "faro follows lapalma's market", lambda: "Accepted" in peer.inner_text(),
        lapalma, faro,
    )  # fmt: skip
    scan(rita, found)
    rita.screenshot(path=artifacts / "91-network-page.png", full_page=True)

    # --- Joao on faro.test finds it by searching faro's market.
    joao = phone(named_browser, faro)
    sign_in(joao, faro, "joao")
    joao.goto("/mercado?q=esparto")
    card = joao.locator(".market-card").filter(has_text="Cesta de esparto grande")
    reload_until(joao, "the listing in faro's search", lambda: card.count() == 1, lapalma, faro)
    scan(joao, found)
    joao.screenshot(path=artifacts / "92-found-on-faro.png", full_page=True)
    card.get_by_role("link", name="Cesta de esparto grande").click()
    joao.wait_for_url(re.compile(r"faro\.test/mercado/\d+$"))  # read on faro, not sent away
    assert joao.get_by_role("heading", level=1).inner_text().startswith("Cesta de esparto grande")
    assert "28" in joao.locator(".market-price").inner_text()
    assert joao.get_by_role("img", name="Una cesta de esparto redonda con asas").count() == 1
    assert "lapalma.test" in joao.locator("main").inner_text()
    scan(joao, found)
    joao.screenshot(path=artifacts / "93-remote-listing-on-faro.png", full_page=True)

    # --- He writes to the seller from the listing.
    joao.get_by_role("link", name="Contact the seller").click()
    joao.wait_for_url("**/messages/new?*")
    assert joao.get_by_label("To").input_value() == "@cesteria@lapalma.test"  # the shop
    joao.get_by_label("Message", exact=True).fill("Olá! A cesta ainda está disponível?")
    scan(joao, found)
    joao.locator("main").get_by_role("button", name="Send").click()
    joao.wait_for_url("**/messages/*")
    conversation_on_faro = joao.url
    assert joao.get_by_text("Olá! A cesta ainda está disponível?").is_visible()
    joao.screenshot(path=artifacts / "94-asked-from-faro.png", full_page=True)

    # --- Ana gets it on lapalma, about her listing, and answers from there.
    messages_link = ana.locator("header").get_by_role("link", name="Messages")
    ana.goto("/")
    reload_until(
        ana, "the message badge on lapalma", lambda: messages_link.locator(".badge").count() == 1,
        lapalma, faro,
    )  # fmt: skip
    ana.goto("/messages")
    item = ana.locator(".conversation-item").first
    assert "Cesta de esparto grande" in item.inner_text()  # the conversation is about it
    item.locator("a").first.click()
    ana.wait_for_url("**/messages/*")
    assert ana.get_by_text("Olá! A cesta ainda está disponível?").is_visible()
    scan(ana, found)
    ana.get_by_label("Your answer").fill("Sí, te la guardo hasta el sábado.")
    ana.locator("section[aria-labelledby=reply-title]").get_by_role("button", name="Send").click()
    ana.wait_for_url("**/messages/*")
    assert ana.get_by_text("Sí, te la guardo hasta el sábado.").is_visible()
    # Written to her shop, answered as her shop: shown as hers, with nothing to report.
    answered = ana.locator(".message--mine")
    assert answered.count() == 1 and "Cestería Ana (You)" in answered.inner_text()
    assert answered.get_by_role("link", name="Report this message").count() == 0
    assert ana.get_by_text("You answer as your shop Cestería Ana.").is_visible()
    ana.screenshot(path=artifacts / "95-answered-on-lapalma.png", full_page=True)

    # --- Joao reads the answer on faro.
    joao.goto(conversation_on_faro)
    answer = joao.get_by_text("Sí, te la guardo hasta el sábado.")
    reload_until(joao, "ana's answer on faro", lambda: answer.count() == 1, lapalma, faro)
    scan(joao, found)
    joao.screenshot(path=artifacts / "96-answer-on-faro.png", full_page=True)

    assert not found, "\n".join(found)
    assert ana.problems == [] and joao.problems == [] and rita.problems == []
