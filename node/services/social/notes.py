"""Posts: writing, editing and deleting local notes, reading any note the viewer may see.

Received notes are stored by :func:`store_remote_note` / :func:`delete_remote_note` (in
``node.services.social.remote_content``, re-exported here). Every change opens its own
transaction and calls the ``Publisher`` inside it, so the change and its deliveries commit
together; actors are resolved (network I/O) before the transaction opens.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from node import clock
from node.config import Settings
from node.errors import NotFound, PermissionDenied, ValidationFailed
from node.ids import new_id, parse_id
from node.models.actors import Actor
from node.models.media import NoteMedia
from node.models.social import Note, NoteAddressee, Tombstone, Visibility
from node.ports import ActorResolver, Publisher
from node.services import hashtags, notifications, text
from node.services.social import conversations, media_uploads, note_media
from node.services.social.note_addressing import (
    MAX_MENTIONS,
    note_tags,
    render_html,
    resolve_addressees,
    resolve_mentions,
)
from node.services.social.note_media import MediaUpload
from node.services.social.remote_content import delete_remote_note, store_remote_note
from node.services.visibility import can_see, visible_to
from node.urls import Urls

__all__ = [
    "MAX_MENTIONS",
    "can_see",
    "create_note",
    "delete_note",
    "delete_remote_note",
    "edit_note",
    "get_visible_note",
    "own_note",
    "store_remote_note",
    "urls_for",
    "visible_to",
]


def urls_for(actor: Actor) -> Urls:
    """The URL builder of the node a local actor lives on: its ids start with that node's base
    URL, so services that only hold the actor still build ids the one way ``Urls`` does."""
    scheme: Literal["http", "https"] = "https" if actor.uri.startswith("https:") else "http"
    return Urls(Settings(domain=actor.domain, scheme=scheme))


def parse_note_id(note_id: int | str) -> int:
    """A note id → int; anything that cannot be one is simply not found."""
    number = parse_id(note_id)
    if number is None:
        raise NotFound("No such note, or it is not visible to you.")
    return number


async def get_visible_note(note_id: int | str, viewer: Actor | None) -> Note:
    """The note with this id if ``viewer`` may see it; ``NotFound`` otherwise — the same answer
    whether it does not exist or is hidden, so its existence is never confirmed."""
    note = await Note.get_or_none(id=parse_note_id(note_id)).prefetch_related("author")
    if note is None or not await can_see(note, viewer):
        raise NotFound("No such note, or it is not visible to you.")
    return note


async def own_note(author: Actor, note_id: int | str) -> Note:
    """One's own note, to edit or delete it: ``NotFound`` when the author may not see it,
    ``PermissionDenied`` when it is someone else's."""
    note = await get_visible_note(note_id, author)
    if note.author_id != author.id:  # type: ignore[attr-defined]
        raise PermissionDenied("Only the author can change this note.")
    return note


async def create_note(
    publisher: Publisher,
    author: Actor,
    *,
    content: str,
    language: str,
    visibility: Visibility,
    in_reply_to: str | None = None,
    to: Sequence[Actor | str] = (),
    resolver: ActorResolver | None = None,
    urls: Urls | None = None,
    about_uri: str | None = None,
    summary: str | None = None,
    sensitive: bool = False,
    media: Sequence[MediaUpload] = (),
    media_dir: Path | None = None,
    media_rows: Sequence[NoteMedia] = (),
) -> Note:
    """Publish a local note written in markdown.

    Mentions (``@user``, ``@user@host``) are resolved through ``resolver`` (without one: among
    actors already known here) and become addressees, as do the actors or references in ``to``
    and the author of the note replied to. ``in_reply_to`` is a note id or URI the author may
    see. A direct note needs at least one addressee; it is filed in the conversation of its
    participants, about ``about_uri`` (an object such as a listing, sent as ``inReplyTo`` when
    the note answers no note) when given.

    ``summary`` is a content warning (Mastodon's CW: the text shows folded behind it); a note
    with one is ``sensitive``. ``media`` are up to four pictures with alt text, re-encoded and
    written under ``media_dir`` only once everything else is valid; nothing is kept when the
    post is refused. ``media_rows`` are pictures uploaded before (``media_uploads``), attached
    in the note's transaction.
    """
    if not author.local:
        raise PermissionDenied("Only local actors write notes here.")
    source = text.validate_note_content(content)
    language = text.validate_local_language(language)
    visibility = _parse_visibility(visibility)
    warning = validate_summary(summary)
    note_media.check_count(len(media) + len(media_rows))
    parent = await _find_parent(in_reply_to, author)
    mentioned = await resolve_mentions(resolver, author, source)
    addressed = await resolve_addressees(resolver, author, to)
    if parent is not None and parent.author_id != author.id:  # type: ignore[attr-defined]
        addressed.setdefault(parent.author_id, parent.author)  # type: ignore[attr-defined]
    mentioned_ids = {a.id for a in mentioned.values()}
    addressees = {a.id: a for a in mentioned.values()} | addressed
    if visibility is Visibility.DIRECT and not addressees:
        raise ValidationFailed.on(
            "to", "A direct note needs at least one mentioned or addressed account."
        )
    urls = urls or urls_for(author)
    created = await media_uploads.store_new(author, media, media_dir, urls)
    note_id = new_id()
    note = Note(
        id=note_id,
        uri=urls.note(note_id),
        url=urls.note_page(author.username, note_id),
        author=author,
        local=True,
        visibility=visibility,
        content_source=source,
        content_html=render_html(source, mentioned, urls),
        language=language,
        in_reply_to=parent,
        in_reply_to_uri=parent.uri if parent else about_uri,
        context_uri=parent.context_uri if parent else None,
        tags=note_tags(source, addressees.values(), urls),
        summary=warning,
        sensitive=bool(sensitive or warning),
        published=clock.now(),
    )
    note.attachments = [*(row.entry for row in created), *(dict(row.entry) for row in media_rows)]
    try:
        await _save_new_note(
            publisher, note, author, parent, addressees, mentioned_ids, about_uri,
            media_rows, created,
        )  # fmt: skip
    except BaseException:
        # Only the files written for this post: the uploads in ``media_rows`` stay theirs (a
        # post that won a race for one of them shows its file).
        if media_dir is not None:
            note_media.remove_media(media_dir, [row.entry for row in created])
        raise
    return note


async def _save_new_note(
    publisher: Publisher,
    note: Note,
    author: Actor,
    parent: Note | None,
    addressees: dict[int, Actor],
    mentioned_ids: set[int],
    about_uri: str | None,
    media_rows: Sequence[NoteMedia],
    created: Sequence[NoteMedia],
) -> None:
    visibility = note.visibility
    async with in_transaction():
        await note.save(force_create=True)
        await media_uploads.link(note, media_rows, created)
        await hashtags.index_note(note)
        await NoteAddressee.bulk_create(
            [
                NoteAddressee(note=note, actor=a, mentioned=a.id in mentioned_ids)
                for a in addressees.values()
            ]
        )
        if parent is not None:
            await Note.filter(id=parent.id).update(reply_count=F("reply_count") + 1)
        await notifications.notify_new_note(note, author, parent, mentioned_ids)
        if visibility is Visibility.DIRECT:
            await conversations.file_direct_note(
                note, author, [author, *addressees.values()], about_uri=about_uri
            )
        await publisher.note_created(note)


async def edit_note(
    publisher: Publisher,
    author: Actor,
    note_id: int | str,
    *,
    content: str,
    language: str | None = None,
    resolver: ActorResolver | None = None,
    urls: Urls | None = None,
    summary: str | None = None,
    sensitive: bool | None = None,
    attachments: Sequence[Any] | None = None,
    media: Sequence[MediaUpload] = (),
    media_dir: Path | None = None,
    media_ids: Sequence[str] | None = None,
    media_descriptions: Mapping[str, str] | None = None,
) -> Note:
    """Change the text (and optionally the language, content warning and pictures) of one's
    own note; sends ``Update``.

    New mentions become addressees; nobody who could see the note loses it. ``summary`` None
    keeps the content warning, ``""`` removes it; a note with a warning is always sensitive.

    Pictures, as the pages edit them: ``attachments`` the pictures kept, by position, with
    their alt text (None keeps them all), and ``media`` new pictures from the form, added
    after. As the API edits them (Mastodon's shape, ``media_uploads.plan_edit``):
    ``media_ids`` the pictures afterwards, in order — the note's own and one's waiting
    uploads — and ``media_descriptions`` new alt texts by media id. At most four in all. With
    ``media_dir``, the files of pictures the note no longer has are removed once the edit is
    committed; new files are removed again when the edit is refused.
    """
    note = await own_note(author, note_id)
    media_rows: list[NoteMedia] = []
    if media_ids is not None or media_descriptions:
        attachments, media_rows = await media_uploads.plan_edit(
            author, note, media_ids, media_descriptions
        )
    source = text.validate_note_content(content)
    language = text.validate_local_language(language) if language is not None else note.language
    warning = validate_summary(summary) if summary is not None else note.summary
    if sensitive is None:
        sensitive = note.sensitive if summary is None else False
    before = list(note.attachments or [])
    kept = list(attachments) if attachments is not None else before
    note_media.check_count(len(kept) + len(media) + len(media_rows))
    mentioned = await resolve_mentions(resolver, author, source)
    urls = urls or urls_for(author)
    created = await media_uploads.store_new(author, media, media_dir, urls)
    pictures = [*kept, *(row.entry for row in created), *(dict(row.entry) for row in media_rows)]
    if media_ids is not None:
        pictures = media_uploads.in_order(pictures, [str(i) for i in media_ids])
    try:
        await _save_edit(
            publisher, note, source, language, warning, bool(sensitive or warning), mentioned,
            urls, pictures, media_rows, created,
        )  # fmt: skip
    except BaseException:
        if media_dir is not None:
            note_media.remove_media(media_dir, [row.entry for row in created])
        raise
    if media_dir is not None:
        remaining = set(note_media.local_files(pictures))
        gone = [item for item in before if not set(note_media.local_files([item])) <= remaining]
        await media_uploads.forget_removed(media_dir, note, gone)
    return note


async def _save_edit(
    publisher: Publisher,
    note: Note,
    source: str,
    language: str | None,
    warning: str | None,
    sensitive: bool,
    mentioned: dict[text.Mention, Actor],
    urls: Urls,
    pictures: list[Any],
    media_rows: Sequence[NoteMedia],
    created: Sequence[NoteMedia],
) -> None:
    async with in_transaction():
        known = {
            row.actor_id: row  # type: ignore[attr-defined]
            for row in await NoteAddressee.filter(note_id=note.id).prefetch_related("actor")
        }
        for actor in mentioned.values():
            if actor.id not in known:
                known[actor.id] = await NoteAddressee.create(note=note, actor=actor, mentioned=True)
                known[actor.id].actor = actor
        note.content_source = source
        note.content_html = render_html(source, mentioned, urls)
        note.language = language
        note.summary = warning  # type: ignore[assignment]  # a nullable column, typed str
        note.sensitive = sensitive
        note.tags = note_tags(source, [row.actor for row in known.values()], urls)
        note.edited_at = edit_time(note.edited_at or note.published)
        note.attachments = pictures
        await note.save(
            update_fields=["content_source", "content_html", "language", "summary", "sensitive",
                           "tags", "edited_at", "attachments"]
        )  # fmt: skip
        await media_uploads.link(note, media_rows, created)
        await hashtags.index_note(note)
        await publisher.note_updated(note)


async def delete_note(
    publisher: Publisher, author: Actor, note_id: int | str, *, media_dir: Path | None = None
) -> None:
    """Delete one's own note: ``Delete{Tombstone}`` goes out and its id is never used again.
    Its pictures are removed from ``media_dir`` once the deletion is committed."""
    note = await own_note(author, note_id)
    async with in_transaction():
        await publisher.note_deleted(note)
        await Tombstone.get_or_create(uri=note.uri, defaults={"former_type": "Note"})
        if note.in_reply_to_id is not None:  # type: ignore[attr-defined]
            await Note.filter(id=note.in_reply_to_id, reply_count__gt=0).update(  # type: ignore[attr-defined]
                reply_count=F("reply_count") - 1
            )
        await note.delete()
    if media_dir is not None:
        note_media.remove_media(media_dir, note.attachments or [])


# --- helpers ----------------------------------------------------------------------------


def validate_summary(summary: str | None) -> str | None:
    """A content warning: one line of plain text (shown escaped), at most
    :data:`text.MAX_SUMMARY_CHARS`; empty means none."""
    warning = " ".join((summary or "").split())
    if len(warning) > text.MAX_SUMMARY_CHARS:
        raise ValidationFailed.on(
            "summary", f"A content warning can have at most {text.MAX_SUMMARY_CHARS} characters."
        )
    return warning or None


def edit_time(previous: datetime) -> datetime:
    """When an edit happens: now, but always at least one whole second after ``previous``.

    ``published``/``updated`` travel with second precision (``clock.isoformat``) and receivers
    apply an ``Update`` only when its ``updated`` is newer than what they hold, so an edit in the
    same second as the post (or as the previous edit) would be ignored by every other server.
    """
    return max(clock.now(), previous.replace(microsecond=0) + timedelta(seconds=1))


def _parse_visibility(value: Visibility | str) -> Visibility:
    try:
        return Visibility(value)
    except ValueError:
        choices = ", ".join(v.value for v in Visibility)
        raise ValidationFailed.on("visibility", f"Visibility must be one of {choices}.") from None


async def _find_parent(reference: str | None, author: Actor) -> Note | None:
    if reference is None or not reference.strip():
        return None
    reference = reference.strip()
    number = parse_id(reference)
    query = Note.filter(id=number) if number is not None else Note.filter(uri=reference)
    parent = await query.prefetch_related("author").first()
    if parent is None or not await can_see(parent, author):
        raise ValidationFailed.on(
            "in_reply_to", "The note you reply to does not exist or is not visible to you."
        )
    return parent
