"""Shops: a member opens one (or several); each is an ``Organization`` actor that people on any
server can follow. Profile details become the actor's ``PropertyValue`` fields (FEDERATION.md
§5.1) so a Mastodon profile shows the address, the hours and the phone.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from node import clock
from node.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from node.models.accounts import Account
from node.models.actors import Actor, ActorKind
from node.models.market import Shop
from node.ports import Publisher
from node.services import text
from node.services.accounts.accounts import validate_display_name, validate_username
from node.services.market import fields as check
from node.services.market.taxonomy import category
from node.services.moderation import moderation
from node.services.social.actors import create_local_actor
from node.services.social.notes import urls_for
from node.urls import Urls

MAX_SHOPS_PER_ACCOUNT = 5
SUMMARY_MAX = 1000


@dataclass(frozen=True)
class ShopDetails:
    """What the owner says about the shop; None leaves a field as it is when editing."""

    display_name: str | None = None
    summary: str | None = None  # markdown
    address: str | None = None
    opening_hours: str | None = None
    phone: str | None = None
    website: str | None = None
    city: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    categories: list[str] | None = None
    languages: list[str] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _website(value: str) -> str | None:
    url = value.strip()
    if not url:
        return None
    if not url.startswith(("https://", "http://")) or len(url) > 2048 or " " in url:
        raise ValidationFailed.on("website", "The website is an address starting with https://.")
    return url


def _apply(shop: Shop, actor: Actor, details: ShopDetails, urls: Urls) -> None:
    if details.display_name is not None:
        shown = validate_display_name(details.display_name)
        actor.display_name = check.plain_line(shown, "display_name", max_chars=100)
    if details.summary is not None:
        source = details.summary.replace("\r\n", "\n").strip()
        if len(source) > SUMMARY_MAX:
            raise ValidationFailed.on("summary", f"At most {SUMMARY_MAX} characters.")
        # The owner's markdown is kept for the edit form; peers and pages get the HTML.
        actor.summary_source = source
        actor.summary = text.render_markdown(source, tag_url=urls.tag) if source else ""
    for name, limit in (("address", 300), ("opening_hours", 300), ("phone", 40), ("city", 100)):
        value = getattr(details, name)
        if value is not None:
            setattr(shop, name, check.plain_line(value, name, max_chars=limit, required=False))
    if details.website is not None:
        shop.website = _website(details.website)  # type: ignore[assignment]  # nullable column
    if details.latitude is not None or details.longitude is not None:
        shop.latitude, shop.longitude = check.coordinates(details.latitude, details.longitude)
    if details.categories is not None:
        shop.categories = list(dict.fromkeys(category(c).slug for c in details.categories[:10]))
    if details.languages is not None:
        shop.languages = [text.validate_local_language(code) for code in details.languages[:10]]
    actor.profile_fields = profile_fields(shop)


def profile_fields(shop: Shop) -> list[dict[str, str]]:
    """The shop's details as profile fields (values are HTML: Mastodon renders them so)."""
    rows: list[dict[str, str]] = []
    for label, value in (
        ("Dirección", shop.address),
        ("Horario", shop.opening_hours),
        ("Teléfono", shop.phone),
    ):
        if value:
            rows.append({"name": label, "value": html.escape(value)})
    if shop.website:
        shown = html.escape(shop.website.split("://", 1)[1].rstrip("/"))
        href = html.escape(shop.website, quote=True)
        rows.append({"name": "Web", "value": f'<a href="{href}" rel="me nofollow">{shown}</a>'})
    return rows


async def open_shop(urls: Urls, owner: Account, username: str, details: ShopDetails) -> Shop:
    """Open a shop: its ``Organization`` actor (keys, inbox, followers) and its details."""
    name = validate_username(username)
    if await Shop.filter(owner_id=owner.id).count() >= MAX_SHOPS_PER_ACCOUNT:
        raise Conflict(f"An account can run at most {MAX_SHOPS_PER_ACCOUNT} shops.")
    if await Actor.filter(local_username=name).exists():
        raise Conflict(f"The name {name!r} is already taken on this node.")
    shop = Shop(owner=owner)
    probe = Actor(display_name=name, summary="", profile_fields=[])
    _apply(shop, probe, details, urls)  # validate everything before generating keys
    try:
        async with in_transaction() as tx:
            actor = await create_local_actor(
                urls,
                kind=ActorKind.ORGANIZATION,
                username=name,
                display_name=probe.display_name or name,
                account=owner,
                summary=probe.summary,
                using_db=tx,
            )
            actor.profile_fields = probe.profile_fields
            actor.summary_source = probe.summary_source
            await actor.save(update_fields=["profile_fields", "summary_source"], using_db=tx)
            shop.actor = actor
            await shop.save(using_db=tx)
    except IntegrityError:
        raise Conflict(f"The name {name!r} was just taken.") from None
    return shop


async def get_shop(username: str) -> Shop:
    """A live local shop by its name."""
    shop = (
        await Shop.filter(
            actor__local_username=username.strip().lstrip("@").lower(), actor__gone_at__isnull=True
        )
        .first()
        .prefetch_related("actor")
    )
    if shop is None:
        raise NotFound(f"No shop named {username!r} here.")
    return shop


async def shops_of(owner: Account) -> list[Shop]:
    return await Shop.filter(owner_id=owner.id).prefetch_related("actor").order_by("id")


async def list_shops(limit: int = 40, before_id: int | None = None) -> list[Shop]:
    query = Shop.filter(actor__gone_at__isnull=True)
    if before_id is not None:
        query = query.filter(id__lt=before_id)
    return await query.prefetch_related("actor").order_by("-id").limit(limit)


async def owned_shop(owner: Account, username: str) -> Shop:
    shop = await get_shop(username)
    if shop.owner_id != owner.id:  # type: ignore[attr-defined]
        raise PermissionDenied("Only the shop's owner can do this.")
    return shop


async def edit_shop(
    publisher: Publisher, owner: Account, username: str, details: ShopDetails
) -> Shop:
    """Change a shop's details; its followers get ``Update{Organization}``."""
    shop = await owned_shop(owner, username)
    actor = shop.actor
    _apply(shop, actor, details, urls_for(actor))
    async with in_transaction():
        await shop.save()
        await actor.save()
        await publisher.actor_updated(actor)
    return shop


async def verify_shop(staff: Account, username: str, verified: bool = True) -> Shop:
    """Staff vouch for a shop (a badge on its pages and in the API), or stop vouching; the
    audit log keeps who did it. Doing it twice changes nothing and logs nothing more."""
    if not staff.role.moderates or staff.suspended_at is not None:
        raise PermissionDenied("Only city staff can verify shops.")
    shop = await get_shop(username)
    if (shop.verified_at is not None) == verified:
        return shop
    shop.verified_at = clock.now() if verified else None
    async with in_transaction():
        await shop.save(update_fields=["verified_at", "updated_at"])
        await moderation.log_action(
            staff, "shop_verified" if verified else "shop_unverified", f"@{username}"
        )
    return shop
