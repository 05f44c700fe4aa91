"""Posts on the wire: our ``Note`` rows as AS2 documents, and received ``Note``s in domain terms.

Sending follows FEDERATION.md §5.0 and §5.9 exactly: ``content`` plus a ``contentMap`` whose first
(only) key is the language (Mastodon reads the language from nowhere else), ``url`` = the HTML
permalink, a ``Mention`` tag for every addressed actor (Mastodon needs one per DM recipient), and
addressing by visibility:

=========  ==========================  ==========================
visibility to                          cc
=========  ==========================  ==========================
public     Public                      followers, mentioned
unlisted   followers                   Public, mentioned
followers  followers, mentioned        —
direct     mentioned                   —
=========  ==========================  ==========================

Receiving is tolerant (``federation.vocab``): a value or a list, an id or an embedded object,
``Public`` spelled three ways. Visibility is read back from the addressing the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from federation import vocab
from federation.vocab import AS_CONTEXT, PUBLIC, Json, compact
from node import clock
from node.models.actors import Actor
from node.models.social import Note, Visibility
from node.services.social.remote_content import RemoteNote
from node.urls import Urls

# Extension terms our notes and activities use, in one inline map (FEDERATION.md §5.0 rule 2).
NOTE_TERMS: dict[str, Any] = {
    "toot": "http://joinmastodon.org/ns#",
    "sensitive": "as:sensitive",
    "Hashtag": "as:Hashtag",
    "blurhash": "toot:blurhash",
    "focalPoint": {"@container": "@list", "@id": "toot:focalPoint"},
    "ostatus": "http://ostatus.org#",
    "conversation": "ostatus:conversation",
}
NOTE_CONTEXT: list[Any] = [AS_CONTEXT, NOTE_TERMS]

_MEDIA_TYPES = {"image": "Image", "video": "Video", "audio": "Audio"}
_URL_MAX = 2048


# --- sending ---------------------------------------------------------------------------------


def note_author(note: Note) -> Actor:
    """The note's author, which the caller must have loaded (``select_related("author")``)."""
    author = note.author
    if not isinstance(author, Actor):
        raise ValueError(f"note {note.id}: load its author before converting it")
    return author


def followers_collection(actor: Actor) -> str:
    return actor.followers_url or actor.uri + "/followers"


def mentioned_uris(note: Note) -> list[str]:
    """The actors a note mentions or is addressed to (its ``Mention`` tags), in order, once each."""
    seen: dict[str, None] = {}
    for tag in note.tags or []:
        if isinstance(tag, Mapping) and tag.get("type") == "Mention":
            href = tag.get("href")
            if isinstance(href, str) and href:
                seen.setdefault(href, None)
    return list(seen)


def note_audience(note: Note, author: Actor) -> tuple[list[str], list[str]]:
    """``(to, cc)`` of a note by its visibility (the table in the module docstring)."""
    followers = followers_collection(author)
    mentioned = [uri for uri in mentioned_uris(note) if uri != author.uri]
    if note.visibility is Visibility.PUBLIC:
        return [PUBLIC], _unique([followers, *mentioned])
    if note.visibility is Visibility.UNLISTED:
        return [followers], _unique([PUBLIC, *mentioned])
    if note.visibility is Visibility.FOLLOWERS:
        return _unique([followers, *mentioned]), []
    return mentioned, []  # direct: only those it names, never Public, never followers


def note_permalink(note: Note, author: Actor, urls: Urls) -> str:
    """The HTML page of a note (FEDERATION.md §5.0 rule 4)."""
    if note.url:
        return note.url
    return urls.note_page(author.username, note.id) if note.local else note.uri


def note_to_ap(
    note: Note, urls: Urls, *, with_context: bool = True, default_language: str | None = None
) -> Json:
    """Our note as an AS2 ``Note`` (served at its id, embedded in Create/Update).

    ``note.author`` must be loaded. ``with_context=False`` for embedding in an activity.
    ``default_language`` stands in when the row has none (FEDERATION.md: always set one).
    """
    author = note_author(note)
    to, cc = note_audience(note, author)
    language = note.language or default_language
    content = note.content_html or ""
    context = note.context_uri
    return compact(
        [
            ("@context", NOTE_CONTEXT if with_context else None),
            ("id", note.uri),
            ("type", "Note"),
            ("attributedTo", author.uri),
            ("to", to),
            ("cc", cc),
            ("published", clock.isoformat(note.published)),
            ("updated", clock.isoformat(note.edited_at) if note.edited_at else None),
            ("url", note_permalink(note, author, urls)),
            ("summary", note.summary or None),
            ("sensitive", bool(note.sensitive or note.summary)),
            ("content", content),
            ("contentMap", {language: content} if language else None),
            ("inReplyTo", note.in_reply_to_uri),
            ("context", context if context and context.startswith("http") else None),
            ("conversation", context),
            ("tag", _tags_to_ap(note, urls) or None),
            ("attachment", _attachments_to_ap(note) or None),
        ]
    )


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _tags_to_ap(note: Note, urls: Urls) -> list[Json]:
    out: list[Json] = []
    for tag in note.tags or []:
        if not isinstance(tag, Mapping):
            continue
        kind, name, href = tag.get("type"), tag.get("name"), tag.get("href")
        if not isinstance(name, str) or not name.strip("#@"):
            continue
        if kind == "Hashtag":
            bare = name.lstrip("#")
            out.append({"type": "Hashtag", "name": "#" + bare, "href": href or urls.tag(bare)})
        elif kind == "Mention" and isinstance(href, str) and href:
            out.append({"type": "Mention", "name": name, "href": href})
    return out


def _attachments_to_ap(note: Note) -> list[Json]:
    out: list[Json] = []
    for item in note.attachments or []:
        if not isinstance(item, Mapping):
            continue
        url, href = item.get("url"), item.get("href")
        if isinstance(url, str) and url:
            media_type = str(item.get("media_type") or "application/octet-stream")
            description = item.get("description") or None
            focal = item.get("focal_point")
            out.append(
                compact(
                    [
                        ("type", _MEDIA_TYPES.get(media_type.split("/")[0], "Document")),
                        ("mediaType", media_type),
                        ("url", url),
                        # Alt text in both: Mastodon reads name, GoToSocial and others summary.
                        ("name", description),
                        ("summary", description),
                        ("blurhash", item.get("blurhash") or None),
                        ("focalPoint", list(focal) if isinstance(focal, list | tuple) else None),
                        ("width", _positive_int(item.get("width"))),
                        ("height", _positive_int(item.get("height"))),
                    ]
                )
            )
        elif isinstance(href, str) and href:
            out.append(compact([("type", "Link"), ("href", href), ("name", item.get("name"))]))
    return out


def _positive_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


# --- receiving -------------------------------------------------------------------------------


def ap_to_note_fields(obj: Any, *, followers_url: str | None = None) -> RemoteNote:
    """A received ``Note`` (any shape real servers send) in domain terms.

    Raises ``ValueError`` when it has no usable http(s) ``id``. The HTML is passed on as received
    (the domain sanitises it); local addressees are left for the caller to fill in.
    ``followers_url`` is the author's followers collection when known: it tells a followers-only
    post from a direct one exactly; without it, a collection ending in ``/followers`` counts.
    """
    if not isinstance(obj, Mapping):
        raise ValueError("a note must be a JSON object")
    uri = vocab.id_of(obj.get("id"))
    if not uri or vocab.host_of(uri) is None or len(uri) > _URL_MAX:
        raise ValueError("a note needs an http(s) id")
    language, mapped = vocab.language_map(obj, "content")
    content = vocab.text(obj.get("content")) or mapped or ""
    _, summary = vocab.language_map(obj, "summary")
    return RemoteNote(
        uri=uri,
        url=_url_of(obj.get("url")),
        content_html=content,
        language=language,
        summary=summary or None,
        sensitive=obj.get("sensitive") is True,
        in_reply_to_uri=_http_url(vocab.first_id(obj.get("inReplyTo"))),
        context_uri=_context_of(obj),
        attachments=tuple(_attachments_from_ap(obj.get("attachment"))),
        tags=tuple(_tags_from_ap(obj.get("tag"))),
        published=parse_datetime(obj.get("published")),
        updated=parse_datetime(obj.get("updated")),
        visibility=visibility_of(obj, followers_url=followers_url),
    )


def visibility_of(obj: Mapping[str, Any], *, followers_url: str | None = None) -> Visibility:
    """Public in ``to`` → public; in ``cc`` → unlisted; a followers collection → followers;
    otherwise direct (the narrowest reading when unsure)."""
    to = {_public(ref) for ref in vocab.ids_of(obj.get("to"))}
    cc = {_public(ref) for ref in vocab.ids_of(obj.get("cc"))}
    if PUBLIC in to:
        return Visibility.PUBLIC
    if PUBLIC in cc:
        return Visibility.UNLISTED
    audience = to | cc
    if followers_url is not None:
        if followers_url in audience:
            return Visibility.FOLLOWERS
    elif any(ref.rstrip("/").endswith("/followers") for ref in audience):
        return Visibility.FOLLOWERS
    return Visibility.DIRECT


def parse_datetime(value: Any) -> datetime | None:
    """An ISO 8601 time as an aware UTC datetime (naive ones are taken as UTC); None if bad."""
    if not isinstance(value, str) or not value or len(value) > 64:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        # Year 1 or 9999 with an offset falls outside datetime's range once in UTC.
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _public(ref: str) -> str:
    return PUBLIC if ref in vocab.PUBLIC_ALIASES else ref


def _http_url(value: Any) -> str | None:
    if isinstance(value, str) and len(value) <= _URL_MAX and vocab.host_of(value) is not None:
        return value
    return None


def _url_of(value: Any) -> str | None:
    """``url`` as a string, a ``Link``, or a list of them (HTML preferred, as Mastodon picks)."""
    candidates = vocab.as_list(value)
    for item in candidates:
        if isinstance(item, Mapping) and item.get("mediaType") == "text/html":
            found = _http_url(item.get("href"))
            if found:
                return found
    for item in candidates:
        found = _http_url(vocab.id_of(item))
        if found:
            return found
    return None


def _context_of(obj: Mapping[str, Any]) -> str | None:
    context = vocab.id_of(obj.get("context"))
    if context and len(context) <= _URL_MAX:
        return context
    conversation = vocab.text(obj.get("conversation"))
    return conversation if conversation and len(conversation) <= _URL_MAX else None


def _attachments_from_ap(value: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for item in vocab.as_list(value):
        if not isinstance(item, Mapping):
            continue
        url = _url_of(item.get("url")) or (
            _http_url(item.get("href")) if vocab.type_of(item) != "Link" else None
        )
        if url is None:
            continue  # a Link with only href is a machine link, not media (Mastodon skips it)
        entry: dict[str, Any] = {
            "url": url,
            "media_type": vocab.text(item.get("mediaType"), 100) or "application/octet-stream",
            "description": vocab.text(item.get("name"), 1500)
            or vocab.text(item.get("summary"), 1500),
        }
        for field, key in (("width", "width"), ("height", "height")):
            if (number := _positive_int(item.get(field))) is not None:
                entry[key] = number
        if blurhash := vocab.text(item.get("blurhash"), 100):
            entry["blurhash"] = blurhash
        out.append({k: v for k, v in entry.items() if v is not None})
    return out


def _tags_from_ap(value: Any) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for item in vocab.as_list(value):
        kind = vocab.type_of(item)
        if kind not in ("Mention", "Hashtag") or not isinstance(item, Mapping):
            continue
        name = vocab.text(item.get("name"), 300)
        href = _http_url(item.get("href"))
        if kind == "Mention" and href is None:
            continue  # a mention names an actor by its id
        if not name and href is None:
            continue
        tag = {"type": kind, "name": name or href or ""}
        if href is not None:
            tag["href"] = href
        out.append(tag)
    return out
