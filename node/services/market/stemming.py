"""Words as the search index and the search box see them: folded, Arabic normalised, stemmed.

A listing is indexed under its words and their stems in the listing's own language ("Cestas de
esparto" in Spanish: ``cestas cest de esparto``); a query word matches itself or its stem in any
language, because a buyer searches across cities and languages and we do not know which one
they type in. Stems come from the Snowball algorithms (``snowballstemmer``, pure Python) for
es, pt, en, fr and ar; before stemming, Arabic is normalised by hand (tashkeel, tatweel, alef
forms, ta marbuta, alef maqsura, the definite article) so spelling variants meet.

Why in Python for both backends rather than PostgreSQL's Snowball configurations: SQLite has
no stemmer, and one path feeding ``listing.search_text`` (which both indexes read) keeps the
results of SQLite and PostgreSQL identical, so a city moving between them finds the same.
"""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer  # type: ignore[import-untyped]  # no type information shipped

from node.services.market.fields import fold

# Bump when what the index holds for a listing changes (stemmer, normaliser, fields): nodes
# re-fill every listing's search_text once when they upgrade (search_schema).
INDEX_VERSION = 2

STEMMED_LANGUAGES = {
    "es": "spanish",
    "pt": "portuguese",
    "en": "english",
    "fr": "french",
    "ar": "arabic",
}
# Letters and digits; "_" separates words, as both engines' tokenizers do.
_TOKEN = re.compile(r"[^\W_]+")
_TATWEEL = "\u0640"
_ARABIC_LETTERS = str.maketrans(
    {
        "\u0671": "\u0627",  # alef wasla -> alef (hamza forms are folded by fold())
        "\u0622": "\u0627",  # alef madda (if not decomposed)
        "\u0623": "\u0627",
        "\u0625": "\u0627",
        "\u0629": "\u0647",  # ta marbuta -> ha
        "\u0649": "\u064a",  # alef maqsura -> ya
        "\u06cc": "\u064a",  # Persian ya (common on some keyboards) -> ya
        "\u0640": None,  # tatweel
    }
)
# The definite article and the one-letter particles written before it (wa-, bi-, ka-, fa-, li-).
_ARABIC_ARTICLES = ("\u0648\u0627\u0644", "\u0628\u0627\u0644", "\u0643\u0627\u0644",
                    "\u0641\u0627\u0644", "\u0644\u0644", "\u0627\u0644")  # fmt: skip


def normalise_arabic(word: str) -> str:
    """One Arabic word in one spelling: no tatweel, one alef, ta marbuta as ha, alef maqsura as
    ya, without the definite article when a stem of at least two letters remains
    (``"الْمَخْبَزَة"`` → ``"مخبزه"``). Other scripts pass through unchanged."""
    word = word.translate(_ARABIC_LETTERS)
    for article in _ARABIC_ARTICLES:
        if word.startswith(article) and len(word) - len(article) >= 2:
            return word[len(article) :]
    return word


def words_of(text: str) -> list[str]:
    """The words of a text, folded (lower case, no accents or tashkeel) and Arabic normalised."""
    return [normalise_arabic(w) for w in _TOKEN.findall(fold(text))]


@lru_cache(maxsize=len(STEMMED_LANGUAGES))
def _stemmer(language: str) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer(STEMMED_LANGUAGES[language])


@lru_cache(maxsize=200_000)
def stem(word: str, language: str) -> str:
    """The Snowball stem of a folded word in ``language`` (the word itself for a language
    without a stemmer). Cached: listings share a small vocabulary."""
    if language not in STEMMED_LANGUAGES:
        return word
    stemmed = str(_stemmer(language).stemWord(word))
    return stemmed or word


def stems_in_any_language(word: str) -> set[str]:
    """The word and its stem in each language we stem: what a query word may match."""
    return {word} | {stem(word, language) for language in STEMMED_LANGUAGES}


def index_text(parts: list[tuple[str, str | None]]) -> str:
    """The text the full-text index reads for ``(text, language)`` parts: every word once,
    followed by its stem in that language when it differs; a part of unknown language gets
    the stems of every language (any query stem then finds it)."""
    seen: dict[str, None] = {}
    for text, language in parts:
        languages = [language] if language in STEMMED_LANGUAGES else list(STEMMED_LANGUAGES)
        for word in words_of(text):
            seen.setdefault(word)
            for lang in languages:
                seen.setdefault(stem(word, lang))
    return " ".join(seen)
