"""The data export carries every conversation the person took part in — as themselves or as one
of their shops — and its README is written in the person's language."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from aiohttp.test_utils import TestClient

from node.config import Settings
from node.models.accounts import Account
from node.models.actors import Actor, ActorKind
from node.services.accounts.accounts import person_actor
from node.services.social import messages
from node.urls import Urls
from tests.integration.web.conftest import SpyPublisher
from tests.integration.web.test_market_pages import open_shop
from tests.integration.web.webforms import active_account, sign_in, submit

pytestmark = pytest.mark.usefixtures("orm")
Client = TestClient  # type: ignore[type-arg]


async def _export(browser: Client) -> zipfile.ZipFile:
    response = await submit(browser, "/settings", {}, action="/settings/export")
    assert response.status == 200
    return zipfile.ZipFile(io.BytesIO(await response.read()))


async def test_conversations_carried_on_as_a_shop_are_in_the_export(
    browser: Client, urls: Urls, settings: Settings, publisher: SpyPublisher
) -> None:
    ana_account = await active_account(urls, "ana")
    bea = await person_actor(await active_account(urls, "bea"))
    await sign_in(browser)
    await open_shop(browser)
    ana = await person_actor(ana_account)
    shop = await Actor.get(username="panaderia", kind=ActorKind.ORGANIZATION)
    about_shop = await messages.start_conversation(
        publisher, bea, to=["panaderia"], content="¿Hacéis pan sin sal?", language="es"
    )
    # ana answers from her own account: the conversation is with the shop, so she writes as it.
    await messages.reply(publisher, ana, about_shop.id, content="Sí, los martes.", language="es")
    await messages.start_conversation(
        publisher, bea, to=["ana"], content="¿Vienes al mercado?", language="es"
    )

    rows = json.loads((await _export(browser)).read("messages.json"))
    shop_handle, ana_handle = f"panaderia@{settings.domain}", f"ana@{settings.domain}"
    bea_handle = f"bea@{settings.domain}"
    assert [(r["as"], r["as_shop"], r["from"], r["sent"], r["content_html"]) for r in rows] == [
        (shop_handle, True, bea_handle, False, "<p>¿Hacéis pan sin sal?</p>"),
        (shop_handle, True, shop_handle, True, "<p>Sí, los martes.</p>"),
        (ana_handle, False, bea_handle, False, "<p>¿Vienes al mercado?</p>"),
    ]
    assert rows[1]["content_source"] == "Sí, los martes."  # what the shop wrote, as written
    assert rows[0]["content_source"] is None  # what others wrote: as it arrived only
    assert {r["conversation"] for r in rows[:2]} == {str(about_shop.id)}
    assert all(r["with"] == [bea_handle] for r in rows)
    assert shop.id != ana.id


@pytest.mark.parametrize(
    ("language", "first_line", "messages_line"),
    [
        ("es", "Tus datos de Ruta", "los mensajes directos de tus conversaciones"),
        ("pt", "Os seus dados de Ruta", "as mensagens diretas das suas conversas"),
        ("fr", "Vos données de Ruta", "les messages directs de vos conversations"),
        ("ar", "بياناتك من Ruta", "الرسائل المباشرة في محادثاتك"),
        ("en", "Your data from Ruta", "the direct messages of your conversations"),
    ],
)
async def test_the_readme_of_the_export_is_in_the_persons_language(
    browser: Client, urls: Urls, language: str, first_line: str, messages_line: str
) -> None:
    account = await active_account(urls, "ana")
    await Account.filter(id=account.id).update(language=language)
    await sign_in(browser)
    readme = (await _export(browser)).read("README.txt").decode()
    assert readme.startswith(first_line)
    line = next(x for x in readme.splitlines() if x.startswith("messages.json/.csv"))
    assert messages_line in line
    assert "orders_received.json/.csv" in readme  # the file names stay as they are
    if language != "en":
        assert "the posts you wrote" not in readme
