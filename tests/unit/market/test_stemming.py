"""Search words: plurals and other endings meet their singular in es, pt, en and fr; Arabic
spellings meet; a query word matches a listing's stem whatever language the listing is in; city
and node filters read what people type."""

from __future__ import annotations

import pytest

from node.services.market import places, search, stemming


def indexed(text: str, language: str | None) -> set[str]:
    return set(stemming.index_text([(text, language)]).split())


def found(query_word: str, text: str, language: str | None) -> bool:
    """Whether a listing with ``text`` would match ``query_word`` (not as a prefix)."""
    return bool(stemming.stems_in_any_language(query_word) & indexed(text, language))


@pytest.mark.parametrize(
    ("query", "text", "language"),
    [
        ("cestas", "Cesta de esparto", "es"),
        ("cesta", "Cestas de esparto", "es"),
        ("panaderías", "Panadería del barrio", "es"),
        ("fontaneros", "Fontanero urgente", "es"),
        ("cestos", "Cesto de palma", "pt"),
        ("laranjas", "Laranja do Algarve", "pt"),
        ("azulejo", "Azulejos pintados", "pt"),
        ("baskets", "Woven basket", "en"),
        ("cherries", "Fresh cherry jam", "en"),
        ("shoe", "Running shoes", "en"),
        ("paniers", "Panier en osier", "fr"),
        ("chevaux", "Cheval de bois", "fr"),
        ("bijou", "Bijoux faits main", "fr"),
    ],
)
def test_a_plural_or_singular_finds_the_other_form(query: str, text: str, language: str) -> None:
    assert found(stemming.words_of(query)[0], text, language)


def test_a_query_word_matches_a_listing_in_another_language_than_the_page() -> None:
    # A Portuguese listing found by a Spanish plural: the query's language is never known.
    assert found("cestas", "Cesto de palma", "pt")
    # A listing of unknown language (a remote server did not say) is stemmed in every language.
    assert found("paniers", "Panier en osier", None)


def test_unrelated_words_do_not_meet() -> None:
    assert not found("cestas", "Pantalón vaquero", "es")
    assert not found("mesa", "Mesón del pueblo", "es")


def test_arabic_spellings_meet() -> None:
    # tashkeel, tatweel, hamza on alef, ta marbuta, alef maqsura, the definite article
    assert stemming.words_of("الْمَخْبَزَةُ") == stemming.words_of("مخبزة") == ["مخبزه"]
    assert stemming.words_of("كتـــاب") == ["كتاب"]
    assert stemming.words_of("أحمد إسلام آخر") == ["احمد", "اسلام", "اخر"]
    assert stemming.words_of("على") == ["علي"]
    assert stemming.words_of("بالخبز والعسل") == ["خبز", "عسل"]
    assert found("السلال", "سلال من الخوص", "ar")
    assert found("مخبزة", "المَخبَزة الجديدة", "ar")


def test_words_are_folded_and_operators_never_reach_the_engine() -> None:
    assert search.terms_of('Café "OR" NEAR(a_b) *cesta-') == [
        "cafe",
        "or",
        "near",
        "a",
        "b",
        "cesta",
    ]


def test_the_last_word_matches_as_a_prefix_and_the_others_by_stem() -> None:
    groups = search.match_groups(search.terms_of("cestas panad"))
    (first, first_prefix), (_, last_prefix) = groups
    assert "cest" in first and first_prefix is None
    assert last_prefix == "panad"


@pytest.mark.parametrize(
    ("typed", "city", "matches"),
    [
        ("La Palma", "La Palma del Condado", True),
        ("la palma del condado", "La Palma del Condado", True),
        ("palos", "Palos de la Frontera", True),
        ("OLHAO", "Olhão", True),
        ("Seville", "Sevilla", True),
        ("Lisbon", "Lisboa", True),
        ("palma", "La Palma del Condado", False),
        ("Lepe", "Huelva", False),
    ],
)
def test_a_city_is_matched_by_the_start_of_its_name_or_another_name(
    typed: str, city: str, matches: bool
) -> None:
    key = places.city_key(city)
    assert any(key.startswith(p) for p in places.city_prefixes(typed)) is matches


@pytest.mark.parametrize(
    ("typed", "host"),
    [
        ("lapalma.test", ("lapalma.test", False)),
        ("LaPalma.Test.", ("lapalma.test", False)),
        ("https://lapalma.test/mercado", ("lapalma.test", False)),
        ("mercado@lapalma.test:8443", ("lapalma.test:8443", True)),
        ("faro.example:443", ("faro.example", False)),
    ],
)
def test_a_node_is_read_as_its_host_with_an_optional_port(
    typed: str, host: tuple[str, bool]
) -> None:
    assert places.node_host(typed) == host
