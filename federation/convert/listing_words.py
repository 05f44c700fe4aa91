"""The few words a listing's first line needs in each language (prices are formatted by Babel).

The federated text is written in the listing's language, so a Mastodon reader sees "Gratis" or
"Free" as the seller wrote it; the web catalogs are not reachable from here (adapters do not
import each other) and these words are part of the wire format, not of the interface.
"""

from __future__ import annotations

from babel.numbers import format_currency

from node.models.market import ListingState, PriceKind

_LOCALES = {"es": "es_ES", "pt": "pt_PT", "en": "en_GB", "fr": "fr_FR", "ar": "ar"}

WORDS: dict[str, dict[str, str]] = {
    "es": {"free": "Gratis", "on_request": "Precio a consultar", "negotiable": "negociable",
           "wanted": "Se busca", "sold": "VENDIDO", "reserved": "RESERVADO", "closed": "CERRADO"},
    "pt": {"free": "Grátis", "on_request": "Preço sob consulta", "negotiable": "negociável",
           "wanted": "Procura-se", "sold": "VENDIDO", "reserved": "RESERVADO", "closed": "FECHADO"},
    "en": {"free": "Free", "on_request": "Price on request", "negotiable": "negotiable",
           "wanted": "Wanted", "sold": "SOLD", "reserved": "RESERVED", "closed": "CLOSED"},
    "fr": {"free": "Gratuit", "on_request": "Prix sur demande", "negotiable": "négociable",
           "wanted": "Recherche", "sold": "VENDU", "reserved": "RÉSERVÉ", "closed": "FERMÉ"},
    "ar": {"free": "مجاناً", "on_request": "السعر عند الطلب", "negotiable": "قابل للتفاوض",
           "wanted": "مطلوب", "sold": "تم البيع", "reserved": "محجوز", "closed": "مغلق"},
}  # fmt: skip


def word(language: str | None, key: str) -> str:
    return WORDS.get(language or "es", WORDS["es"])[key]


def price_text(
    price_kind: PriceKind, price_cents: int | None, currency: str, language: str | None
) -> str:
    """``3,00 €``, ``Gratis``, ``25,00 € (negociable)``, ``Precio a consultar``."""
    if price_kind is PriceKind.FREE:
        return word(language, "free")
    if price_cents is None:
        return word(language, "on_request")
    amount = format_currency(
        price_cents / 100, currency, locale=_LOCALES.get(language or "es", "es_ES")
    )
    if price_kind is PriceKind.NEGOTIABLE:
        return f"{amount} ({word(language, 'negotiable')})"
    return amount


def state_word(state: ListingState, language: str | None) -> str | None:
    """The word prepended to the first line once a listing is no longer simply for sale."""
    if state in (ListingState.SOLD, ListingState.RESERVED, ListingState.CLOSED):
        return word(language, state.value)
    return None
