"""What a seller types into a listing, checked field by field and as a whole, then applied to
the row with what follows from it (rendered description, hashtags, search text)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from node.errors import ValidationFailed
from node.models.market import Condition, Listing, ListingKind, ListingPurpose, PriceKind
from node.services import hashtags, text
from node.services.market import fields as check
from node.services.market.search import index_listing
from node.services.market.taxonomy import category
from node.urls import Urls

# Optional details a seller may remove again; None cannot say so (it means "unchanged").
CLEARABLE: Final = frozenset({"city", "condition", "quantity", "latitude", "longitude"})


@dataclass(frozen=True)
class ListingInput:
    """What a seller sends. On edit, None means "leave as it is"; the names in ``clear``
    (some of :data:`CLEARABLE`) are emptied instead."""

    title: str | None = None
    description: str | None = None  # markdown
    kind: str | None = None
    purpose: str | None = None
    price_cents: int | None = None
    currency: str | None = None
    price_kind: str | None = None
    quantity: int | None = None
    condition: str | None = None
    category: str | None = None
    city: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    delivery: list[str] | None = None
    language: str | None = None
    clear: frozenset[str] = field(default_factory=frozenset)

    def changes_nothing(self) -> bool:
        return not self.clear and all(
            getattr(self, name) is None for name in self.__dataclass_fields__ if name != "clear"
        )


def apply_input(listing: Listing, data: ListingInput, urls: Urls) -> None:
    """Validate ``data`` onto ``listing``; raises the first problem as a field error."""
    _clear(listing, data.clear)
    if data.title is not None:
        listing.title = check.plain_line(data.title, "title", max_chars=check.TITLE_MAX)
    if data.description is not None:
        source = data.description.replace("\r\n", "\n").strip()
        if len(source) > check.DESCRIPTION_MAX:
            raise ValidationFailed.on(
                "description",
                f"At most {check.DESCRIPTION_MAX} characters; this has {len(source)}.",
            )
        listing.description_source = source
        listing.description_html = text.render_markdown(source, tag_url=urls.tag) if source else ""
    if data.kind is not None:
        listing.kind = check.choice(ListingKind, data.kind, "kind")
    if data.purpose is not None:
        listing.purpose = check.choice(ListingPurpose, data.purpose, "purpose")
    if data.price_kind is not None:
        listing.price_kind = check.choice(PriceKind, data.price_kind, "price_kind")
    if data.price_cents is not None:
        listing.price_cents = check.price_cents(data.price_cents)
    if data.currency is not None:
        listing.currency = check.currency(data.currency)
    if data.quantity is not None:
        listing.quantity = check.quantity(data.quantity)
    if data.condition is not None:
        listing.condition = check.choice(Condition, data.condition, "condition")
    if data.category is not None:
        listing.category = category(data.category).slug
    if data.city is not None:
        listing.city = check.plain_line(data.city, "city", max_chars=check.CITY_MAX, required=False)
    if data.latitude is not None or data.longitude is not None:
        listing.latitude, listing.longitude = check.coordinates(data.latitude, data.longitude)
    if data.delivery is not None:
        listing.delivery = check.delivery(data.delivery)
    if data.language is not None:
        listing.language = text.validate_local_language(data.language)
    _check_whole(listing)
    listing.tags = _hashtags(listing)
    listing.hashtag_keys = hashtags.keys_text(listing.tags)
    index_listing(listing)


def _clear(listing: Listing, names: frozenset[str]) -> None:
    unknown = names - CLEARABLE
    if unknown:
        raise ValidationFailed.on(sorted(unknown)[0], "This field cannot be emptied.")
    if "city" in names:
        listing.city = ""
    if "condition" in names:
        listing.condition = None  # type: ignore[assignment]  # nullable column
    if "quantity" in names:
        listing.quantity = None
    if names & {"latitude", "longitude"}:  # a place has both or neither
        listing.latitude = listing.longitude = None


def _check_whole(listing: Listing) -> None:
    """Rules across fields, once every field is valid on its own."""
    if not listing.title:
        raise ValidationFailed.on("title", "Give the listing a title.")
    if not listing.category:
        raise ValidationFailed.on("category", "Choose a category.")
    if listing.price_kind is PriceKind.FIXED and listing.price_cents is None:
        raise ValidationFailed.on("price_cents", "A fixed price needs an amount (in cents).")
    if listing.price_kind in (PriceKind.FREE, PriceKind.ON_REQUEST):
        listing.price_cents = None
    if listing.kind is ListingKind.SERVICE and listing.condition is not None:
        raise ValidationFailed.on("condition", "Condition applies to goods, not to services.")


def _hashtags(listing: Listing) -> list[str]:
    tags = [category(listing.category).hashtag]
    if listing.city and (city_tag := check.hashtag_of(listing.city)):
        tags.append(city_tag)
    tags += text.extract_hashtags(listing.description_source or "")
    # One spelling per tag: "#Almonte" from the city and "#almonte" in the text are one.
    unique: dict[str, str] = {}
    for tag in tags:
        unique.setdefault(hashtags.normalise(tag), tag)
    return list(unique.values())[:20]
