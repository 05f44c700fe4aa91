"""Translations of the interface: Babel catalogs read straight from the ``.po`` files.

Catalogs live in ``web/i18n/<lang>/LC_MESSAGES/<domain>.po``, one gettext domain per area of the
site (``base``, ``accounts``, …) so each area owns its file. At start-up every domain of a language
is merged into one catalog; nothing compiled is committed. msgids are English sentences, so a
string missing from a catalog still shows, in English (a test fails when that happens).
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from node.config import LANGUAGES

CATALOG_DIR = Path(__file__).parent
RTL_LANGUAGES = frozenset({"ar"})
# Each language's name in itself, as the language switcher shows it.
LANGUAGE_NAMES = {
    "es": "Español",
    "pt": "Português",
    "en": "English",
    "fr": "Français",
    "ar": "العربية",
}
# The Babel locale of each language for dates, numbers and money: the European variants, as the
# network is in Spain and Portugal (pt means Portugal's Portuguese here, en British English).
BABEL_LOCALES = {"es": "es_ES", "pt": "pt_PT", "en": "en_GB", "fr": "fr_FR", "ar": "ar"}
# What separates the items of a list written inline ("bread, honey, oil"): Arabic uses its own
# comma. (CLDR's Arabic list patterns join with "و" only, not the comma people expect.)
LIST_SEPARATORS = {"ar": "، "}
# OpenGraph locales (language_TERRITORY) of the languages, for link previews.
OG_LOCALES = {"es": "es_ES", "pt": "pt_PT", "en": "en_GB", "fr": "fr_FR", "ar": "ar_AR"}

# CLDR's Arabic plural rule (zero, one, two, few = 3..10, many = 11..99, other). Babel writes
# "n%100>=0 && n%100<=2 ? 4" for "many" (babel#816), which would show the "many" form for 100.
ARABIC_PLURAL_FORMS = (
    "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : "
    "n%100>=11 ? 4 : 5);"
)


class CatalogError(ValueError):
    """A catalog cannot be used as it is (a bad plural rule, a syntax error)."""


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later, where the language is known."""
    return message


def catalog_paths(directory: Path = CATALOG_DIR) -> dict[str, list[Path]]:
    """The ``.po`` files of each supported language, sorted by domain name."""
    return {lang: sorted((directory / lang / "LC_MESSAGES").glob("*.po")) for lang in LANGUAGES}


def read_catalog(path: Path, language: str) -> Catalog:
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=language, domain=path.stem)
    if language == "ar" and catalog.plural_forms != ARABIC_PLURAL_FORMS:
        raise CatalogError(
            f"{path}: the Plural-Forms header must be {ARABIC_PLURAL_FORMS!r} "
            f"(got {catalog.plural_forms!r}; babel#816)"
        )
    return catalog


def _to_translations(catalog: Catalog) -> Translations:
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=catalog.domain)


def load_translations(directory: Path = CATALOG_DIR) -> dict[str, Translations]:
    """Every language's domains merged into one :class:`Translations`."""
    loaded: dict[str, Translations] = {}
    for lang, paths in catalog_paths(directory).items():
        merged: Translations | None = None
        for path in paths:
            translations = _to_translations(read_catalog(path, lang))
            if merged is None:
                merged = translations
            else:
                merged.merge(translations)
        loaded[lang] = merged or Translations()
    return loaded


@dataclass(frozen=True)
class Translator:
    """The interface language of one request (or one mail), with its timezone for dates."""

    language: str
    translations: Translations
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))

    @property
    def locale(self) -> str:
        """The Babel locale for formatting dates, numbers and money."""
        return BABEL_LOCALES.get(self.language, self.language)

    @property
    def list_separator(self) -> str:
        return LIST_SEPARATORS.get(self.language, ", ")

    @property
    def direction(self) -> str:
        return "rtl" if self.language in RTL_LANGUAGES else "ltr"

    def gettext(self, message: str, **params: Any) -> str:
        text: str = self.translations.gettext(message)
        return text % params if params else text

    def ngettext(self, singular: str, plural: str, n: int, **params: Any) -> str:
        text: str = self.translations.ngettext(singular, plural, n)
        return text % {"num": n, **params}


_active: ContextVar[Translator | None] = ContextVar("ruta_translator", default=None)


@contextmanager
def activate(translator: Translator) -> Iterator[Translator]:
    """Make ``translator`` the one templates use while rendering inside the block."""
    token = _active.set(translator)
    try:
        yield translator
    finally:
        _active.reset(token)


def active() -> Translator:
    translator = _active.get()
    if translator is None:
        raise RuntimeError("no language is active: render inside web.i18n.activate()")
    return translator


def parse_accept_language(header: str) -> list[str]:
    """Primary language subtags of an ``Accept-Language`` header, best first (q=0 dropped)."""
    weighted: list[tuple[float, int, str]] = []
    for index, item in enumerate(header.split(",")[:20]):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().split("-")[0].lower()
        if primary and quality > 0:
            weighted.append((-quality, index, primary))
    return [lang for _, _, lang in sorted(weighted)]


def negotiate(
    *,
    account_language: str | None,
    cookie: str | None,
    accept_language: str,
    default: str,
    supported: Mapping[str, object] | tuple[str, ...] = LANGUAGES,
) -> str:
    """The interface language: the account's choice, then the switcher's cookie, then the
    browser's ``Accept-Language``, then the node's default."""
    for candidate in (account_language, cookie):
        if candidate in supported:
            return str(candidate)
    for lang in parse_accept_language(accept_language):
        if lang in supported:
            return lang
    return default
