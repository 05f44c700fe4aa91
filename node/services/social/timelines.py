"""Timelines and threads: the notes a viewer may see, newest first, paged by id.

Ids are time-ordered snowflakes, so ``max_id`` (older than) and ``min_id`` (just newer than)
are cheap cursors, as on Mastodon. A timeline entry is a note, or a note announced by someone
the viewer follows; an entry's ``id`` is the cursor (the note's or the announce's id).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from node.models.actors import Actor
from node.models.social import Announce, Block, Follow, FollowState, Note, Visibility
from node.services.social.notes import get_visible_note
from node.services.visibility import (
    OPEN_VISIBILITIES,
    not_a_message,
    suspended_actor_ids,
    visible_to,
)

MAX_LIMIT = 40
DEFAULT_LIMIT = 20
# How far a thread is walked: deeper or larger conversations are cut, not loaded whole.
MAX_ANCESTORS = 40
MAX_DESCENDANTS = 200


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a timeline: ``note``, shared by ``announced_by`` when it is a boost."""

    id: int
    note: Note
    announced_by: Actor | None = None
    announced_at: datetime | None = None


@dataclass(frozen=True)
class Thread:
    """A note with the visible notes it answers (oldest first) and the answers to it."""

    ancestors: list[Note]
    note: Note
    descendants: list[Note]


def clamp_limit(limit: int) -> int:
    return max(1, min(limit, MAX_LIMIT))


async def home(
    viewer: Actor,
    *,
    max_id: int | None = None,
    min_id: int | None = None,
    limit: int = DEFAULT_LIMIT,
) -> list[TimelineEntry]:
    """The viewer's own notes, the notes of actors it follows that it may see, and what those
    actors announced; newest first. Direct notes are not in it: they are conversations, read
    in Messages (sent or received, written here or on another server)."""
    limit = clamp_limit(limit)
    followed = Follow.filter(follower_id=viewer.id, state=FollowState.ACCEPTED).values("target_id")
    authors = Q(author_id=viewer.id) | Q(author_id__in=Subquery(followed))
    notes = await _page(
        Note.filter(authors, visible_to(viewer), not_a_message()).prefetch_related("author"),
        max_id,
        min_id,
        limit,
    )
    blocking = Block.filter(target_id=viewer.id).values("actor_id")
    blocked = Block.filter(actor_id=viewer.id).values("target_id")
    boosts = await _page(
        Announce.filter(
            Q(actor_id__in=Subquery(followed)),
            ~Q(note__author_id__in=Subquery(blocking)),
            ~Q(note__author_id__in=Subquery(blocked)),
            ~Q(note__author_id__in=suspended_actor_ids()),
            ~Q(actor_id__in=suspended_actor_ids()),
            note__visibility__in=list(OPEN_VISIBILITIES),
        ).prefetch_related("actor", "note", "note__author"),
        max_id,
        min_id,
        limit,
    )
    entries = [TimelineEntry(n.id, n) for n in notes] + [
        TimelineEntry(b.id, b.note, announced_by=b.actor, announced_at=b.published) for b in boosts
    ]
    entries.sort(key=lambda e: e.id, reverse=True)
    if min_id is not None:
        return entries[-limit:]  # the entries just after min_id
    return entries[:limit]


async def public_local(
    viewer: Actor | None = None,
    *,
    max_id: int | None = None,
    min_id: int | None = None,
    limit: int = DEFAULT_LIMIT,
) -> list[TimelineEntry]:
    """Public notes written on this node, newest first (without authors the viewer blocks or
    is blocked by)."""
    query = Note.filter(
        ~Q(author_id__in=suspended_actor_ids()), local=True, visibility=Visibility.PUBLIC
    )
    if viewer is not None:
        blocked = Block.filter(actor_id=viewer.id).values("target_id")
        blocking = Block.filter(target_id=viewer.id).values("actor_id")
        query = query.filter(
            ~Q(author_id__in=Subquery(blocked)), ~Q(author_id__in=Subquery(blocking))
        )
    notes = await _page(query.prefetch_related("author"), max_id, min_id, clamp_limit(limit))
    return [TimelineEntry(n.id, n) for n in notes]


async def thread(note_id: int | str, viewer: Actor | None) -> Thread:
    """The conversation around a note the viewer may see: its visible ancestors, oldest first,
    and its visible descendants in reading order (depth first, oldest answer first). A reply
    the viewer may not see hides the replies below it too."""
    note = await get_visible_note(note_id, viewer)
    ancestors: list[Note] = []
    current = note
    seen = {note.id}
    while current.in_reply_to_id is not None and len(ancestors) < MAX_ANCESTORS:  # type: ignore[attr-defined]
        parent = (
            await Note.filter(Q(id=current.in_reply_to_id), visible_to(viewer))  # type: ignore[attr-defined]
            .prefetch_related("author")
            .first()
        )
        if parent is None or parent.id in seen:
            break
        seen.add(parent.id)
        ancestors.append(parent)
        current = parent
    ancestors.reverse()
    return Thread(ancestors, note, await _descendants(note, viewer, seen))


async def _descendants(root: Note, viewer: Actor | None, seen: set[int]) -> list[Note]:
    children: dict[int, list[Note]] = {}
    level = [root.id]
    total = 0
    while level and total < MAX_DESCENDANTS:
        replies = (
            await Note.filter(Q(in_reply_to_id__in=level), visible_to(viewer))
            .order_by("id")
            .limit(MAX_DESCENDANTS - total)
            .prefetch_related("author")
        )
        replies = [r for r in replies if r.id not in seen]
        for reply in replies:
            seen.add(reply.id)
            children.setdefault(reply.in_reply_to_id, []).append(reply)  # type: ignore[attr-defined]
        total += len(replies)
        level = [r.id for r in replies]
    ordered: list[Note] = []

    def walk(parent_id: int) -> None:
        for child in children.get(parent_id, []):
            ordered.append(child)
            walk(child.id)

    walk(root.id)
    return ordered


M = TypeVar("M", Note, Announce)


async def _page(query: QuerySet[M], max_id: int | None, min_id: int | None, limit: int) -> list[M]:
    if max_id is not None:
        query = query.filter(id__lt=max_id)
    if min_id is not None:
        rows = await query.filter(id__gt=min_id).order_by("id").limit(limit)
        return list(reversed(rows))
    return await query.order_by("-id").limit(limit)
