"""Hashtag pages, as Mastodon's ``/tags/{tag}``: the public posts carrying a hashtag (written
here or received) and, on a second tab, the market listings carrying it; an Atom feed of both.

Also the template filters that point hashtag links of shown posts and listings at these pages.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from markupsafe import Markup

from node.appkeys import URLS
from node.errors import NotFound
from node.models.market import Listing
from node.models.social import Note
from node.services import hashtags, text
from node.services.social import tag_timeline
from web.i18n import N_
from web.rendering import render, translator_for_request
from web.views.market.feeds import FeedEntry, atom_document, cards, listing_entries
from web.views.social.timelines import PAGE, note_list_context, note_path
from web.views.viewer import cursor, optional_actor

LISTING_PAGE = 20
MAX_LISTING_PAGE = 50
FEED_SIZE = 20
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _tag(request: web.Request) -> str:
    """The hashtag asked for, normalised; a name with nothing left of it names no tag."""
    key = hashtags.normalise(request.match_info["tag"])
    if not key:
        raise NotFound("No such hashtag.")
    return key


def _page_number(request: web.Request) -> int:
    value = request.query.get("page", "1")
    return min(MAX_LISTING_PAGE, int(value)) if value.isdigit() and int(value) >= 1 else 1


async def tag_page(request: web.Request) -> web.Response:
    """``/tags/{tag}``: posts (``?max_id=`` pages back) or, with ``?tab=listings``, listings."""
    key = _tag(request)
    viewer = await optional_actor(request)
    base = hashtags.tag_path(key)
    context: dict[str, Any] = {
        "tag": key,
        "base": base,
        "feed_link": base + "/feed.atom",
        "tab": "listings" if request.query.get("tab") == "listings" else "posts",
    }
    if context["tab"] == "posts":
        entries = await tag_timeline.tagged_notes(key, viewer, max_id=cursor(request), limit=PAGE)
        context |= {
            "entries": entries,
            "older": entries[-1].id if len(entries) >= PAGE else None,
            **await note_list_context(request, viewer, [e.note for e in entries]),
        }
    else:
        t = await translator_for_request(request)
        page = _page_number(request)
        found = await tag_timeline.tagged_listings(
            key, limit=LISTING_PAGE + 1, offset=(page - 1) * LISTING_PAGE
        )
        listings_tab = f"{base}?tab=listings"
        more = len(found) > LISTING_PAGE and page < MAX_LISTING_PAGE
        context |= {
            "cards": await cards(request.app[URLS], found[:LISTING_PAGE], t),
            "previous_link": f"{listings_tab}&page={page - 1}" if page > 1 else None,
            "next_link": f"{listings_tab}&page={page + 1}" if more else None,
        }
    return await render(request, "social/tag.html", context)


async def tag_feed(request: web.Request) -> web.Response:
    """``/tags/{tag}/feed.atom``: the newest public posts and listings carrying the hashtag."""
    key = _tag(request)
    urls = request.app[URLS]
    t = await translator_for_request(request)
    notes = [e.note for e in await tag_timeline.tagged_notes(key, limit=FEED_SIZE)]
    found = await tag_timeline.tagged_listings(key, limit=FEED_SIZE)
    # Absolute tag links (urls.tag): a feed reader has no base URL to resolve a path against.
    entries = [_note_entry(n, urls.absolute(note_path(n)), urls.tag) for n in notes]
    entries += listing_entries(await cards(urls, found, t), urls)
    entries.sort(key=lambda e: e.published or e.updated or _EPOCH, reverse=True)
    page = urls.absolute(hashtags.tag_path(key))
    title = t.gettext(N_("Hashtag #%(tag)s"), tag=key)
    return atom_document(title, page + "/feed.atom", page, entries[:FEED_SIZE])


def _note_entry(note: Note, page_url: str, tag_url: Callable[[str], str]) -> FeedEntry:
    author = note.author
    name = author.display_name or author.username or ""
    # A content warning, when there is one, is what a reader lists as the entry's title.
    title = note.summary or text.excerpt(note.content_html, 80) or name
    return FeedEntry(
        id=note.uri,
        title=title,
        link=note.url or page_url,
        author=name,
        content_html=str(note_html(note, tag_url)),  # plain str: Markup.replace escapes
        published=note.published,
        updated=note.edited_at or note.published,
    )


def note_html(note: Note, tag_url: Callable[[str], str] = hashtags.tag_path) -> Markup:
    """A note's sanitised HTML with its hashtag links pointing at this node's tag pages."""
    names = set(hashtags.hashtag_names(note.tags or []))
    return Markup(hashtags.link_tags_here(note.content_html or "", names, tag_url))  # noqa: S704 - sanitised when stored


def listing_html(listing: Listing) -> Markup:
    """A listing's description with its hashtag links pointing at this node's tag pages."""
    names = {hashtags.normalise(t) for t in listing.tags or []}
    return Markup(hashtags.link_tags_here(listing.description_html or "", names))  # noqa: S704 - sanitised when stored


def setup(app: web.Application) -> None:
    env = aiohttp_jinja2.get_env(app)
    env.filters["note_html"] = note_html
    env.filters["listing_html"] = listing_html
    env.globals["tag_path"] = hashtags.tag_path
    app.router.add_get(r"/tags/{tag:[^/]{1,200}}", tag_page)
    app.router.add_get(r"/tags/{tag:[^/]{1,200}}/feed.atom", tag_feed)
