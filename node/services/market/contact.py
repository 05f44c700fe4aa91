"""Contacting a listing's seller, keeping listings to find again, and reporting a listing.

Contacting writes a direct message about the listing (``about`` = the listing's id, sent as
``inReplyTo``): writing again about the same listing lands in the same conversation. It reaches
a seller on another Ruta node or on Mastodon like any direct note (FEDERATION.md §5.9).
"""

from __future__ import annotations

from contextlib import suppress

from tortoise.exceptions import IntegrityError

from node.errors import Conflict, ValidationFailed
from node.ids import parse_id
from node.models.accounts import Account
from node.models.actors import Actor
from node.models.market import Listing
from node.models.messages import Conversation
from node.models.moderation import Report
from node.models.orders import SavedListing
from node.ports import Publisher
from node.services.accounts.accounts import person_actor
from node.services.market.listings import PUBLIC_STATES, get_listing
from node.services.social import messages
from node.urls import Urls

MAX_REPORT_COMMENT = 1000
SAVED_SHOWN = 100


async def _seller(listing: Listing) -> Actor:
    seller = listing.seller
    if not isinstance(seller, Actor):
        seller = await Actor.get(id=listing.seller_id)
    return seller


async def contact_seller(
    publisher: Publisher,
    urls: Urls,
    account: Account,
    listing_id: int | str,
    *,
    message: str,
    language: str,
) -> Conversation:
    """Write to the listing's seller about it; the conversation about this listing with this
    seller is reused when there is one."""
    listing = await get_listing(listing_id, account)
    seller = await _seller(listing)
    if seller.account_id == account.id:  # type: ignore[attr-defined]
        raise Conflict("This is your own listing.")
    if seller.gone_at is not None or seller.suspended_at is not None:
        raise Conflict("This seller cannot be reached any more.")
    if not message.strip():
        raise ValidationFailed.on("message", "Write a message for the seller.")
    author = await person_actor(account)
    return await messages.start_conversation(
        publisher,
        author,
        to=[seller],
        content=message,
        language=language,
        about_uri=listing.uri,
        urls=urls,
    )


async def save_listing(account: Account, listing_id: int | str) -> Listing:
    """Keep a listing (idempotent)."""
    listing = await get_listing(listing_id, account)
    with suppress(IntegrityError):  # saved at the same moment by another request
        await SavedListing.get_or_create(account_id=account.id, listing_id=listing.id)
    return listing


async def unsave_listing(account: Account, listing_id: int | str) -> None:
    """Forget a kept listing (idempotent; an unknown listing is simply not kept)."""
    number = parse_id(listing_id)
    if number is not None:
        await SavedListing.filter(account_id=account.id, listing_id=number).delete()


async def saved_listings(account: Account) -> list[Listing]:
    """The listings the account keeps, the latest kept first (drafts of others never)."""
    rows = (
        await SavedListing.filter(account_id=account.id, listing__state__in=list(PUBLIC_STATES))
        .prefetch_related("listing__seller", "listing__shop")
        .order_by("-id")
        .limit(SAVED_SHOWN)
    )
    return [row.listing for row in rows]


async def is_saved(account: Account, listing: Listing) -> bool:
    return await SavedListing.exists(account_id=account.id, listing_id=listing.id)


async def report_listing(
    account: Account, listing_id: int | str, *, comment: str, forward: bool = False
) -> Report:
    """Report a listing to this node's moderators: the seller is the reported account and the
    listing's id the reported object, as for a post."""
    listing = await get_listing(listing_id, account)
    seller = await _seller(listing)
    reporter = await person_actor(account)
    if seller.account_id == account.id:  # type: ignore[attr-defined]
        raise ValidationFailed.on("comment", "You cannot report your own listing.")
    value = comment.strip()
    if not value:
        raise ValidationFailed.on("comment", "Tell the team what is wrong.")
    if len(value) > MAX_REPORT_COMMENT:
        raise ValidationFailed.on("comment", f"Write at most {MAX_REPORT_COMMENT} characters.")
    return await Report.create(
        reporter=reporter,
        target=seller,
        object_uris=[listing.uri],
        comment=value,
        forward_requested=bool(forward and not seller.local),
    )
