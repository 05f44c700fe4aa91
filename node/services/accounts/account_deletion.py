"""Deleting an account for good: what leaves the node, what other servers are told, and which
files are removed from the disk.

In one transaction, while followers and the servers that know the member are still on record:

- open orders end: those the member placed are withdrawn (a remote seller gets ``Undo{Offer}``,
  a local one a notification), those waiting for the member as seller are declined (a remote
  buyer gets ``Reject``, a local one a notification), as a marketplace does when a seller
  leaves. Orders the member placed stay with their sellers as a record; orders on the
  member's listings go with the listings (a remote buyer keeps its own copy);
- every published listing of the member and of their shops is tombstoned and federated as
  ``Delete{Tombstone}``; its pages then answer 410 (the object) and 404 (the HTML page) and it
  leaves the search with its row;
- every actor (the person and each shop ``Organization``) is federated as ``Delete{actor}`` and
  left as a stub without profile data (it keeps the keys that sign the deletes and the name
  from being taken, as Mastodon does); posts, follows, likes, boosts and blocks go.

After the commit the member's files go from the media directory: avatar, header, shop logo and
banner, listing photos and their previews, post pictures. A file that cannot be removed is
logged and left; the deletion itself already happened.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from node import clock
from node.models.accounts import Account
from node.models.actors import Actor
from node.models.market import Listing, ListingPhoto
from node.models.media import NoteMedia
from node.models.notifications import NotificationKind
from node.models.orders import Order, OrderState
from node.models.social import Announce, Block, Follow, Like, Note, Tombstone
from node.ports import MarketPublisher, OrderPublisher, Publisher
from node.services.accounts import passwords
from node.services.accounts.sessions import InvalidCredentials
from node.services.notifications import notify
from node.services.social import note_media
from node.urls import Urls

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeletionPorts:
    """The adapters a deletion talks through: the media files and the three publishers."""

    urls: Urls
    media_dir: Path
    social: Publisher
    market: MarketPublisher
    orders: OrderPublisher


async def delete_account(ports: DeletionPorts, account: Account, *, password: str) -> None:
    """Delete an account for good, confirmed with its password (see the module docstring).

    Reports the person filed stay with the moderators.
    """
    if not await passwords.verify_password(account.password_hash, password):
        raise InvalidCredentials()
    now = clock.now()
    async with in_transaction():
        actors = list(await Actor.filter(account_id=account.id))
        ids = [actor.id for actor in actors]
        listings = list(await Listing.filter(seller_id__in=ids, local=True).order_by("id"))
        files = await _files_of(ports.urls, actors, [listing.id for listing in listings])
        await _end_open_orders(ports.orders, ids)
        for listing in listings:
            if listing.published is not None:
                await ports.market.listing_deleted(listing)
        await Tombstone.bulk_create(
            [Tombstone(uri=li.uri, former_type="Note") for li in listings if li.published]
        )
        for actor in actors:
            await ports.social.actor_deleted(actor)
        await _remove_content(ids)
        await Listing.filter(id__in=[listing.id for listing in listings]).delete()
        await Tombstone.bulk_create(
            [Tombstone(uri=actor.uri, former_type=actor.kind.value) for actor in actors]
        )
        await Actor.filter(id__in=ids).update(
            account_id=None,
            display_name="",
            summary="",
            summary_source=None,
            icon_url=None,
            header_url=None,
            profile_fields=[],
            discoverable=False,
            indexable=False,
            gone_at=now,
        )
        await Account.filter(id=account.id).delete()
    remove_files(ports.media_dir, files)


async def _end_open_orders(publisher: OrderPublisher, actor_ids: list[int]) -> None:
    pending = await Order.filter(
        Q(buyer_id__in=actor_ids) | Q(seller_id__in=actor_ids), state=OrderState.PENDING
    ).prefetch_related("buyer", "seller")
    for order in pending:
        as_buyer = order.buyer_id in actor_ids  # type: ignore[attr-defined]
        state = OrderState.CANCELLED if as_buyer else OrderState.DECLINED
        await Order.filter(id=order.id).update(state=state, decided_at=clock.now())
        order.state = state
        if as_buyer:
            if order.seller.local:
                await notify(order.seller, NotificationKind.ORDER_CANCELLED, order.buyer, order.uri)
            else:
                await publisher.order_cancelled(order)
        elif order.buyer.local:
            await notify(order.buyer, NotificationKind.ORDER_DECLINED, order.seller, order.uri)
        else:
            await publisher.order_declined(order)


def _media_name(urls: Urls, url: str | None) -> str | None:
    prefix = urls.media("")
    return url[len(prefix) :] if url and url.startswith(prefix) else None


async def _files_of(urls: Urls, actors: list[Actor], listing_ids: list[int]) -> list[str]:
    """Every file under the media directory that belongs to these actors and listings."""
    names: list[str | None] = []
    for actor in actors:
        names += [_media_name(urls, actor.icon_url), _media_name(urls, actor.header_url)]
    for photo in await ListingPhoto.filter(listing_id__in=listing_ids):
        names += [photo.file_name, photo.preview_name]
    notes = await Note.filter(author_id__in=[a.id for a in actors]).values_list(
        "attachments", flat=True
    )
    for attachments in notes:
        items: list[Any] = attachments if isinstance(attachments, list) else []
        names += note_media.local_files(items)
        names += [_media_name(urls, i.get("url")) for i in items if isinstance(i, dict)]
    # Pictures uploaded through the API and never attached to a post.
    waiting = NoteMedia.filter(owner_id__in=[a.id for a in actors], note_id=None)
    names += [str(name) for name in await waiting.values_list("file", flat=True)]
    return sorted({name for name in names if name})


def remove_files(media_dir: Path, names: Iterable[str]) -> None:
    """Unlink each file; a name that is not a plain file name is skipped, and a failure is
    logged, never raised: the data they belonged to is already gone."""
    for name in names:
        if "/" in name or "\\" in name or name.startswith("."):
            log.warning("not removing media file with unsafe name %r", name)
            continue
        try:
            (media_dir / name).unlink(missing_ok=True)
        except OSError as exc:
            log.warning("could not remove media file %s: %s", name, exc)


async def _remove_content(actor_ids: list[int]) -> None:
    notes = await Note.filter(author_id__in=actor_ids).values("id", "uri", "in_reply_to_id")
    note_ids = {n["id"] for n in notes}
    # Counters of other people's notes lose what this account added to them.
    for parent_id in {n["in_reply_to_id"] for n in notes} - {None} - note_ids:
        replies = sum(1 for n in notes if n["in_reply_to_id"] == parent_id)
        await Note.filter(id=parent_id).update(reply_count=F("reply_count") - replies)
    liked = await Like.filter(actor_id__in=actor_ids).values_list("note_id", flat=True)
    await Note.filter(id__in=[i for i in liked if i not in note_ids]).update(
        like_count=F("like_count") - 1
    )
    boosted = await Announce.filter(actor_id__in=actor_ids).values_list("note_id", flat=True)
    await Note.filter(id__in=[i for i in boosted if i not in note_ids]).update(
        announce_count=F("announce_count") - 1
    )
    await Like.filter(actor_id__in=actor_ids).delete()
    await Announce.filter(actor_id__in=actor_ids).delete()
    await Follow.filter(Q(follower_id__in=actor_ids) | Q(target_id__in=actor_ids)).delete()
    await Block.filter(Q(actor_id__in=actor_ids) | Q(target_id__in=actor_ids)).delete()
    # A deleted post's id is never used again (serving answers 410 Gone for it).
    await Tombstone.bulk_create([Tombstone(uri=n["uri"], former_type="Note") for n in notes])
    await Note.filter(id__in=list(note_ids)).delete()
    # Attached uploads went with their notes; the waiting ones go with the account.
    await NoteMedia.filter(owner_id__in=actor_ids, note_id=None).delete()
