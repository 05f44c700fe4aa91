"""Received listings: another Ruta node's §5.2 ``Note``, or FEP-0837 ``Note``/``Proposal``
objects from other software (Mitra, Epicyon, flohmarkt), in domain terms (``RemoteListing``).

Read tolerantly: every structured field is optional, a value of the wrong shape is dropped
rather than failing the whole listing. Ours carry ``ruta:`` terms (category, state…); others
are read from FEP-0837 terms, the location and the hashtags.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from federation import vocab
from federation.convert.listing import CURRENCY_ITEMS
from federation.convert.note import parse_datetime
from node.services.market.remote import RemoteListing
from node.services.text import plain_text

LISTING_TYPES = frozenset({"Note", "Proposal"})
_ITEM_CURRENCY = {item.rsplit("/", 1)[1]: code for code, item in CURRENCY_ITEMS.items()}
_URL_MAX = 2048


def is_listing(obj: Any) -> bool:
    """A ``Proposal``, or a ``Note`` carrying FEP-0837's ``purpose`` or ``publishes``."""
    if not isinstance(obj, Mapping):
        return False
    kind = vocab.type_of(obj)
    if kind == "Proposal":
        return True
    return kind == "Note" and (
        obj.get("purpose") in ("offer", "request") or isinstance(obj.get("publishes"), Mapping)
    )


def _number(value: Any) -> Decimal | None:
    if isinstance(value, Mapping):
        value = value.get("hasNumericalValue")
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() and number >= 0 else None


def _currency(reciprocal: Mapping[str, Any]) -> str | None:
    item = vocab.id_of(reciprocal.get("resourceConformsTo")) or ""
    return _ITEM_CURRENCY.get(item.rstrip("/").rsplit("/", 1)[-1])


def _float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _title(obj: Mapping[str, Any], content: str) -> str:
    for key in ("title", "name"):
        value = vocab.text(obj.get(key), 500)
        if value and value.strip():
            return value
    _, summary = vocab.language_map(obj, "summary")
    first = plain_text(content).split("\n", 1)[0] if content else ""
    return (summary or first or "").strip()[:500]


# The lines a listing's content carries for readers that show only the text (Mastodon), which a
# Ruta page shows in their own places: "Title — price" first, then city and hashtags last
# (federation.convert.listing.content_html).
_LEAD = re.compile(r"\s*<p>\s*<strong>(?P<line>(?:(?!</p>).)*)</strong>\s*</p>", re.S)
_FOOTER = re.compile(r"<p>(?P<line>(?:(?!<p>).)*)</p>\s*$", re.S)
_TAG_LINK = re.compile(r"<a\s[^>]*>\s*#(?:(?!</a>).)*</a>", re.S)


def _body(content: str, title: str, city: str) -> str:
    """The description part of ``content``: without a first line that repeats the title (and
    price), and without a closing line made only of hashtags and the listing's 📍 city."""
    body = content
    lead = _LEAD.match(body)
    if lead and title and title in plain_text(lead["line"]):
        body = body[lead.end() :]
    footer = _FOOTER.search(body)
    if footer:
        rest = plain_text(_TAG_LINK.sub("", footer["line"])).strip()
        tags = _TAG_LINK.search(footer["line"]) is not None
        if (tags and not rest) or (city and rest == f"📍 {city}"):
            body = body[: footer.start()]
    return body.strip()


def _photos(value: Any) -> tuple[dict[str, Any], ...]:
    out: list[dict[str, Any]] = []
    for item in vocab.as_list(value):
        if not isinstance(item, Mapping) or vocab.type_of(item) not in ("Image", "Document"):
            continue
        url = vocab.id_of(item.get("url")) if not isinstance(item.get("url"), list) else None
        if url is None or len(url) > _URL_MAX or vocab.host_of(url) is None:
            continue
        out.append(
            vocab.compact(
                [
                    ("url", url),
                    ("media_type", vocab.text(item.get("mediaType"), 100)),
                    (
                        "description",
                        vocab.text(item.get("name"), 1500) or vocab.text(item.get("summary"), 1500),
                    ),
                    ("blurhash", vocab.text(item.get("blurhash"), 100)),
                ]
            )
        )
    return tuple(out)


def _hashtags(value: Any) -> tuple[str, ...]:
    names = []
    for item in vocab.as_list(value):
        if vocab.type_of(item) == "Hashtag" and isinstance(item, Mapping):
            name = vocab.text(item.get("name"), 100)
            if name and name.strip("#"):
                names.append(name.lstrip("#"))
    return tuple(names)


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(v for v in vocab.as_list(value) if isinstance(v, str) and len(v) <= 40)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def ap_to_listing_fields(obj: Any) -> RemoteListing:
    """A received listing in domain terms; ``ValueError`` when it has no usable id."""
    if not isinstance(obj, Mapping):
        raise ValueError("a listing must be a JSON object")
    uri = vocab.id_of(obj.get("id"))
    if not uri or vocab.host_of(uri) is None or len(uri) > _URL_MAX:
        raise ValueError("a listing needs an http(s) id")
    language, mapped = vocab.language_map(obj, "content")
    content = vocab.text(obj.get("content")) or mapped or ""
    publishes = _mapping(obj.get("publishes"))
    reciprocal = _mapping(obj.get("reciprocal"))
    price = _number(reciprocal.get("resourceQuantity")) if reciprocal else None
    available = _number(publishes.get("availableQuantity"))
    location = _mapping(obj.get("location"))
    state = vocab.text(obj.get("listingState"), 20)
    if state is None and available == 0:
        state = "sold"
    url = vocab.id_of(obj.get("url")) if not isinstance(obj.get("url"), list) else None
    title = _title(obj, content)
    city = vocab.text(location.get("name"), 200) or ""
    return RemoteListing(
        uri=uri,
        title=title,
        url=url if url and len(url) <= _URL_MAX else None,
        description_html=_body(content, title, city),
        language=language,
        kind="service" if publishes.get("action") == "deliverService" else "product",
        purpose=str(obj.get("purpose")) if obj.get("purpose") in ("offer", "request") else "offer",
        price_cents=int(price * 100) if price is not None and price < 10**8 else None,
        currency=_currency(reciprocal) if reciprocal else None,
        price_kind=vocab.text(obj.get("priceKind"), 20),
        quantity=int(available) if available is not None and available < 10**7 else None,
        condition=vocab.text(obj.get("condition"), 20),
        category=vocab.text(obj.get("category"), 40),
        city=city,
        latitude=_float(location.get("latitude")),
        longitude=_float(location.get("longitude")),
        delivery=_strings(obj.get("delivery")),
        state=state,
        photos=_photos(obj.get("attachment")),
        hashtags=_hashtags(obj.get("tag")),
        published=parse_datetime(obj.get("published")),
        updated=parse_datetime(obj.get("updated")),
    )
