"""Words people read: the home page promises only what the node offers, Portuguese says
"encomenda" for an order, Arabic lists use the Arabic comma, and no text mentions an app that
does not exist."""

from __future__ import annotations

import html
import re

import pytest
from aiohttp.test_utils import TestClient

from node.config import LANGUAGES
from node.models.accounts import Account
from node.services.accounts.accounts import person_actor
from node.services.social import messages
from node.urls import Urls
from tests.integration.web.conftest import SpyPublisher
from tests.integration.web.test_market_pages import open_shop
from tests.integration.web.webforms import active_account, sign_in, text_of
from web import i18n

pytestmark = pytest.mark.usefixtures("orm")
Client = TestClient  # type: ignore[type-arg]

# Mentoring, advice, events, courses and jobs come with later work: no page may promise them yet.
NOT_YET = {
    "en": r"mentor|advice|event|course|\bjobs?\b",
    "es": r"mentor|asesor|evento|curso|empleo",
    "pt": r"mentor|jurídic|aconselhamento|evento|curso|emprego",
    "fr": r"mentor|conseil|événement|\bformations?\b|\bemplois?\b",
    "ar": r"مرشد|استشار|فعاليات|دورات|وظائف",
}


def main_and_description(page: str) -> str:
    main = page[page.index("<main") : page.index("</main>")]
    description = re.search(r'<meta name="description" content="([^"]*)"', page)
    assert description, "the page has a meta description"
    return text_of(main) + " " + html.unescape(description.group(1))


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_home_page_promises_only_what_the_node_offers(
    browser: Client, urls: Urls, language: str
) -> None:
    headers = {"Accept-Language": language}
    visitor = main_and_description(await (await browser.get("/", headers=headers)).text())
    assert not re.search(NOT_YET[language], visitor, re.IGNORECASE), visitor
    market = {"en": "market", "es": "mercado", "pt": "mercado", "fr": "marché", "ar": "سوق"}
    assert market[language] in visitor.lower()
    manifest = await (await browser.get("/manifest.webmanifest", headers=headers)).json(
        content_type=None
    )
    assert not re.search(NOT_YET[language], manifest["description"], re.IGNORECASE)

    account = await active_account(urls, "ana")
    await Account.filter(id=account.id).update(language=language)
    await sign_in(browser)
    member = main_and_description(await (await browser.get("/")).text())
    assert not re.search(NOT_YET[language], member, re.IGNORECASE), member


def _entries(language: str) -> list[tuple[str, str]]:
    found = []
    for path in i18n.catalog_paths()[language]:
        for message in i18n.read_catalog(path, language):
            if not message.id:
                continue
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            found += [(msgid, string) for string in strings]
    return found


# Messages about orders whose English does not say "order".
ABOUT_ORDERS = {"Placed on"}
# "Order" as in sorting, not buying.
SORT_ORDER = {"Order", "Filters and order"}


def test_portuguese_says_encomenda_for_an_order() -> None:
    """Portuguese "pedido" stays where it means a request that is not an order (to join)."""
    about_orders = [
        (msgid, string)
        for msgid, string in _entries("pt")
        if (re.search(r"\border", msgid, re.IGNORECASE) and msgid not in SORT_ORDER)
        or msgid in ABOUT_ORDERS
    ]
    assert len(about_orders) > 10
    wrong = [
        (msgid, string)
        for msgid, string in about_orders
        if re.search(r"\bpedid[oa]s?\b", string, re.IGNORECASE)
        or (re.search(r"\borders?\b", msgid, re.IGNORECASE) and "ncomend" not in string.lower())
    ]
    assert not wrong, wrong
    translations = i18n.load_translations()["pt"]
    assert translations.gettext("Order request") == "Encomenda"
    assert translations.gettext("Orders") == "Encomendas"


# An app of the node's own: there is none (the site works in any browser and installs on a
# phone's home screen). Mastodon and other fediverse apps exist and may be named.
OWN_APP = {
    "en": r"\bapp\b",
    "es": r"\bapp\b|\baplicación\b",
    "pt": r"\bapp\b|\baplicação\b|\baplicativo\b",
    "fr": r"\bappli\b|\bapplication\b",
    "ar": r"في التطبيق|\bالتطبيق\b",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_text_mentions_an_app_that_does_not_exist(language: str) -> None:
    wrong = [
        (msgid, string)
        for msgid, string in _entries(language)
        if re.search(OWN_APP[language], string, re.IGNORECASE)
        or re.search(OWN_APP["en"], msgid, re.IGNORECASE)
    ]
    assert not wrong, wrong


async def test_arabic_lists_are_joined_with_the_arabic_comma(
    browser: Client, urls: Urls, publisher: SpyPublisher
) -> None:
    account = await active_account(urls, "ana")
    await Account.filter(id=account.id).update(language="ar")
    await sign_in(browser)
    await open_shop(browser)  # speaks Spanish and Arabic
    ana = await person_actor(account)
    await active_account(urls, "bea", display_name="Bea")
    await active_account(urls, "eva", display_name="Eva")
    await messages.start_conversation(
        publisher, ana, to=["bea", "eva"], content="¿Quedamos?", language="es"
    )
    shop = text_of(await (await browser.get("/mercado/shops/panaderia")).text())
    assert "Español، العربية" in shop
    conversations = await (await browser.get("/messages")).text()
    assert "<bdi>Bea</bdi>، <bdi>Eva</bdi>" in conversations
    assert "<bdi>Bea</bdi>, <bdi>Eva</bdi>" not in conversations

    await Account.filter(id=account.id).update(language="es")
    shop = text_of(await (await browser.get("/mercado/shops/panaderia")).text())
    assert "Español, العربية" in shop
