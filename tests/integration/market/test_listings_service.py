"""Shops and listings at the service level: validation a person can act on, states, what is
published and when (inside the change's transaction)."""

from __future__ import annotations

import pytest

from node.errors import Conflict, PermissionDenied, ValidationFailed
from node.models.actors import Actor, ActorKind
from node.models.market import Listing, ListingState, Shop
from node.models.social import Tombstone
from node.services.market import listings, shops
from node.services.market.listing_input import ListingInput
from node.urls import Urls
from tests.integration.market.market_fakes import RecordingMarketPublisher, account_of
from tests.support.fakes import RecordingPublisher, local_person

pytestmark = pytest.mark.usefixtures("orm")

BREAD = ListingInput(
    title="Pan de campo 1 kg",
    description="Masa madre, horno de leña. #pan",
    price_cents=300,
    category="food",
    city="La Palma del Condado",
    quantity=20,
    condition="new",
    delivery=["pickup"],
    language="es",
)


@pytest.fixture
async def rocio(urls: Urls) -> Shop:
    await local_person(urls, "ana")
    return await shops.open_shop(
        urls,
        await account_of("ana"),
        "panaderia_rocio",
        shops.ShopDetails(
            display_name="Panadería Rocío",
            summary="Pan artesano. #pan",
            address="C/ Real 12",
            opening_hours="L–S 8:00–14:00",
            website="https://panaderiarocio.example",
            city="La Palma del Condado",
            categories=["food"],
            languages=["es", "ar"],
        ),
    )


async def test_a_shop_is_an_organization_actor_with_keys_and_profile_fields(
    rocio: Shop, urls: Urls
) -> None:
    actor = await Actor.get(id=rocio.actor_id)  # type: ignore[attr-defined]
    assert actor.kind is ActorKind.ORGANIZATION
    assert actor.uri == urls.actor(ActorKind.ORGANIZATION, "panaderia_rocio")
    assert actor.local_username == "panaderia_rocio"
    assert actor.public_key_pem and actor.ed25519_multibase
    assert actor.followers_url == actor.uri + "/followers"
    names = [f["name"] for f in actor.profile_fields]
    assert names == ["Dirección", "Horario", "Web"]
    assert 'rel="me nofollow"' in actor.profile_fields[2]["value"]


async def test_shop_names_are_shared_with_people_and_bad_details_are_field_errors(
    rocio: Shop, urls: Urls
) -> None:
    ana = await account_of("ana")
    with pytest.raises(Conflict):
        await shops.open_shop(urls, ana, "ana", shops.ShopDetails())
    with pytest.raises(ValidationFailed) as bad:
        await shops.open_shop(urls, ana, "otra", shops.ShopDetails(website="javascript:x"))
    assert bad.value.errors[0].field == "website"
    with pytest.raises(ValidationFailed) as bad:
        await shops.open_shop(urls, ana, "otra", shops.ShopDetails(categories=["weapons"]))
    assert bad.value.errors[0].field == "category"
    assert await Shop.all().count() == 1


async def test_publishing_a_listing_calls_the_publisher_inside_the_transaction(
    rocio: Shop, urls: Urls
) -> None:
    publisher = RecordingMarketPublisher()
    listing = await listings.create_listing(
        publisher, urls, await account_of("ana"), BREAD, shop=rocio
    )
    assert publisher.calls == [("listing_published", listing, True)]
    assert listing.state is ListingState.PUBLISHED and listing.published is not None
    assert listing.uri == urls.absolute(f"/listings/{listing.id}")
    assert listing.tags == ["Alimentacion", "LaPalmaDelCondado", "pan"]
    assert "<p>Masa madre" in listing.description_html
    assert "lena" in listing.search_text and "alimentacion" in listing.search_text


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"price_cents": -5}, "price_cents"),
        ({"category": "weapons"}, "category"),
        ({"title": "<script>alert(1)</script>"}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 141}, "title"),
        ({"currency": "BTC"}, "currency"),
        ({"kind": "service", "condition": "new"}, "condition"),
        ({"price_cents": None, "price_kind": "fixed"}, "price_cents"),
        ({"latitude": 91.0, "longitude": 0.0}, "latitude"),
        ({"delivery": ["teleport"]}, "delivery"),
        ({"quantity": -1}, "quantity"),
        ({"language": "de"}, "language"),
        ({"purpose": "steal"}, "purpose"),
    ],
)
async def test_bad_listings_are_field_errors_and_nothing_is_stored(
    rocio: Shop, urls: Urls, change: dict[str, object], field: str
) -> None:
    from dataclasses import replace

    data = replace(BREAD, **change)  # type: ignore[arg-type]
    publisher = RecordingMarketPublisher()
    with pytest.raises(ValidationFailed) as bad:
        await listings.create_listing(publisher, urls, await account_of("ana"), data, shop=rocio)
    assert field in [e.field for e in bad.value.errors]
    assert bad.value.message
    assert await Listing.all().count() == 0
    assert publisher.calls == []


async def test_drafts_stay_home_until_published_and_states_follow_the_rules(
    rocio: Shop, urls: Urls
) -> None:
    publisher = RecordingMarketPublisher()
    ana = await account_of("ana")
    draft = await listings.create_listing(publisher, urls, ana, BREAD, shop=rocio, publish=False)
    await listings.edit_listing(publisher, urls, ana, draft.id, ListingInput(price_cents=350))
    assert publisher.calls == []
    with pytest.raises(Conflict, match="cannot become sold"):
        await listings.change_state(publisher, ana, draft.id, "sold")
    await listings.change_state(publisher, ana, draft.id, "published")
    await listings.change_state(publisher, ana, draft.id, "reserved")
    await listings.edit_listing(publisher, urls, ana, draft.id, ListingInput(title="Pan 2 kg"))
    sold = await listings.change_state(publisher, ana, draft.id, "sold")
    assert sold.quantity == 0 and sold.edited_at is not None
    assert publisher.names() == [
        "listing_published",
        "listing_updated",
        "listing_updated",
        "listing_updated",
    ]
    assert all(in_tx for _, _, in_tx in publisher.calls)
    with pytest.raises(Conflict):
        await listings.change_state(publisher, ana, draft.id, "published")
    with pytest.raises(Conflict):
        await listings.edit_listing(publisher, urls, ana, draft.id, ListingInput(title="x"))


async def test_only_the_seller_changes_a_listing_and_drafts_are_hidden_from_others(
    rocio: Shop, urls: Urls
) -> None:
    publisher = RecordingMarketPublisher()
    ana = await account_of("ana")
    await local_person(urls, "pep")
    pep = await account_of("pep")
    draft = await listings.create_listing(publisher, urls, ana, BREAD, shop=rocio, publish=False)
    with pytest.raises(Exception, match="not visible"):
        await listings.get_listing(draft.id, pep)
    await listings.change_state(publisher, ana, draft.id, "published")
    assert (await listings.get_listing(draft.id, None)).id == draft.id
    with pytest.raises(PermissionDenied):
        await listings.edit_listing(publisher, urls, pep, draft.id, ListingInput(title="mío"))
    with pytest.raises(PermissionDenied):
        await listings.create_listing(publisher, urls, pep, BREAD, shop=rocio)
    with pytest.raises(PermissionDenied):
        await shops.edit_shop(RecordingPublisher(), pep, "panaderia_rocio", shops.ShopDetails())


async def test_deleting_a_published_listing_tombstones_its_id(rocio: Shop, urls: Urls) -> None:
    publisher = RecordingMarketPublisher()
    ana = await account_of("ana")
    listing = await listings.create_listing(publisher, urls, ana, BREAD, shop=rocio)
    await listings.delete_listing(publisher, ana, listing.id)
    assert publisher.names() == ["listing_published", "listing_deleted"]
    assert await Tombstone.filter(uri=listing.uri).exists()
    assert not await Listing.filter(id=listing.id).exists()
    draft = await listings.create_listing(publisher, urls, ana, BREAD, publish=False)
    await listings.delete_listing(publisher, ana, draft.id)
    assert publisher.names()[-1] == "listing_deleted"  # nothing new for the draft
    assert not await Tombstone.filter(uri=draft.uri).exists()
