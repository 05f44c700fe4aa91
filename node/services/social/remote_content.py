"""Content other servers send us, in domain terms, and forgetting an actor that was deleted.

``RemoteNote`` is what the federation adapter extracts from a received ``Note`` (see
``federation.convert.note.ap_to_note_fields``); ``node.services.social.notes.store_remote_note``
stores it. The adapter only translates vocabulary: sanitising, tombstones and visibility are decided
here in the domain.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from node import clock
from node.errors import PermissionDenied
from node.models.actors import Actor
from node.models.notifications import Notification
from node.models.social import (
    Announce,
    Block,
    Follow,
    Like,
    Note,
    NoteAddressee,
    Tombstone,
    Visibility,
)
from node.services import hashtags, notifications, text
from node.services.social import conversations


@dataclass(frozen=True)
class RemoteNote:
    """A received post, in domain terms. ``content_html`` is as received: the storing service
    sanitises it. ``addressed_local_actor_ids`` are our actors in ``to``/``cc``;
    ``mentioned_local_actor_ids`` our actors in ``Mention`` tags (both decide who may see a
    followers-only or direct post)."""

    uri: str
    url: str | None = None
    content_html: str = ""
    language: str | None = None
    summary: str | None = None
    sensitive: bool = False
    in_reply_to_uri: str | None = None
    context_uri: str | None = None
    attachments: Sequence[Mapping[str, Any]] = ()
    tags: Sequence[Mapping[str, Any]] = ()
    published: datetime | None = None
    updated: datetime | None = None
    visibility: Visibility = Visibility.PUBLIC
    addressed_local_actor_ids: Collection[int] = field(default_factory=frozenset)
    mentioned_local_actor_ids: Collection[int] = field(default_factory=frozenset)


# Bounds on what one received note may make us store.
MAX_ATTACHMENTS = 20
MAX_TAGS = 100


def host_of(uri: str) -> str:
    """The lower-case host name of a URL, without port (for same-origin checks)."""
    return (urlsplit(uri).hostname or "").lower()


def _check_origin(uri: str, author: Actor) -> None:
    if author.local:
        raise PermissionDenied("Notes of local actors are not received from elsewhere.")
    if host_of(uri) != host_of("//" + author.domain):
        raise PermissionDenied(f"{author.handle} cannot speak for objects on {host_of(uri)}.")


async def store_remote_note(author: Actor, fields: RemoteNote) -> Note | None:
    """Store a received note (``Create``) or apply a newer version of it (``Update``).

    The HTML is sanitised here. Returns None, storing nothing, when the id was deleted before
    (a tombstone: Mastodon refuses those too). An ``Update`` older than or as old as what we
    hold is ignored (the stored note is returned). Local actors addressed or mentioned become
    addressees; a reply is linked to its parent when we know it, and replies that arrived
    before their parent are linked to it now.
    """
    _check_origin(fields.uri, author)
    if await Tombstone.filter(uri=fields.uri).exists():
        return None
    values = _note_values(fields)
    existing = await Note.get_or_none(uri=fields.uri)
    if existing is not None:
        return await _update_remote_note(existing, author, fields, values)
    try:
        async with in_transaction():
            parent = (
                await Note.get_or_none(uri=fields.in_reply_to_uri)
                if fields.in_reply_to_uri
                else None
            )
            note = await Note.create(
                uri=fields.uri,
                author=author,
                local=False,
                visibility=fields.visibility,
                in_reply_to=parent,
                in_reply_to_uri=fields.in_reply_to_uri,
                context_uri=fields.context_uri,
                published=fields.published or clock.now(),
                edited_at=fields.updated
                if fields.updated and fields.published and fields.updated > fields.published
                else None,
                **values,
            )
            await hashtags.index_note(note)
            await _add_addressees(note, fields)
            if parent is not None:
                await Note.filter(id=parent.id).update(reply_count=F("reply_count") + 1)
            await notifications.notify_new_note(
                note, author, parent, fields.mentioned_local_actor_ids
            )
            await conversations.file_direct_note(note, author)
            orphans = await Note.filter(
                in_reply_to_uri=fields.uri, in_reply_to_id__isnull=True
            ).update(in_reply_to_id=note.id)
            if orphans:
                await Note.filter(id=note.id).update(reply_count=orphans)
                note.reply_count = orphans
    except IntegrityError:
        # Another worker stored the same note a moment ago.
        stored = await Note.get_or_none(uri=fields.uri)
        if stored is None:
            raise
        return stored
    return note


async def _update_remote_note(
    note: Note, author: Actor, fields: RemoteNote, values: dict[str, Any]
) -> Note:
    if note.author_id != author.id:  # type: ignore[attr-defined]
        raise PermissionDenied(f"{author.handle} is not the author of {fields.uri}.")
    current = note.edited_at or note.published
    if fields.updated is None or fields.updated <= current:
        return note
    async with in_transaction():
        for name, value in values.items():
            setattr(note, name, value)
        note.edited_at = fields.updated
        await note.save(update_fields=[*values, "edited_at"])
        await hashtags.index_note(note)
        await _add_addressees(note, fields)
    return note


def _note_values(fields: RemoteNote) -> dict[str, Any]:
    url = fields.url if fields.url and fields.url.startswith(("https://", "http://")) else None
    summary = text.plain_text(fields.summary)[: text.MAX_SUMMARY_CHARS] if fields.summary else None
    return {
        "url": url,
        "content_html": text.sanitize_remote_html(fields.content_html),
        "language": text.normalise_remote_language(fields.language),
        "summary": summary or None,
        "sensitive": bool(fields.sensitive or summary),
        "attachments": [dict(a) for a in fields.attachments[:MAX_ATTACHMENTS]],
        "tags": [dict(t) for t in fields.tags[:MAX_TAGS]],
    }


async def _add_addressees(note: Note, fields: RemoteNote) -> None:
    wanted = set(fields.addressed_local_actor_ids) | set(fields.mentioned_local_actor_ids)
    if not wanted:
        return
    local_ids = [r["id"] for r in await Actor.filter(id__in=list(wanted), local=True).values("id")]
    present = {
        r["actor_id"] for r in await NoteAddressee.filter(note_id=note.id).values("actor_id")
    }
    mentioned = set(fields.mentioned_local_actor_ids)
    await NoteAddressee.bulk_create(
        [
            NoteAddressee(note_id=note.id, actor_id=actor_id, mentioned=actor_id in mentioned)
            for actor_id in local_ids
            if actor_id not in present
        ]
    )


async def delete_remote_note(uri: str, actor: Actor) -> None:
    """A remote author deleted a note (``Delete``): remove it and keep a tombstone, so a late
    or replayed ``Create`` never brings it back. Unknown ids are tombstoned too."""
    _check_origin(uri, actor)
    note = await Note.get_or_none(uri=uri)
    if note is not None and note.author_id != actor.id:  # type: ignore[attr-defined]
        raise PermissionDenied(f"{actor.handle} is not the author of {uri}.")
    async with in_transaction():
        await Tombstone.get_or_create(uri=uri, defaults={"former_type": "Note"})
        if note is None:
            return
        if note.in_reply_to_id is not None:  # type: ignore[attr-defined]
            await Note.filter(id=note.in_reply_to_id, reply_count__gt=0).update(  # type: ignore[attr-defined]
                reply_count=F("reply_count") - 1
            )
        await note.delete()


async def forget_actor(actor: Actor) -> None:
    """Drop everything a deleted remote actor left here (``Delete{Person}``).

    Its notes are tombstoned (so a replayed ``Create`` never brings them back), its likes,
    announces, follows and blocks are removed and the counters of the notes they touched are
    recounted; the actor row stays, marked gone, so its id is never fetched and trusted again.
    """
    if actor.local:
        raise PermissionDenied("Local actors are removed by deleting their account.")
    async with in_transaction():
        touched = {r["note_id"] for r in await Like.filter(actor_id=actor.id).values("note_id")}
        touched |= {
            r["note_id"] for r in await Announce.filter(actor_id=actor.id).values("note_id")
        }
        notes = await Note.filter(author_id=actor.id).values("id", "uri", "in_reply_to_id")
        parents = {n["in_reply_to_id"] for n in notes if n["in_reply_to_id"] is not None}
        own_ids = [n["id"] for n in notes]
        for note in notes:
            await Tombstone.get_or_create(uri=note["uri"], defaults={"former_type": "Note"})
        await Like.filter(actor_id=actor.id).delete()
        await Announce.filter(actor_id=actor.id).delete()
        await NoteAddressee.filter(actor_id=actor.id).delete()
        await Notification.filter(actor_id=actor.id).delete()
        await Note.filter(id__in=own_ids).delete()
        await Follow.filter(Q(follower_id=actor.id) | Q(target_id=actor.id)).delete()
        await Block.filter(Q(actor_id=actor.id) | Q(target_id=actor.id)).delete()
        await recount(touched | parents)
        actor.gone_at = clock.now()
        await actor.save(update_fields=["gone_at", "updated_at"])


async def recount(note_ids: Collection[int]) -> None:
    """Set the reply, like and announce counters of these notes from the rows themselves."""
    for note_id in note_ids:
        await Note.filter(id=note_id).update(
            reply_count=await Note.filter(in_reply_to_id=note_id).count(),
            like_count=await Like.filter(note_id=note_id).count(),
            announce_count=await Announce.filter(note_id=note_id).count(),
        )
