"""Catalogs: complete in every language, placeholders intact, Arabic plurals right (babel#816);
language negotiation; localised dates, numbers and money; RTL-ready CSS and CSP-clean templates."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from babel.messages.extract import extract_from_dir

from node.config import LANGUAGES
from web import i18n
from web.i18n import ARABIC_PLURAL_FORMS, CatalogError, Translator, negotiate
from web.rendering import format_currency, format_date, format_datetime, format_number

WEB = Path(__file__).parents[3] / "web"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
_JINJA = ("jinja2.ext:babel_extract", {"extensions": "jinja2.ext.i18n", "trimmed": "true"})


def used_msgids() -> dict[Any, list[str]]:
    """Every msgid in the templates and in web/'s Python (the JSON API speaks English only)."""
    found: dict[Any, list[str]] = {}
    sources = [
        ("templates", [("**.html", _JINJA[0]), ("**.txt", _JINJA[0])], {"**.html": _JINJA[1], "**.txt": _JINJA[1]}),
        (".", [("api/**.py", "ignore"), ("i18n/**.py", "ignore"), ("**.py", "python")], {}),
    ]  # fmt: skip
    for sub, method_map, options in sources:
        for filename, lineno, message, _, _ in extract_from_dir(
            WEB / sub, method_map=method_map, options_map=options, keywords=KEYWORDS
        ):
            found.setdefault(message, []).append(f"web/{sub}/{filename}:{lineno}")
    return found


@pytest.fixture(scope="module")
def translations() -> dict[str, Any]:
    return i18n.load_translations()


def test_the_extraction_finds_the_interface_strings() -> None:
    msgids = used_msgids()
    assert "Sign in" in msgids
    assert "Too many attempts" in msgids  # from web/rendering.py
    assert ("Too many attempts. Try again in %(num)d minute.",
            "Too many attempts. Try again in %(num)d minutes.") in msgids  # fmt: skip


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_of_the_interface_is_translated(language: str) -> None:
    catalogs = [i18n.read_catalog(p, language) for p in i18n.catalog_paths()[language]]
    assert {c.domain for c in catalogs} >= {"base", "accounts"}
    missing = []
    for msgid, places in used_msgids().items():
        key = msgid[0] if isinstance(msgid, tuple) else msgid
        entry = next((c[key] for c in catalogs if c.get(key) is not None), None)
        strings = (
            [] if entry is None
            else list(entry.string) if isinstance(entry.string, tuple) else [entry.string]
        )  # fmt: skip
        if entry is None or not all(strings) or entry.fuzzy:
            missing.append(f"{key!r} ({places[0]})")
        elif isinstance(msgid, tuple) and len(strings) != catalogs[0].num_plurals:
            missing.append(f"{key!r}: {len(strings)} plural forms")
    assert not missing, f"{language}: untranslated strings:\n" + "\n".join(missing)


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders_of_the_english_text(language: str) -> None:
    placeholder = re.compile(r"%\(\w+\)[sd]")
    broken = []
    for path in i18n.catalog_paths()[language]:
        for message in i18n.read_catalog(path, language):
            if not message.id:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            wanted = set(placeholder.findall(ids[-1]))
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for index, string in enumerate(strings):
                got = set(placeholder.findall(string))
                # Singular forms may spell the number out ("one minute", "دقيقتين").
                if got != wanted and not (isinstance(message.id, tuple) and got < wanted):
                    broken.append(f"{path.name}: {ids[0]!r} form {index}: {sorted(got)}")
    assert not broken, "\n".join(broken)


def test_arabic_catalogs_carry_the_cldr_plural_rule_not_babels() -> None:
    for path in i18n.catalog_paths()["ar"]:
        assert i18n.read_catalog(path, "ar").plural_forms == ARABIC_PLURAL_FORMS
    assert "n%100>=11 ? 4 : 5" in ARABIC_PLURAL_FORMS


def test_arabic_ngettext_picks_the_right_form(translations: dict[str, Any]) -> None:
    arabic = translations["ar"]
    # CLDR: 0 zero, 1 one, 2 two, 3..10 few, 11..99 many, 100..102 other.
    assert [arabic.plural(n) for n in (0, 1, 2, 3, 11, 100, 102)] == [0, 1, 2, 3, 4, 5, 5]
    t = Translator("ar", arabic)
    forms = {
        n: t.ngettext(
            "Too many attempts. Try again in %(num)d minute.",
            "Too many attempts. Try again in %(num)d minutes.",
            n,
        )
        for n in (0, 1, 2, 3, 11, 100, 102)
    }
    assert forms[1].endswith("بعد دقيقة واحدة.")
    assert forms[2].endswith("بعد دقيقتين.")
    assert forms[3].endswith("بعد 3 دقائق.")
    assert forms[11].endswith("بعد 11 دقيقةً.")
    assert forms[100].endswith("بعد 100 دقيقة.")
    assert forms[102].endswith("بعد 102 دقيقة.")


def test_a_catalog_with_babels_arabic_rule_is_refused_at_start_up(tmp_path: Path) -> None:
    source = (i18n.CATALOG_DIR / "ar" / "LC_MESSAGES" / "base.po").read_text()
    wrong = source.replace("n%100>=11 ? 4 : 5", "n%100>=0 && n%100<=2 ? 4 : 5")
    assert wrong != source
    for lang in LANGUAGES:
        (tmp_path / lang / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "ar" / "LC_MESSAGES" / "base.po").write_text(wrong)
    with pytest.raises(CatalogError, match="babel#816"):
        i18n.load_translations(tmp_path)


def test_every_domain_of_a_language_is_merged(translations: dict[str, Any]) -> None:
    spanish = translations["es"]
    assert spanish.gettext("Skip to content") == "Saltar al contenido"  # base
    assert spanish.gettext("Change password") == "Cambiar contraseña"  # accounts


@pytest.mark.parametrize(
    ("account", "cookie", "accept", "expected"),
    [
        ("ar", "fr", "pt", "ar"),
        (None, "fr", "pt", "fr"),
        (None, None, "de-DE,pt-BR;q=0.8,en;q=0.5", "pt"),
        (None, None, "en;q=0.2,fr;q=0.9", "fr"),
        (None, None, "fr;q=0,en", "en"),
        (None, "klingon", "", "es"),
        ("xx", None, "", "es"),
    ],
)
def test_the_language_comes_from_account_then_cookie_then_browser_then_node(
    account: str | None, cookie: str | None, accept: str, expected: str
) -> None:
    chosen = negotiate(
        account_language=account, cookie=cookie, accept_language=accept, default="es"
    )
    assert chosen == expected


@pytest.mark.parametrize(
    ("language", "moment", "day", "number", "money"),
    [
        ("es", "1 jun 2025, 10:00", "1 jun 2025", "1.234,5", "12,50\xa0€"),
        ("pt", "01/06/2025, 10:00", "01/06/2025", "1\xa0234,5", "12,50\xa0€"),  # Portugal's
        ("en", "1 Jun 2025, 10:00", "1 Jun 2025", "1,234.5", "€12.50"),  # British English
        ("fr", "1 juin 2025, 10:00", "1 juin 2025", "1\u202f234,5", "12,50\xa0€"),
    ],
)
def test_dates_numbers_and_money_are_localised_in_the_node_timezone(
    translations: dict[str, Any], language: str, moment: str, day: str, number: str, money: str
) -> None:
    t = Translator(language, translations[language], ZoneInfo("Europe/Madrid"))
    summer_morning_utc = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)  # 10:00 in Madrid
    with i18n.activate(t):
        assert format_datetime(summer_morning_utc) == moment
        assert format_date(summer_morning_utc) == day
        assert format_number(Decimal("1234.5")) == number
        assert format_currency(Decimal("12.5"), "EUR") == money


def test_arabic_dates_use_arabic_month_names_and_the_node_timezone(
    translations: dict[str, Any],
) -> None:
    t = Translator("ar", translations["ar"], ZoneInfo("Europe/Lisbon"))
    with i18n.activate(t):
        text = format_date(datetime(2025, 6, 1, 23, 30, tzinfo=UTC))
    assert "يونيو" in text
    assert "2" in text  # 00:30 on 2 June in Lisbon


PHYSICAL = re.compile(
    r"(?<![-\w])(margin|padding|border)-(left|right|top|bottom)\b"
    r"|(?<![-\w])(left|right|top|bottom)\s*:"
    r"|text-align\s*:\s*(left|right)"
    r"|float\s*:\s*(left|right)"
    r"|(?<![-\w])(width|height|min-width|max-width|min-height|max-height)\s*:"
)


def test_the_stylesheet_uses_logical_properties_only_so_rtl_mirrors() -> None:
    css = (WEB / "static" / "ruta.css").read_text()
    without_media = re.sub(r"@media[^{]*\{", "{", css)
    found = [m.group(0) for m in PHYSICAL.finditer(without_media)]
    assert not found, f"physical properties in ruta.css: {found}"


@pytest.mark.parametrize("template", sorted((WEB / "templates").rglob("*.html")), ids=str)
def test_templates_have_no_inline_script_or_style(template: Path) -> None:
    source = template.read_text()
    # A JSON-LD data block is never executed, so CSP allows it; any other inline script is out.
    assert not re.search(r"<script(?![^>]*\b(?:src=|type=\"application/ld\+json\"))", source)
    assert "<style" not in source
    assert not re.search(r"\sstyle=|\son[a-z]+=", source)
