"""Translated labels of the marketplace pages (enum values → msgids) and the form errors.

The services speak English; a page shows a field's advice in the visitor's language instead.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from babel import numbers as babel_numbers

from node.errors import ValidationFailed
from node.models.market import Listing, ListingState, PriceKind
from node.services.market.taxonomy import CATEGORIES
from web.i18n import N_, Translator

STATE_LABELS = {
    ListingState.DRAFT: N_("Draft"),
    ListingState.RESERVED: N_("Reserved"),
    ListingState.SOLD: N_("Sold"),
    ListingState.CLOSED: N_("No longer available"),
}
DELIVERY_LABELS = {
    "pickup": N_("Pickup"),
    "local_delivery": N_("Local delivery"),
    "shipping": N_("Shipping"),
}
CONDITION_LABELS = {
    "new": N_("Brand new"),
    "like_new": N_("Like new"),
    "good": N_("Good"),
    "fair": N_("Fair"),
    "for_parts": N_("For parts"),
}
PRICE_KIND_LABELS = {
    "fixed": N_("Fixed price"),
    "negotiable": N_("Negotiable price"),
    "free": N_("Free"),
    "on_request": N_("Price on request"),
}
KIND_LABELS = {"product": N_("Product"), "service": N_("Service")}
PURPOSE_LABELS = {"offer": N_("I offer"), "request": N_("I am looking for")}
SORT_LABELS = {
    "newest": N_("Newest first"),
    "price_asc": N_("Lowest price first"),
    "price_desc": N_("Highest price first"),
    "distance": N_("Nearest first"),
}

_ADVICE = {
    "title": N_("Write a title of at most 140 characters, without HTML."),
    "description": N_("Write at most 5000 characters."),
    "price": N_("Write the price as a number, such as 12.50."),
    "price_cents": N_("Write the price as a number, such as 12.50."),
    "category": N_("Choose a category."),
    "condition": N_("Condition applies to goods, not to services."),
    "quantity": N_("Write a whole number, 0 or more."),
    "city": N_("Write the place in at most 100 characters, without HTML."),
    "latitude": N_("Give both latitude and longitude (numbers), or neither."),
    "longitude": N_("Give both latitude and longitude (numbers), or neither."),
    "file": N_(
        "This file is not a photo we can read. Send a JPEG, PNG or WebP image of at most 10 MB."
    ),
    "alt": N_("Describe the photo in at most 1500 characters."),
    "username": N_("Use 1 to 30 characters: letters a–z, digits and _. Some names are reserved."),
    "display_name": N_("Use at most 100 characters."),
    "website": N_("The website is an address starting with https://."),
    "phone": N_("Write the phone number in at most 40 characters."),
    "address": N_("Write at most 300 characters, without HTML."),
    "opening_hours": N_("Write at most 300 characters, without HTML."),
    "summary": N_("Write at most 1000 characters."),
}  # fmt: skip
# Errors whose own words help more than a field's general advice.
PHOTO_LIMIT = N_("A listing can have at most 8 photos.")
NAME_TAKEN = N_("This name is taken. Try another one.")
TOO_MANY_SHOPS = N_("An account can run at most 5 shops.")
STATE_REFUSED = N_("This change is not possible in the listing's current state.")


def form_errors(exc: ValidationFailed, t: Translator) -> dict[str, str]:
    """``{field: translated advice}``, the first per field; photo errors go to ``file``."""
    errors: dict[str, str] = {}
    for error in exc.errors or []:
        name = "price" if error.field == "price_cents" else error.field
        if name in errors:
            continue
        if name == "file" and "at most" in error.message and "photos" in error.message:
            errors[name] = t.gettext(PHOTO_LIMIT)
        else:
            errors[name] = t.gettext(_ADVICE.get(name) or N_("Check this field."))
    if not errors:
        errors["form"] = t.gettext(N_("Check what you entered and try again."))
    return errors


def parse_price(value: str) -> int | None:
    """Cents from what a person types (``12``, ``12.5``, ``12,50``); empty is no price."""
    text = value.strip().replace(" ", "").replace("€", "")
    if not text:
        return None
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValidationFailed.on("price", "Not a number.") from None
    if not amount.is_finite() or amount < 0 or amount > 10_000_000:
        raise ValidationFailed.on("price", "Out of range.")
    return int((amount * 100).to_integral_value())


def parse_number(value: str, field: str) -> float | None:
    text = value.strip().replace(",", ".")
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise ValidationFailed.on(field, "Not a number.") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValidationFailed.on(field, "Not a number.")
    return number


def parse_int(value: str, field: str) -> int | None:
    text = value.strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 9:
        raise ValidationFailed.on(field, "Not a whole number.")
    return int(text)


def category_options(language: str) -> list[tuple[str, str]]:
    """(slug, label) of every category in the page's language."""
    return [(c.slug, c.label(language)) for c in CATEGORIES]


def price_text(listing: Listing, t: Translator) -> str:
    """The price as a page or a feed shows it, formatted for the visitor's locale."""
    if listing.price_kind is PriceKind.FREE:
        return t.gettext(N_("Free"))
    if listing.price_cents is None:
        return t.gettext(N_("Price on request"))
    shown = babel_numbers.format_currency(
        Decimal(listing.price_cents) / 100, listing.currency, locale=t.locale
    )
    if listing.price_kind is PriceKind.NEGOTIABLE:
        return f"{shown} ({t.gettext(N_('negotiable'))})"
    return str(shown)
