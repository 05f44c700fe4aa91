"""Local listings: write, edit, move through their states, delete.

Every change that other servers must hear about calls the ``MarketPublisher`` inside the
change's transaction (the activity and its deliveries commit with it). Drafts never leave the
node; a listing that was once published is announced again on every edit and state change
(``Update`` with a new ``updated``) and tombstoned when deleted.

States::

    draft ──▶ published ◀──▶ reserved
                 │  ▲           │
                 ▼  │           ▼
               closed         sold ◀── published
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from node import clock
from node.errors import Conflict, NotFound, PermissionDenied
from node.ids import new_id, parse_id
from node.models.accounts import Account
from node.models.actors import Actor, ActorKind
from node.models.base import URL_MAX
from node.models.market import (
    Listing,
    ListingState,
    Shop,
)
from node.models.social import Tombstone
from node.ports import MarketPublisher
from node.services.accounts.accounts import person_actor
from node.services.market import fields as check
from node.services.market.listing_input import ListingInput, apply_input
from node.urls import Urls

TRANSITIONS: dict[ListingState, frozenset[ListingState]] = {
    ListingState.DRAFT: frozenset({ListingState.PUBLISHED}),
    ListingState.PUBLISHED: frozenset(
        {ListingState.RESERVED, ListingState.SOLD, ListingState.CLOSED}
    ),
    ListingState.RESERVED: frozenset(
        {ListingState.PUBLISHED, ListingState.SOLD, ListingState.CLOSED}
    ),
    ListingState.SOLD: frozenset(),
    ListingState.CLOSED: frozenset({ListingState.PUBLISHED}),
}
# States other people may see (and search): a draft is the seller's alone.
PUBLIC_STATES = frozenset(set(ListingState) - {ListingState.DRAFT})


def next_edit_time(listing: Listing) -> datetime:
    """The ``updated`` of a new version: strictly later, in whole seconds, than the last one.

    The wire carries seconds only and receivers apply only newer versions, so two changes
    within one second (a photo, then the price) must still get distinct, growing times.
    """
    now = clock.now().replace(microsecond=0)
    last = listing.edited_at or listing.published
    if last is None:
        return now
    return max(now, last.replace(microsecond=0) + timedelta(seconds=1))


def listing_page(urls: Urls, listing_id: int) -> str:
    return urls.absolute(f"/mercado/{listing_id}")


def listing_uri(urls: Urls, listing_id: int) -> str:
    return urls.absolute(f"/listings/{listing_id}")


async def seller_for(account: Account, shop: Shop | None) -> Actor:
    """Who sells: the shop's actor (its owner only), or the member's own ``Person``."""
    if shop is None:
        return await person_actor(account)
    if shop.owner_id != account.id:  # type: ignore[attr-defined]
        raise PermissionDenied("Only the shop's owner can list in it.")
    return await Actor.get(id=shop.actor_id)  # type: ignore[attr-defined]


async def create_listing(
    publisher: MarketPublisher,
    urls: Urls,
    account: Account,
    data: ListingInput,
    *,
    shop: Shop | None = None,
    publish: bool = True,
) -> Listing:
    """Write a listing (a draft, or published at once: ``Create{Note}`` goes out)."""
    seller = await seller_for(account, shop)
    listing_id = new_id()
    listing = Listing(
        id=listing_id,
        uri=listing_uri(urls, listing_id),
        url=listing_page(urls, listing_id),
        local=True,
        seller=seller,
        shop=shop,
        title="",
        category="",
        city=shop.city if shop is not None else "",
        state=ListingState.DRAFT,
    )
    if data.language is None:
        data = replace(data, language=(account.language or "es"))
    apply_input(listing, data, urls)
    if publish:
        listing.state = ListingState.PUBLISHED
        listing.published = clock.now()
    async with in_transaction():
        await listing.save(force_create=True)
        if publish:
            await publisher.listing_published(listing)
    return listing


def _ids(value: int | str) -> int:
    number = parse_id(value)
    if number is None:
        raise NotFound("No such listing, or it is not visible to you.")
    return number


async def may_manage(account: Account | None, listing: Listing) -> bool:
    if account is None or not listing.local:
        return False
    seller = await _seller(listing)
    return bool(seller.account_id == account.id)  # type: ignore[attr-defined]


async def _seller(listing: Listing) -> Actor:
    seller = listing.seller
    if not isinstance(seller, Actor):
        seller = await Actor.get(id=listing.seller_id)
        listing.seller = seller
    return seller


async def get_listing(listing_id: int | str, viewer: Account | None) -> Listing:
    """A listing anyone may see (drafts only by their seller); ``NotFound`` otherwise."""
    listing = await Listing.get_or_none(id=_ids(listing_id)).prefetch_related("seller", "shop")
    if listing is None or (
        listing.state is ListingState.DRAFT and not await may_manage(viewer, listing)
    ):
        raise NotFound("No such listing, or it is not visible to you.")
    return listing


async def subjects(uris: Iterable[str]) -> dict[str, Listing]:
    """The listings, local or received, that conversations are about (``about_uri``), by id:
    a message page names the listing and links its page here instead of showing a bare web
    address. Drafts are left out (only their seller knows them); unknown ids are absent."""
    # An address longer than the column cannot name a stored listing (and the database would
    # refuse the comparison): such text stays a bare address.
    wanted = {uri for uri in uris if uri and len(uri) <= URL_MAX}
    if not wanted:
        return {}
    found = await Listing.filter(uri__in=wanted).exclude(state=ListingState.DRAFT)
    return {listing.uri: listing for listing in found}


async def own_listing(account: Account, listing_id: int | str) -> Listing:
    listing = await get_listing(listing_id, account)
    if not await may_manage(account, listing):
        raise PermissionDenied("Only the seller can change this listing.")
    return listing


async def edit_listing(
    publisher: MarketPublisher, urls: Urls, account: Account, listing_id: int | str,
    data: ListingInput,
) -> Listing:  # fmt: skip
    """Change a listing; once published, its followers get ``Update`` with a new ``updated``."""
    listing = await own_listing(account, listing_id)
    if listing.state is ListingState.SOLD:
        raise Conflict("This listing is sold; open a new one instead.")
    if data.changes_nothing():
        return listing
    apply_input(listing, data, urls)
    async with in_transaction():
        if listing.state is not ListingState.DRAFT:
            listing.edited_at = next_edit_time(listing)
        await listing.save()
        if listing.state is not ListingState.DRAFT:
            await publisher.listing_updated(listing)
    return listing


async def change_state(
    publisher: MarketPublisher, account: Account, listing_id: int | str, state: str
) -> Listing:
    """Move a listing along :data:`TRANSITIONS`; ``Conflict`` names the allowed moves."""
    listing = await own_listing(account, listing_id)
    target = check.choice(ListingState, state, "state")
    if target == listing.state:
        return listing
    if target not in TRANSITIONS[listing.state]:
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[listing.state])) or "none"
        raise Conflict(
            f"A {listing.state.value} listing cannot become {target.value} (allowed: {allowed})."
        )
    first_publication = listing.published is None
    listing.state = target
    async with in_transaction():
        if first_publication:
            listing.published = clock.now()
        else:
            listing.edited_at = next_edit_time(listing)
        if target is ListingState.SOLD:
            listing.quantity = 0 if listing.quantity is not None else None
        await listing.save()
        if first_publication:
            await publisher.listing_published(listing)
        else:
            await publisher.listing_updated(listing)
    return listing


async def delete_listing(
    publisher: MarketPublisher, account: Account, listing_id: int | str
) -> list[str]:
    """Delete a listing; once published its id is tombstoned and ``Delete`` goes out.

    Returns the media file names the caller removes once the transaction committed.
    """
    listing = await own_listing(account, listing_id)
    files = [
        name
        for photo in await listing.photos.all()
        for name in (photo.file_name, photo.preview_name)
    ]
    async with in_transaction():
        if listing.published is not None:
            await publisher.listing_deleted(listing)
            await Tombstone.get_or_create(uri=listing.uri, defaults={"former_type": "Note"})
        await listing.delete()
    return files


async def listings_of_seller(seller: Actor, *, include_drafts: bool = False) -> list[Listing]:
    query = Listing.filter(seller_id=seller.id)
    if not include_drafts:
        query = query.exclude(state=ListingState.DRAFT)
    return await query.prefetch_related("seller", "shop").order_by("-id").limit(100)


def is_shop_actor(actor: Actor) -> bool:
    return actor.kind is ActorKind.ORGANIZATION
