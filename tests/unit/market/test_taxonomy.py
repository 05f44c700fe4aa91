"""The category taxonomy: its labels in the web catalogs match the domain's, in every language."""

from __future__ import annotations

import pytest

from node.config import LANGUAGES
from node.errors import ValidationFailed
from node.services.market import fields
from node.services.market.taxonomy import BY_SLUG, CATEGORIES, category, category_by_hashtag
from web import i18n


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_market_catalog_translates_every_category_as_the_domain_does(language: str) -> None:
    path = next(p for p in i18n.catalog_paths()[language] if p.stem == "market")
    catalog = i18n.read_catalog(path, language)
    for item in CATEGORIES:
        entry = catalog.get(item.labels["en"])
        assert entry is not None and not entry.fuzzy, item.slug
        assert entry.string == item.labels[language], (language, item.slug)


def test_slugs_and_hashtags_are_unique_and_unknown_slugs_name_the_choices() -> None:
    assert len(BY_SLUG) == len(CATEGORIES)
    assert len({c.hashtag.lower() for c in CATEGORIES}) == len(CATEGORIES)
    assert category(" FOOD ").slug == "food"
    with pytest.raises(ValidationFailed, match="use one of food, crafts"):
        category("weapons")
    assert category_by_hashtag("#artesania") is BY_SLUG["crafts"]


def test_folding_removes_case_and_accents_in_every_script_we_write() -> None:
    assert fields.fold("Panadería ÑANDÚ Çà") == "panaderia nandu ca"
    assert fields.fold("الطعام") == "الطعام"
    assert fields.hashtag_of("La Palma del Condado") == "LaPalmaDelCondado"
    assert fields.hashtag_of("Palos de la Frontera") == "PalosDeLaFrontera"


@pytest.mark.parametrize(
    "title",
    ["<script>alert(1)</script>", "Pan <b>rico</b>", "Pan &lt;", "javascript:alert(1)", "a\x00b"],
)
def test_titles_with_markup_or_control_characters_are_refused(title: str) -> None:
    with pytest.raises(ValidationFailed, match="plain text"):
        fields.plain_line(title, "title", max_chars=140)


def test_prices_are_whole_non_negative_cents() -> None:
    assert fields.price_cents(0) == 0
    for bad in (-1, True, 10**12):
        with pytest.raises(ValidationFailed):
            fields.price_cents(bad)  # type: ignore[arg-type]
