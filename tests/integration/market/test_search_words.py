"""Search that understands words, on both backends: a plural finds the singular, the last word
typed matches as a prefix, a partial city name and a node without its port filter as people
expect, "nearest first" works from a chosen city, and listings indexed by an older version are
re-indexed when the node upgrades — through the service, the JSON API and the market page."""

from __future__ import annotations

from dataclasses import replace

import pytest
from aiohttp.test_utils import TestClient

from node import clock, db
from node.models.market import Listing
from node.services.market import remote, search
from node.services.market.listing_input import ListingInput
from node.services.market.search_schema import ensure_search_index
from node.services.market.stemming import INDEX_VERSION
from node.urls import Urls
from tests.integration.market.market_fakes import RecordingMarketPublisher, account_of
from tests.integration.web.webforms import text_of
from tests.support.fakes import local_person, remote_actor

pytestmark = pytest.mark.usefixtures("orm")

BASKET = ListingInput(
    title="Cesta de esparto",
    description="Hecha a mano en el taller.",
    price_cents=2500,
    category="crafts",
    city="La Palma del Condado",
    delivery=["pickup"],
    language="es",
)


async def local_listing(urls: Urls, data: ListingInput = BASKET) -> Listing:
    from node.services.market import listings

    if not await account_exists("ana"):
        await local_person(urls, "ana")
    return await listings.create_listing(
        RecordingMarketPublisher(), urls, await account_of("ana"), data
    )


async def account_exists(username: str) -> bool:
    from node.models.accounts import Account

    return await Account.filter(username=username).exists()


async def received_listing(title: str, city: str, domain: str, n: int = 1) -> Listing:
    seller = await remote_actor(f"rui{n}", domain)
    stored = await remote.store_remote_listing(
        seller,
        remote.RemoteListing(
            uri=f"https://{domain}/listings/{n}", title=title, category="crafts", city=city,
            language="pt", price_cents=1800, currency="EUR", published=clock.now(),
            latitude=37.02, longitude=-7.93,
        ),
    )  # fmt: skip
    assert stored is not None
    return stored


async def titles(**query: object) -> list[str]:
    return [listing.title for listing in await search.search(search.SearchQuery(**query))]  # type: ignore[arg-type]


async def test_a_plural_finds_the_singular_in_any_language(urls: Urls) -> None:
    await local_listing(urls)
    await received_listing("Cesto de palma", "Faro", "faro.example")
    await local_listing(urls, replace(BASKET, title="Pantalón vaquero", category="clothing"))
    found = sorted(await titles(text="cestas"))
    assert found == ["Cesta de esparto", "Cesto de palma"]
    assert await titles(text="CESTAS esparto") == ["Cesta de esparto"]
    assert await titles(text="cestos esparto") == ["Cesta de esparto"]


async def test_arabic_spellings_and_the_article_meet(urls: Urls) -> None:
    await local_listing(urls, replace(BASKET, title="المَخْبَزَة الجديدة", description="خبز طازج",
                                      category="food", language="ar"))  # fmt: skip
    assert await titles(text="مخبزة") == ["المَخْبَزَة الجديدة"]  # no tashkeel, no article
    assert await titles(text="بالخبز") == ["المَخْبَزَة الجديدة"]  # "with the bread"
    assert await titles(text="الجديـــدة") == ["المَخْبَزَة الجديدة"]  # tatweel
    assert await titles(text="مخب") == ["المَخْبَزَة الجديدة"]  # still typing


async def test_the_last_word_matches_as_a_prefix_the_others_do_not(urls: Urls) -> None:
    await local_listing(urls)
    await local_listing(urls, replace(BASKET, title="Pantalón vaquero", category="clothing",
                                      description="Talla 42"))  # fmt: skip
    assert await titles(text="espar") == ["Cesta de esparto"]  # still typing
    assert await titles(text="cesta espar") == ["Cesta de esparto"]
    assert await titles(text="pan") == ["Pantalón vaquero"]
    # "pan" is a finished word here, so it does not drag in "pantalón"
    assert await titles(text="pan talla") == []
    assert await titles(text="vaquero tal") == ["Pantalón vaquero"]


async def test_a_partial_city_and_a_node_without_its_port_filter(urls: Urls) -> None:
    await local_listing(urls)
    await received_listing("Cesto de palma", "Olhão", "lapalma.test:8443", 1)
    await received_listing("Cesto de junco", "Palos de la Frontera", "faro.example", 2)
    assert await titles(city="La Palma") == ["Cesta de esparto"]
    assert await titles(city="la palma del condado") == ["Cesta de esparto"]
    assert await titles(city="olhao") == ["Cesto de palma"]
    assert await titles(city="PALOS") == ["Cesto de junco"]
    assert await titles(city="Palma") == []  # the start of the name, not any word in it
    assert await titles(domain="lapalma.test") == ["Cesto de palma"]
    assert await titles(domain="https://LaPalma.test/") == ["Cesto de palma"]
    assert await titles(domain="lapalma.test:8443") == ["Cesto de palma"]
    assert await titles(domain="lapalma.test:9999") == []
    assert await titles(domain="lapalma") == []


async def test_nearest_first_works_from_a_chosen_city(urls: Urls) -> None:
    near = await local_listing(urls, replace(BASKET, latitude=37.39, longitude=-6.55))
    far = await local_listing(urls, replace(BASKET, title="Cesta grande", city="Faro",
                                            latitude=37.02, longitude=-7.93))  # fmt: skip
    assert near.city_key == "la palma del condado"
    in_faro = await titles(text="cesta", sort="distance", city="Faro")
    assert in_faro == [far.title]  # the city filters too
    # the position of the city chosen, when the person shares none
    faro_first = await search.search(
        search.SearchQuery(text="cesta", sort="distance", near=None, city="Fa")
    )
    assert [listing.id for listing in faro_first] == [far.id]


async def test_listings_indexed_by_an_older_version_are_reindexed_on_upgrade(urls: Urls) -> None:
    mine = await local_listing(urls)
    theirs = await received_listing("Cesto de palma", "Olhão", "faro.example")
    conn = db.connection()
    # What the previous version stored: folded words, no stems, no city key.
    await Listing.filter(id=mine.id).update(search_text="cesta de esparto", city_key="")
    await Listing.filter(id=theirs.id).update(search_text="cesto de palma", city_key="")
    await conn.execute_script("DELETE FROM search_index_version")
    await conn.execute_script("INSERT INTO search_index_version (version) VALUES (1)")
    before = (await Listing.get(id=mine.id)).updated_at
    # (an English stem of "cestas" is "cesta", so each old row misses one plural only)
    assert await titles(text="cestas") == ["Cesta de esparto"]
    assert await titles(text="cestos") == ["Cesto de palma"]
    assert await titles(city="olhao") == []

    await ensure_search_index(conn)  # what `ruta serve` runs after the migrations

    assert sorted(await titles(text="cestas")) == ["Cesta de esparto", "Cesto de palma"]
    assert sorted(await titles(text="cestos")) == ["Cesta de esparto", "Cesto de palma"]
    assert await titles(city="olhao") == ["Cesto de palma"]
    assert (await Listing.get(id=mine.id)).updated_at == before  # a re-index is no edit
    rows = await conn.execute_query_dict("SELECT version FROM search_index_version")
    assert [r["version"] for r in rows] == [INDEX_VERSION]
    # Once at the current version, nothing is re-indexed again.
    await Listing.filter(id=mine.id).update(search_text="x")
    await ensure_search_index(conn)
    assert (await Listing.get(id=mine.id)).search_text == "x"


async def test_the_api_and_the_page_find_plurals_partial_cities_and_nodes_without_port(
    client: TestClient, urls: Urls
) -> None:
    await local_listing(urls)
    await received_listing("Cesto de palma", "Faro", "lapalma.test:8443")

    async def api(query: str) -> list[str]:
        response = await client.get("/api/v1/listings?" + query)
        assert response.status == 200, await response.text()
        return sorted(item["title"] for item in await response.json())

    assert await api("q=cestas") == ["Cesta de esparto", "Cesto de palma"]
    assert await api("q=cestas&city=La%20Palma") == ["Cesta de esparto"]
    assert await api("node=lapalma.test") == ["Cesto de palma"]
    assert await api("q=espar") == ["Cesta de esparto"]
    assert await api("sort=distance&city=Faro") == ["Cesto de palma"]
    bad = await client.get("/api/v1/listings?sort=distance")
    assert bad.status == 422 and "or a city" in await bad.text()

    html = await (await client.get("/mercado?q=cestas&city=La+Palma")).text()
    page = text_of(html)
    assert "Cesta de esparto" in page and "Cesto de palma" not in page
    # the filters in use are chips, each a link to the same search without it; panel folded
    assert 'class="market-chip-remove" href="/mercado?q=cestas"' in html
    assert 'class="market-chip-remove" href="/mercado?city=La+Palma"' in html
    assert '<details class="market-filters">' in html
    assert 'list="f-city-list"' in html and '<option value="La Palma del Condado">' in html
    assert '<option value="lapalma.test:8443">' in html  # the nodes present, as choices
    assert 'name="lat"' in html and 'type="hidden" name="lat"' in html
    page = text_of(await (await client.get("/mercado?node=lapalma.test")).text())
    assert "Cesto de palma" in page and "Cesta de esparto" not in page
