"""One date format per language on every page: the home timeline, the messages list, a
conversation and the settings page show the same kind of date (once 07/12/26 on one page and
07/12/2026 or "7 de dezembro de 2026" on the next)."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient

from node import clock
from node.config import Settings
from node.models.accounts import Account
from node.services.accounts.accounts import person_actor
from node.services.social import messages, notes
from node.urls import Urls
from tests.integration.web.conftest import SpyPublisher
from tests.integration.web.webforms import active_account, sign_in, text_of

pytestmark = pytest.mark.usefixtures("orm")
Client = TestClient  # type: ignore[type-arg]

MONTHS = {
    "es": "ene feb mar abr may jun jul ago sept oct nov dic",
    "en": "Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec",
    "fr": "janv. févr. mars avr. mai juin juil. août sept. oct. nov. déc.",
    "ar": "يناير فبراير مارس أبريل مايو يونيو يوليو أغسطس سبتمبر أكتوبر نوفمبر ديسمبر",
}


def expected_date(language: str, settings: Settings) -> str:
    """Today where the node is, written the one way of ``language``."""
    today = clock.now().astimezone(ZoneInfo(settings.timezone)).date()
    if language == "pt":
        return f"{today:%d/%m/%Y}"
    month = MONTHS[language].split()[today.month - 1]
    return f"{today.day} {month} {today.year}"


# Any way of writing a date: digits with slashes, or a day, a month word and a year.
ANY_NUMERIC_DATE = re.compile(r"\d{1,2}\u200f?/\d{1,2}\u200f?/\d{2,4}")
LONG_DATE = re.compile(r"\d{1,2} de \w+ de \d{4}")


@pytest.mark.parametrize("language", ["es", "pt", "en", "fr", "ar"])
async def test_every_page_writes_dates_the_same_way(
    browser: Client, urls: Urls, settings: Settings, publisher: SpyPublisher, language: str
) -> None:
    account = await active_account(urls, "ana")
    await Account.filter(id=account.id).update(language=language)
    ana = await person_actor(account)
    bea = await person_actor(await active_account(urls, "bea"))
    await notes.create_note(
        publisher, ana, content="Abrimos el sábado", language="es", visibility="public"
    )
    conversation = await messages.start_conversation(
        publisher, bea, to=["ana"], content="¿A qué hora?", language="es"
    )
    await sign_in(browser)
    wanted = expected_date(language, settings)
    for path in ("/", "/messages", f"/messages/{conversation.id}", "/settings", "/@ana"):
        page = text_of(await (await browser.get(path)).text())
        assert wanted in page, f"{path}: {wanted!r} not in the page"
        numeric = set(ANY_NUMERIC_DATE.findall(page))
        assert numeric <= ({wanted} if language == "pt" else set()), f"{path}: {numeric}"
        assert not LONG_DATE.search(page), path
