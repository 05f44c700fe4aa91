"""A received listing's description: the lines written for text-only readers (title and price
first, city and hashtags last) are taken off, because the listing page shows those fields in
their own places; anything the seller wrote stays, whichever software sent it."""

from __future__ import annotations

from typing import Any

from federation.convert.listing_in import ap_to_listing_fields

TAG = (
    '<a href="https://lapalma.example/tags/Artesania" class="mention hashtag" rel="tag">'
    "#<span>Artesania</span></a>"
)


def listing(content: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "Note",
        "id": "https://lapalma.example/listings/7",
        "content": content,
        "location": {"type": "Place", "name": "Lepe"},
        **extra,
    }


def test_ruta_lines_around_the_description_are_taken_off() -> None:
    content = (
        "<p><strong>Cesta de esparto — 28,00 €</strong></p>"
        "<p>Tejida a mano, <strong>40 cm</strong>.</p>"
        f"<p>📍 Lepe {TAG}</p>"
    )
    fields = ap_to_listing_fields(listing(content, title="Cesta de esparto"))
    assert fields.description_html == "<p>Tejida a mano, <strong>40 cm</strong>.</p>"


def test_a_state_word_before_the_title_and_hashtags_without_a_city_are_recognised() -> None:
    content = (
        "<p><strong>Vendido · Cesta de esparto — 28,00 €</strong></p>"
        f"<p>Tejida a mano.</p><p>{TAG} {TAG}</p>"
    )
    fields = ap_to_listing_fields(listing(content, title="Cesta de esparto"))
    assert fields.description_html == "<p>Tejida a mano.</p>"


def test_what_the_seller_wrote_is_kept() -> None:
    content = (
        "<p><strong>Horario</strong></p>"  # bold, but not the title
        "<p>Tejida a mano.</p>"
        f"<p>📍 Calle Real 3, abierto de 9 a 14 {TAG}</p>"  # an address, not just the city
    )
    fields = ap_to_listing_fields(listing(content, title="Cesta de esparto"))
    assert fields.description_html == content
    words_and_tags = f"<p>Pide por mensaje {TAG}</p>"
    fields = ap_to_listing_fields(listing(words_and_tags, title="Cesta de esparto"))
    assert fields.description_html == words_and_tags


def test_a_listing_that_is_only_its_title_line_has_an_empty_description() -> None:
    fields = ap_to_listing_fields(
        listing("<p><strong>Cesta de esparto — 28,00 €</strong></p>", title="Cesta de esparto")
    )
    assert fields.title == "Cesta de esparto" and fields.description_html == ""
