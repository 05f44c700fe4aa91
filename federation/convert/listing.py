"""Listings on the wire (FEDERATION.md §5.2): a ``Note`` carrying FEP-0837 terms.

Why a ``Note``: Mastodon renders only Note/Question and drops ``Proposal``. No ``name`` (GoToSocial
would turn it into a content warning): the title and price are the first line of ``content``.
Richer peers read the FEP-0837 terms (``purpose``, ``publishes``, ``reciprocal``) and ours in
the ``ruta:`` namespace (category, condition, state…), so another Ruta node stores the
structured listing, not only its text. Received listings are read in ``listing_in``.
"""

from __future__ import annotations

import html
from decimal import Decimal
from typing import Any

from federation.convert.listing_words import price_text, state_word, word
from federation.vocab import AS_CONTEXT, PUBLIC, Json, compact
from node import clock
from node.models.actors import Actor
from node.models.market import Listing, ListingKind, ListingPhoto, ListingPurpose, ListingState
from node.urls import Urls

# FEP-0837 (ValueFlows + OM2) and Mastodon terms, plus ours (schemas/context.jsonld), inline.
LISTING_TERMS: dict[str, Any] = {
    "om2": "http://www.ontology-of-units-of-measure.org/resource/om-2/",
    "vf": "https://w3id.org/valueflows/ont/vf#",
    "Intent": "vf:Intent",
    "action": "vf:action",
    "purpose": "vf:purpose",
    "unitBased": "vf:unitBased",
    "publishes": "vf:publishes",
    "reciprocal": "vf:reciprocal",
    "resourceConformsTo": {"@id": "vf:resourceConformsTo", "@type": "@id"},
    "resourceQuantity": "vf:resourceQuantity",
    "availableQuantity": "vf:availableQuantity",
    "hasUnit": "om2:hasUnit",
    "hasNumericalValue": "om2:hasNumericalValue",
    "sensitive": "as:sensitive",
    "Hashtag": "as:Hashtag",
    "toot": "http://joinmastodon.org/ns#",
    "blurhash": "toot:blurhash",
    "focalPoint": {"@container": "@list", "@id": "toot:focalPoint"},
    "ruta": "https://w3id.org/ruta/ns#",
    "title": "ruta:title",
    "category": "ruta:category",
    "condition": "ruta:condition",
    "priceKind": "ruta:priceKind",
    "delivery": "ruta:delivery",
    "listingState": "ruta:listingState",
}
LISTING_CONTEXT: list[Any] = [AS_CONTEXT, LISTING_TERMS]

# Wikidata items of the currencies we accept (FEP-0837 names currencies by IRI). Q4916 (euro)
# and Q4917 (US dollar) are the ones FEP-0837 and Epicyon use. The other six were checked on
# 2026-11-23 against several independent public currency tables that map ISO 4217 codes or
# countries to Wikidata items (country -> currency P38 lists, ISO code -> QID maps): each agreed
# with the id below, none contradicted it. Wikidata itself could not be queried from here, so
# they remain unverified at the source: confirm GBP, MAD, CHF, BRL, XOF and RON on wikidata.org
# (e.g. https://www.wikidata.org/wiki/Q200192 should read "Moroccan dirham") before relying on
# them for anything but display.
CURRENCY_ITEMS = {
    "EUR": "https://www.wikidata.org/wiki/Q4916",
    "USD": "https://www.wikidata.org/wiki/Q4917",
    "GBP": "https://www.wikidata.org/wiki/Q25224",
    "MAD": "https://www.wikidata.org/wiki/Q200192",
    "CHF": "https://www.wikidata.org/wiki/Q25344",
    "BRL": "https://www.wikidata.org/wiki/Q173117",
    "XOF": "https://www.wikidata.org/wiki/Q861690",
    "RON": "https://www.wikidata.org/wiki/Q131645",
}
MAX_IMAGES = 4  # Mastodon shows four


def listing_audience(seller: Actor, group: Actor | None) -> tuple[list[str], list[str]]:
    followers = seller.followers_url or seller.uri + "/followers"
    return [PUBLIC], [followers, *([group.uri] if group is not None else [])]


def first_line(listing: Listing) -> str:
    """``<p><strong>[STATE · ]Title — price</strong></p>`` in the listing's language."""
    language = listing.language
    price = price_text(listing.price_kind, listing.price_cents, listing.currency, language)
    title = html.escape(listing.title, quote=False)
    if listing.purpose is ListingPurpose.REQUEST:
        title = f"{word(language, 'wanted')}: {title}"
    state = state_word(listing.state, language)
    prefix = f"{state} · " if state else ""
    return f"<p><strong>{prefix}{title} — {html.escape(price, quote=False)}</strong></p>"


def content_html(listing: Listing, urls: Urls) -> str:
    tags = " ".join(
        f'<a href="{html.escape(urls.tag(t))}" class="mention hashtag" rel="tag">#<span>'
        f"{html.escape(t, quote=False)}</span></a>"
        for t in listing.tags or []
    )
    place = f"📍 {html.escape(listing.city, quote=False)} " if listing.city else ""
    footer = f"<p>{place}{tags}</p>" if place or tags else ""
    return first_line(listing) + (listing.description_html or "") + footer


def _quantity(value: int | Decimal | str) -> Json:
    return {"hasUnit": "one", "hasNumericalValue": str(value)}


def _publishes(listing: Listing) -> Json:
    available = 0 if listing.state is ListingState.SOLD else listing.quantity
    return compact(
        [
            ("type", "Intent"),
            ("id", listing.uri + "#primary"),
            (
                "action",
                "deliverService" if listing.kind is ListingKind.SERVICE else "transfer",
            ),
            ("resourceQuantity", _quantity(1)),
            ("availableQuantity", _quantity(available) if available is not None else None),
        ]
    )


def _reciprocal(listing: Listing) -> Json | None:
    if listing.price_cents is None:
        return None
    amount = (Decimal(listing.price_cents) / 100).quantize(Decimal("0.01"))
    return compact(
        [
            ("type", "Intent"),
            ("id", listing.uri + "#reciprocal"),
            ("action", "transfer"),
            ("resourceConformsTo", CURRENCY_ITEMS.get(listing.currency)),
            ("resourceQuantity", _quantity(amount)),
        ]
    )


def _image(photo: ListingPhoto, urls: Urls) -> Json:
    alt = photo.alt_text or None
    return compact(
        [
            ("type", "Image"),
            ("mediaType", photo.media_type),
            ("url", urls.media(photo.file_name)),
            ("name", alt),  # alt text in both: Mastodon reads name, others summary
            ("summary", alt),
            ("width", photo.width),
            ("height", photo.height),
            ("blurhash", photo.blurhash or None),
        ]
    )


def _location(listing: Listing) -> Json | None:
    if not listing.city and listing.latitude is None:
        return None
    return compact(
        [
            ("type", "Place"),
            ("name", listing.city or None),
            ("latitude", listing.latitude),
            ("longitude", listing.longitude),
        ]
    )


def listing_to_ap(
    listing: Listing,
    seller: Actor,
    photos: list[ListingPhoto],
    urls: Urls,
    *,
    group: Actor | None = None,
    with_context: bool = True,
    default_language: str | None = None,
) -> Json:
    """A local listing as the ``Note`` of §5.2 (served at its id, embedded in Create/Update)."""
    to, cc = listing_audience(seller, group)
    language = listing.language or default_language
    content = content_html(listing, urls)
    published = listing.published or listing.created_at
    return compact(
        [
            ("@context", LISTING_CONTEXT if with_context else None),
            ("id", listing.uri),
            ("type", "Note"),
            ("attributedTo", seller.uri),
            ("to", to),
            ("cc", cc),
            ("audience", group.uri if group is not None else None),
            ("published", clock.isoformat(published) if published else None),
            ("updated", clock.isoformat(listing.edited_at) if listing.edited_at else None),
            ("url", listing.url or listing.uri),
            ("content", content),
            ("contentMap", {language: content} if language else None),
            ("sensitive", False),
            ("attachment", [_image(p, urls) for p in photos[:MAX_IMAGES]] or None),
            (
                "tag",
                [{"type": "Hashtag", "name": f"#{t}", "href": urls.tag(t)} for t in listing.tags]
                or None,
            ),
            ("location", _location(listing)),
            ("purpose", listing.purpose.value),
            ("unitBased", listing.quantity is not None),
            ("publishes", _publishes(listing)),
            ("reciprocal", _reciprocal(listing)),
            ("title", listing.title),
            ("category", listing.category),
            ("condition", listing.condition.value if listing.condition else None),
            ("priceKind", listing.price_kind.value),
            ("delivery", list(listing.delivery or []) or None),
            ("listingState", listing.state.value),
        ]
    )
