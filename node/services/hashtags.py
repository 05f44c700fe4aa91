"""Hashtags as Mastodon matches them: ``#Artesanía``, ``#artesania`` and ``#ARTESANIA`` are one tag.

A name is normalised once, when a post or listing is stored (``NoteHashtag`` rows,
``Listing.hashtag_keys``), and again when a tag page is asked for, so matching is an equality
test. Links to hashtags in shown HTML — ours, or a remote server's pointing at its own tag page —
are turned into links to this node's tag page, as Mastodon does for the posts it shows.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any, Final
from urllib.parse import quote, unquote, urlsplit

from node.models.hashtags import NoteHashtag
from node.models.social import Note

MAX_NAME_CHARS: Final = 100
# Mastodon's Tag::HASHTAG_SEPARATORS: kept inside a name, everything else that is not a letter
# or digit is dropped.
_SEPARATORS: Final = frozenset("_\u00b7\u30fb\u200c")
_ANCHOR: Final = re.compile(r"<a\s([^>]*)>(.*?)</a>", re.DOTALL)
_HREF: Final = re.compile(r'href="[^"]*"')
_MARKUP: Final = re.compile(r"<[^>]+>")


def normalise(name: str) -> str:
    """A hashtag as it is matched: without ``#``, compatibility forms unified, lower case,
    Latin accents removed, only letters, digits and Mastodon's separators kept
    (``"#Artesanía"`` → ``"artesania"``, ``"ＡＢＣ"`` → ``"abc"``)."""
    decomposed = unicodedata.normalize("NFKD", name.lstrip("#").casefold())
    kept = "".join(
        ch
        for ch in decomposed
        if not unicodedata.combining(ch) and (ch.isalnum() or ch in _SEPARATORS)
    )
    # Recompose what NFKD split but did not strip (Hangul syllables, for one).
    return unicodedata.normalize("NFC", kept)[:MAX_NAME_CHARS]


def tag_path(name: str) -> str:
    """The path of this node's page of a hashtag."""
    return "/tags/" + quote(normalise(name))


def hashtag_names(tags: Iterable[Any]) -> list[str]:
    """The normalised names of the ``Hashtag`` entries of a note's ``tag`` array, once each.

    An entry without a name is named by the last segment of its ``href`` (``…/tags/pan``).
    """
    found: dict[str, None] = {}
    for tag in tags:
        if not isinstance(tag, Mapping) or tag.get("type") != "Hashtag":
            continue
        name = tag.get("name")
        if not isinstance(name, str) or not name.strip("# "):
            href = tag.get("href")
            name = unquote(urlsplit(href).path.rstrip("/").rpartition("/")[2]) if href else ""
        key = normalise(str(name))
        if key:
            found.setdefault(key)
    return list(found)


def keys_text(names: Iterable[str]) -> str:
    """Hashtag names as ``Listing.hashtag_keys`` holds them: normalised, space-separated and
    space-framed (``" artesania lepe "``), so ``LIKE '% artesania %'`` matches whole names."""
    keys = dict.fromkeys(k for k in (normalise(n) for n in names) if k)
    return f" {' '.join(keys)} " if keys else ""


async def index_note(note: Note) -> None:
    """Record (or re-record, after an edit or an ``Update``) the hashtags ``note`` carries.

    Call inside the transaction that stores the note, so the note and its index never differ.
    """
    names = hashtag_names(note.tags or [])
    await NoteHashtag.filter(note_id=note.id).delete()
    if names:
        await NoteHashtag.bulk_create([NoteHashtag(note_id=note.id, name=n) for n in names])


def link_tags_here(
    markup: str, names: Collection[str], path_of: Callable[[str], str] = tag_path
) -> str:
    """Point the hashtag links of sanitised HTML at this node's tag pages.

    A link counts as a hashtag when its text is ``#name`` and ``name`` is one of the post's
    own hashtags (``names``, normalised) — Mastodon's rule, so an ordinary link whose text
    happens to start with ``#`` keeps its address.
    """
    if not names or "<a" not in markup:
        return markup

    def swap(match: re.Match[str]) -> str:
        attrs, inner = match.group(1), match.group(2)
        label = html.unescape(_MARKUP.sub("", inner)).strip()
        if not label.startswith("#"):
            return match.group(0)
        key = normalise(label)
        if key not in names:
            return match.group(0)
        href = f'href="{html.escape(path_of(key), quote=True)}"'
        attrs = _HREF.sub(lambda _: href, attrs, count=1) if _HREF.search(attrs) else attrs
        return f"<a {attrs}>{inner}</a>"

    return _ANCHOR.sub(swap, markup)
