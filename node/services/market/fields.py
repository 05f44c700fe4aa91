"""Checking what a seller types into a listing: each problem is a field error a person can fix.

Plain-text fields (title, city) refuse markup outright rather than silently dropping it: a title
with ``<script>`` in it is a mistake or an attack, and either way the seller should know.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from enum import StrEnum
from typing import TypeVar

from node.errors import ValidationFailed

TITLE_MAX = 140
CITY_MAX = 100
DESCRIPTION_MAX = 5000
# Ten million euros in cents: above that it is a typo (and it keeps BIGINT arithmetic safe).
PRICE_MAX_CENTS = 1_000_000_000
QUANTITY_MAX = 1_000_000
CURRENCIES = frozenset({"EUR", "USD", "GBP", "MAD", "CHF", "BRL", "XOF", "RON"})

_MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!?]|&#?\w+;|javascript:", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

E = TypeVar("E", bound=StrEnum)


class DeliveryOption(StrEnum):
    PICKUP = "pickup"
    LOCAL_DELIVERY = "local_delivery"
    SHIPPING = "shipping"


def plain_line(value: str, field: str, *, max_chars: int, required: bool = True) -> str:
    """One line of plain text: trimmed, no markup, no control characters, not too long."""
    if not isinstance(value, str):
        raise ValidationFailed.on(field, "Write this as text.")
    text = " ".join(value.split())
    if required and not text:
        raise ValidationFailed.on(field, "This cannot be empty.")
    if _MARKUP.search(text) or _CONTROL.search(text):
        raise ValidationFailed.on(
            field, "Write plain text here: HTML tags and scripts are not allowed."
        )
    if len(text) > max_chars:
        raise ValidationFailed.on(field, f"At most {max_chars} characters; this has {len(text)}.")
    return text


def choice(enum: type[E], value: str, field: str) -> E:
    try:
        return enum(value)
    except ValueError:
        names = ", ".join(v.value for v in enum)
        raise ValidationFailed.on(field, f"{value!r} is not valid: use one of {names}.") from None


def price_cents(value: int | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed.on("price_cents", "The price is a whole number of cents.")
    if value < 0:
        raise ValidationFailed.on("price_cents", "The price cannot be negative.")
    if value > PRICE_MAX_CENTS:
        raise ValidationFailed.on("price_cents", "The price is too high; check the number.")
    return value


def currency(value: str) -> str:
    code = value.strip().upper() if isinstance(value, str) else ""
    if code not in CURRENCIES:
        raise ValidationFailed.on(
            "currency", f"Currency must be one of {', '.join(sorted(CURRENCIES))}."
        )
    return code


def quantity(value: int | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationFailed.on("quantity", "The quantity is a whole number, 0 or more.")
    if value > QUANTITY_MAX:
        raise ValidationFailed.on("quantity", f"At most {QUANTITY_MAX} units.")
    return value


def coordinates(lat: float | None, lon: float | None) -> tuple[float | None, float | None]:
    if lat is None and lon is None:
        return None, None
    if lat is None or lon is None:
        raise ValidationFailed.on("latitude", "Give both latitude and longitude, or neither.")
    if not -90 <= lat <= 90:
        raise ValidationFailed.on("latitude", "Latitude is between -90 and 90.")
    if not -180 <= lon <= 180:
        raise ValidationFailed.on("longitude", "Longitude is between -180 and 180.")
    return round(float(lat), 6), round(float(lon), 6)


def delivery(values: Iterable[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        option = choice(DeliveryOption, value, "delivery").value
        if option not in out:
            out.append(option)
    return out


def fold(text: str) -> str:
    """Lower case without accents: ``"Panadería Ñ"`` → ``"panaderia n"`` (search matching)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def hashtag_of(name: str) -> str:
    """A place or phrase as a hashtag: ``"La Palma del Condado"`` → ``"LaPalmaDelCondado"``."""
    words = re.findall(r"\w+", fold(name))
    return "".join(w[:1].upper() + w[1:] for w in words)
