"""Hashtag pages as on Mastodon: ``/tags/{tag}`` lists public posts written here and received
through the inbox, and market listings, whatever the spelling (``#Artesanía`` = ``#artesania``);
hashtag links of shown posts lead there; an Atom feed and the JSON timeline give the same."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree as ET

import pytest
from aiohttp.test_utils import TestClient

from node import clock
from node.appkeys import JOBS, SETTINGS
from node.jobs.worker import drain
from node.models.hashtags import NoteHashtag
from node.models.jobs import Job
from node.models.market import Listing
from node.models.social import Note, Visibility
from node.services.accounts.accounts import person_actor
from node.services.market import remote
from node.services.social import notes
from node.urls import Urls
from tests.integration.federation.inbox_material import RemoteActor, post_signed
from tests.integration.web.webforms import active_account, sign_in, submit, text_of
from tests.support.fakes import RecordingPublisher, remote_actor

pytestmark = pytest.mark.usefixtures("orm")
Client = TestClient  # type: ignore[type-arg]
ATOM = "{http://www.w3.org/2005/Atom}"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


async def compose(browser: Client, content: str, visibility: str = "public") -> Note:
    data = {"content": content, "language": "es", "visibility": visibility}
    response = await submit(browser, "/", data, action="/compose")
    assert response.status == 303, await response.text()
    note_id = int(response.headers["Location"].rsplit("#note-", 1)[1])
    return await Note.get(id=note_id)


async def receive(browser: Client, sender: RemoteActor, note: dict[str, Any]) -> Note:
    """``Create{note}`` from ``sender``, signed, through the inbox and its queue."""
    status, answer = await post_signed(browser, sender, sender.activity("Create", note))
    assert status == 202, answer
    await drain(browser.app[JOBS], browser.app[SETTINGS], queues=["inbox"])
    assert await Job.filter(queue="inbox").count() == 0
    return await Note.get(uri=note["id"])


def hashtag_note(bob: RemoteActor, name: str, **extra: Any) -> dict[str, Any]:
    """A note as Mastodon sends it: the hashtag links to bob's server and is in ``tag``."""
    href = f"{bob.base}/tags/{name.lower()}"
    content = (
        f'<p>Cerámica de Triana <a href="{href}" class="mention hashtag" rel="tag">'
        f"#<span>{name}</span></a></p>"
    )
    return bob.note(content, tag=[{"type": "Hashtag", "name": f"#{name}", "href": href}], **extra)


@pytest.fixture
async def bob(browser: Client) -> RemoteActor:
    sender = RemoteActor(uri="https://remote.example/users/bob", name="Bob")
    await sender.store()
    return sender


def note_ids_in(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'id="note-(\d+)"', page)]


async def test_the_tag_page_shows_local_and_received_public_posts_however_the_tag_is_spelt(
    browser: Client, urls: Urls, bob: RemoteActor
) -> None:
    await active_account(urls, "ana", display_name="Ana")
    await sign_in(browser)
    received = await receive(browser, bob, hashtag_note(bob, "ARTESANIA"))
    unlisted = await receive(
        browser, bob, hashtag_note(bob, "artesania", to=[bob.uri + "/followers"], cc=[PUBLIC])
    )
    assert unlisted.visibility is Visibility.UNLISTED
    other = await receive(browser, bob, hashtag_note(bob, "pan"))
    written = await compose(browser, "Cuencos hechos a mano #Artesanía")

    assert await NoteHashtag.filter(name="artesania").count() == 3
    assert set(await NoteHashtag.filter(note_id=written.id).values_list("name", flat=True)) == {
        "artesania"
    }

    browser.session.cookie_jar.clear()  # the page is public
    for spelling in ("artesania", "Artesan%C3%ADa", "ARTESANIA", quote("#artesanía")):
        response = await browser.get(f"/tags/{spelling}")
        assert response.status == 200, spelling
        page = await response.text()
        # Newest first; unlisted posts and posts without the tag stay out, as on Mastodon.
        assert note_ids_in(page) == [written.id, received.id], spelling
    assert unlisted.id not in note_ids_in(page) and other.id not in note_ids_in(page)
    assert "<bdi>#artesania</bdi>" in page

    # Both posts' hashtags lead to this node's tag page, the received one too (Mastodon does
    # the same rewrite); bob's own tag page is no longer linked.
    assert page.count('href="/tags/artesania"') >= 2
    assert "remote.example/tags" not in page
    assert "Cerámica de Triana" in text_of(page)

    # The JSON timeline takes Mastodon's local/remote switches.
    api = "/api/v1/timelines/tag/artesan%C3%ADa"
    everything = await (await browser.get(api)).json()
    assert [e["note"]["id"] for e in everything] == [str(written.id), str(received.id)]
    local = await (await browser.get(api + "?local=true")).json()
    assert [e["note"]["id"] for e in local] == [str(written.id)]
    remote_only = await (await browser.get(api + "?remote=true")).json()
    assert [e["note"]["id"] for e in remote_only] == [str(received.id)]


async def test_the_tag_of_an_edited_or_updated_post_follows_its_new_text(
    browser: Client, urls: Urls, bob: RemoteActor
) -> None:
    actor = await person_actor(await active_account(urls, "ana"))
    publisher = RecordingPublisher()
    mine = await notes.create_note(
        publisher, actor, content="Hoy #mercadillo", language="es", visibility=Visibility.PUBLIC
    )
    await notes.edit_note(publisher, actor, mine.id, content="Hoy #rastro")
    sent = hashtag_note(bob, "mercadillo", published="2026-01-01T10:00:00Z")
    theirs = await receive(browser, bob, sent)
    updated = {**hashtag_note(bob, "rastro"), "id": sent["id"], "updated": "2026-01-02T10:00:00Z",
               "published": "2026-01-01T10:00:00Z"}  # fmt: skip
    status, _ = await post_signed(browser, bob, bob.activity("Update", updated))
    assert status == 202
    await drain(browser.app[JOBS], browser.app[SETTINGS], queues=["inbox"])

    assert note_ids_in(await (await browser.get("/tags/mercadillo")).text()) == []
    # Newest first by arrival: bob's post reached us after ana wrote hers.
    assert note_ids_in(await (await browser.get("/tags/rastro")).text()) == [theirs.id, mine.id]


async def test_posts_page_back_with_max_id_and_the_api_gives_the_same_timeline(
    browser: Client, urls: Urls
) -> None:
    actor = await person_actor(await active_account(urls, "ana"))
    publisher = RecordingPublisher()
    written = [
        await notes.create_note(
            publisher, actor, content=f"Oferta {i} #Lepe", language="es",
            visibility=Visibility.PUBLIC,
        )
        for i in range(22)
    ]  # fmt: skip
    newest_first = [n.id for n in reversed(written)]

    first = await (await browser.get("/tags/lepe")).text()
    assert note_ids_in(first) == newest_first[:20]
    older = re.search(r'href="/tags/lepe\?max_id=(\d+)"', first)
    assert older is not None and int(older.group(1)) == newest_first[19]
    second = await (await browser.get(f"/tags/lepe?max_id={older.group(1)}")).text()
    assert note_ids_in(second) == newest_first[20:]

    response = await browser.get("/api/v1/timelines/tag/L%C3%A9pe?limit=3")
    assert response.status == 200
    body = await response.json()
    assert [entry["note"]["id"] for entry in body] == [str(i) for i in newest_first[:3]]
    assert [entry["id"] for entry in body] == [str(i) for i in newest_first[:3]]
    next_page = re.search(r"<([^>]+)>; rel=\"next\"", response.headers["Link"])
    assert next_page is not None and f"max_id={newest_first[2]}" in next_page.group(1)
    page_two = await (
        await browser.get(f"/api/v1/timelines/tag/lepe?max_id={newest_first[2]}&limit=3")
    ).json()
    assert [entry["note"]["id"] for entry in page_two] == [str(i) for i in newest_first[3:6]]
    empty = await browser.get("/api/v1/timelines/tag/nadie")
    assert empty.status == 200 and await empty.json() == []


async def test_a_name_with_nothing_left_after_normalising_is_not_found(browser: Client) -> None:
    assert (await browser.get("/tags/%E2%9C%A8")).status == 404  # "✨" has no letter or digit
    assert (await browser.get("/tags/%E2%9C%A8/feed.atom")).status == 404


async def test_the_listings_tab_shows_local_and_federated_listings_with_that_hashtag(
    browser: Client, urls: Urls
) -> None:
    await active_account(urls, "ana")
    await sign_in(browser)
    response = await submit(
        browser, "/mercado/new",
        {"title": "Cuenco de barro", "price": "12", "category": "crafts", "city": "Almonte",
         "kind": "product", "purpose": "offer", "price_kind": "fixed", "currency": "EUR",
         "language": "es", "action": "publish", "description": "Hecho en #Almonte"},
    )  # fmt: skip
    assert response.status == 303, await response.text()
    local_path = response.headers["Location"]
    seller = await remote_actor("rui", "faro.example")
    await remote.store_remote_listing(
        seller,
        remote.RemoteListing(
            uri="https://faro.example/listings/9", url="https://faro.example/mercado/9",
            title="سلة من الخوص", price_cents=2000, currency="EUR", city="Faro",
            hashtags=("#Artesanía", "#Faro"), published=clock.now(),
        ),
    )  # fmt: skip
    await remote.store_remote_listing(
        seller,
        remote.RemoteListing(
            uri="https://faro.example/listings/10", title="Sardinas", price_cents=500,
            hashtags=("#Alimentacion",), published=clock.now(),
        ),
    )  # fmt: skip

    page = await (await browser.get("/tags/Artesania?tab=listings")).text()
    assert 'aria-current="page">Market listings' in page
    assert "Cuenco de barro</bdi>" in page and "سلة من الخوص</bdi>" in page
    assert "Sardinas" not in page
    city_page = await (await browser.get("/tags/almonte?tab=listings")).text()
    assert "Cuenco de barro" in city_page and "سلة" not in city_page

    # The market search takes the same filter, and keeps it when the form is sent again.
    # "#Artesanía" is the crafts category's hashtag however a peer spells it.
    assert (await Listing.get(uri="https://faro.example/listings/9")).category == "crafts"
    search = await (await browser.get("/mercado?tag=ARTESANIA")).text()
    assert "Cuenco de barro" in search and "سلة من الخوص" in search and "Sardinas" not in search
    assert '<input type="hidden" name="tag" value="ARTESANIA">' in search
    found = await (await browser.get("/api/v1/listings?tag=Artesan%C3%ADa")).json()
    assert sorted(item["title"] for item in found) == ["Cuenco de barro", "سلة من الخوص"]

    category = await (await browser.get("/mercado/categoria/crafts")).text()
    assert 'href="/tags/artesania"><bdi>#Artesania</bdi>' in category

    # The listing page links its hashtags (category, city, description) to their tag pages.
    listing = await (await browser.get(local_path)).text()
    for path in ("/tags/artesania", "/tags/almonte"):
        assert f'href="{path}"' in listing
    assert re.search(r"<h1[^>]*>\s*<bdi[^>]*>Cuenco de barro</bdi></h1>", listing)


async def test_the_atom_feed_of_a_tag_carries_posts_and_listings(
    browser: Client, urls: Urls, bob: RemoteActor
) -> None:
    actor = await person_actor(await active_account(urls, "ana", display_name="Ana"))
    mine = await notes.create_note(
        RecordingPublisher(), actor, content="Taller de <cerámica> & #barro", language="es",
        visibility=Visibility.PUBLIC,
    )  # fmt: skip
    theirs = await receive(browser, bob, hashtag_note(bob, "Barro"))
    seller = await remote_actor("rui", "faro.example")
    await remote.store_remote_listing(
        seller,
        remote.RemoteListing(uri="https://faro.example/listings/3", title="Botijo", price_cents=900,
                             hashtags=("#barro",), published=clock.now()),
    )  # fmt: skip

    response = await browser.get("/tags/BARRO/feed.atom")
    assert response.status == 200
    assert response.content_type == "application/atom+xml"
    feed = ET.fromstring(await response.read())  # noqa: S314 - our own feed; raises unless well-formed
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}title") == "Hashtag #barro"
    assert feed.find(f"{ATOM}link[@rel='self']").get("href").endswith("/tags/barro/feed.atom")  # type: ignore[union-attr]
    entries = {e.findtext(f"{ATOM}id"): e for e in feed.findall(f"{ATOM}entry")}
    assert set(entries) == {mine.uri, theirs.uri, "https://faro.example/listings/3"}
    ours = entries[mine.uri]
    assert ours.findtext(f"{ATOM}author/{ATOM}name") == "Ana"
    assert "&lt;cerámica&gt; &amp;" in (ours.findtext(f"{ATOM}content") or "")
    # Hashtag links lead to this node's tag page, as absolute addresses (a reader has no base).
    assert f'href="{urls.absolute("/tags/barro")}"' in (
        entries[theirs.uri].findtext(f"{ATOM}content") or ""
    )
    assert (entries["https://faro.example/listings/3"].findtext(f"{ATOM}title") or "").startswith(
        "Botijo · "
    )


async def test_the_tag_page_speaks_the_visitors_language_right_to_left(browser: Client) -> None:
    response = await browser.get("/tags/artesania", headers={"Accept-Language": "ar"})
    page = await response.text()
    assert response.status == 200
    assert '<html lang="ar" dir="rtl">' in page
    assert "لا توجد منشورات عامة بهذا الوسم بعد." in page
    assert "<bdi>#artesania</bdi>" in page  # the Latin tag keeps its order inside Arabic text
    listings = await (
        await browser.get("/tags/artesania?tab=listings", headers={"Accept-Language": "fr"})
    ).text()
    assert "Aucune annonce avec ce mot-dièse pour l’instant." in listings
