"""Likes and announces (boosts), local and received, with the notes' counters kept in step.

Local reactions are idempotent: liking twice keeps one like. Only notes the actor may see can
be liked; only public and unlisted notes can be announced (a followers-only or direct note
would leak to the booster's followers).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from node import clock
from node.errors import PermissionDenied
from node.ids import new_id
from node.models.actors import Actor
from node.models.notifications import NotificationKind
from node.models.social import Announce, Like, Note
from node.ports import Publisher
from node.services.notifications import notify_author
from node.services.social.notes import get_visible_note, urls_for
from node.services.visibility import OPEN_VISIBILITIES, can_see


async def like(publisher: Publisher, actor: Actor, note_id: int | str) -> Note:
    """The local ``actor`` likes a note it may see; returns the note with fresh counters.
    ``Like`` goes to a remote author."""
    note = await get_visible_note(note_id, actor)
    if await Like.filter(actor_id=actor.id, note_id=note.id).exists():
        return note
    like_id = new_id()
    row = Like(id=like_id, actor=actor, note=note, uri=urls_for(actor).activity(like_id))
    try:
        async with in_transaction():
            await row.save(force_create=True)
            await _bump(note.id, "like_count", +1)
            if not note.author.local:
                await publisher.liked(row)
            await notify_author(note, NotificationKind.LIKE, actor)
    except IntegrityError:
        pass  # a concurrent request liked it first
    return await _fresh(note)


async def unlike(publisher: Publisher, actor: Actor, note_id: int | str) -> Note:
    """Withdraw a like (``Undo{Like}`` to a remote author); returns the note."""
    note = await get_visible_note(note_id, actor)
    row = await Like.get_or_none(actor_id=actor.id, note_id=note.id)
    if row is None:
        return note
    async with in_transaction():
        if not note.author.local:
            row.actor, row.note = actor, note
            await publisher.unliked(row)
        if await Like.filter(id=row.id).delete():
            await _bump(note.id, "like_count", -1)
    return await _fresh(note)


async def announce(publisher: Publisher, actor: Actor, note_id: int | str) -> Note:
    """The local ``actor`` shares a public or unlisted note with its followers; returns the
    note. ``Announce`` goes to the booster's followers and the note's author."""
    note = await get_visible_note(note_id, actor)
    if note.visibility not in OPEN_VISIBILITIES:
        raise PermissionDenied("Only public and unlisted notes can be shared.")
    if await Announce.filter(actor_id=actor.id, note_id=note.id).exists():
        return note
    announce_id = new_id()
    row = Announce(
        id=announce_id,
        actor=actor,
        note=note,
        uri=urls_for(actor).activity(announce_id),
        published=clock.now(),
    )
    try:
        async with in_transaction():
            await row.save(force_create=True)
            await _bump(note.id, "announce_count", +1)
            await publisher.announced(row)
            await notify_author(note, NotificationKind.BOOST, actor)
    except IntegrityError:
        pass
    return await _fresh(note)


async def unannounce(publisher: Publisher, actor: Actor, note_id: int | str) -> Note:
    """Withdraw a share (``Undo{Announce}``); returns the note."""
    note = await get_visible_note(note_id, actor)
    row = await Announce.get_or_none(actor_id=actor.id, note_id=note.id)
    if row is None:
        return note
    async with in_transaction():
        row.actor, row.note = actor, note
        await publisher.unannounced(row)
        if await Announce.filter(id=row.id).delete():
            await _bump(note.id, "announce_count", -1)
    return await _fresh(note)


async def receive_like(actor: Actor, note_uri: str, uri: str) -> Like | None:
    """A remote ``Like`` of a note we hold. Ignored (None) when the note is unknown or not
    visible to that actor; a repeated like returns the stored one."""
    note = await Note.get_or_none(uri=note_uri)
    if note is None or not await can_see(note, actor):
        return None
    existing = await Like.filter(actor_id=actor.id, note_id=note.id).first()
    if existing is None:
        existing = await Like.get_or_none(uri=uri)
    if existing is not None:
        return existing
    try:
        async with in_transaction():
            row = await Like.create(actor=actor, note=note, uri=uri)
            await _bump(note.id, "like_count", +1)
            await notify_author(note, NotificationKind.LIKE, actor)
    except IntegrityError:
        return await Like.get_or_none(uri=uri)
    return row


async def receive_undo_like(actor: Actor, uri: str) -> None:
    """A remote actor withdraws its like (``Undo{Like}``, by the Like's id)."""
    await _remove(Like, actor, uri, "like_count")


async def receive_announce(
    actor: Actor, note: Note, uri: str, published: datetime | None = None
) -> Announce | None:
    """A remote ``Announce`` of ``note`` (stored first by the caller). Ignored (None) unless the
    note is public or unlisted."""
    if note.visibility not in OPEN_VISIBILITIES:
        return None
    existing = await Announce.filter(actor_id=actor.id, note_id=note.id).first()
    if existing is None:
        existing = await Announce.get_or_none(uri=uri)
    if existing is not None:
        return existing
    try:
        async with in_transaction():
            row = await Announce.create(
                actor=actor, note=note, uri=uri, published=published or clock.now()
            )
            await _bump(note.id, "announce_count", +1)
            await notify_author(note, NotificationKind.BOOST, actor)
    except IntegrityError:
        return await Announce.get_or_none(uri=uri)
    return row


async def receive_undo_announce(actor: Actor, uri: str) -> None:
    """A remote actor withdraws its announce (``Undo{Announce}``)."""
    await _remove(Announce, actor, uri, "announce_count")


@dataclass(frozen=True)
class ViewerReactions:
    """Which of some notes the viewer liked and announced."""

    liked: frozenset[int]
    announced: frozenset[int]


async def reactions_of(viewer: Actor | None, note_ids: Collection[int]) -> ViewerReactions:
    """The viewer's likes and announces among ``note_ids`` (one query each)."""
    if viewer is None or not note_ids:
        return ViewerReactions(frozenset(), frozenset())
    ids = list(note_ids)
    liked = await Like.filter(actor_id=viewer.id, note_id__in=ids).values("note_id")
    shared = await Announce.filter(actor_id=viewer.id, note_id__in=ids).values("note_id")
    return ViewerReactions(
        frozenset(r["note_id"] for r in liked), frozenset(r["note_id"] for r in shared)
    )


async def _remove(model: type[Like] | type[Announce], actor: Actor, uri: str, counter: str) -> None:
    async with in_transaction():
        row = await model.filter(actor_id=actor.id, uri=uri).first()
        if row is not None and await model.filter(id=row.id).delete():
            await _bump(row.note_id, counter, -1)  # type: ignore[union-attr]


async def _bump(note_id: int, counter: str, delta: int) -> None:
    if delta > 0:
        await Note.filter(id=note_id).update(**{counter: F(counter) + delta})
    else:
        await Note.filter(id=note_id, **{f"{counter}__gt": 0}).update(**{counter: F(counter) - 1})


async def _fresh(note: Note) -> Note:
    await note.refresh_from_db(fields=["like_count", "announce_count", "reply_count"])
    return note
