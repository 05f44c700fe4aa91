"""A hashtag's page: the public posts (written here or received) and the listings carrying it.

Like Mastodon's tag timelines only public posts show (unlisted ones stay out of every public
timeline), newest first, paged by note id as the other timelines are.
"""

from __future__ import annotations

from tortoise.expressions import Q, Subquery

from node.models.actors import Actor
from node.models.hashtags import NoteHashtag
from node.models.market import Listing
from node.models.social import Block, Note, Visibility
from node.services import hashtags
from node.services.market import search
from node.services.social.timelines import DEFAULT_LIMIT, TimelineEntry, clamp_limit
from node.services.visibility import suspended_actor_ids


async def tagged_notes(
    name: str,
    viewer: Actor | None = None,
    *,
    max_id: int | None = None,
    min_id: int | None = None,
    limit: int = DEFAULT_LIMIT,
    local: bool | None = None,
) -> list[TimelineEntry]:
    """Public notes carrying the hashtag ``name`` (any spelling of it), newest first, without
    suspended or departed authors nor those the viewer blocks or is blocked by. ``local``
    True: only notes written here; False: only received ones."""
    key = hashtags.normalise(name)
    if not key:
        return []
    limit = clamp_limit(limit)
    # Walk the (name, note_id) index, not the whole note table: a rare tag stays cheap.
    rows = NoteHashtag.filter(
        ~Q(note__author_id__in=suspended_actor_ids()),
        name=key,
        note__visibility=Visibility.PUBLIC,
        note__author__gone_at__isnull=True,
    )
    if viewer is not None:
        blocked = Block.filter(actor_id=viewer.id).values("target_id")
        blocking = Block.filter(target_id=viewer.id).values("actor_id")
        rows = rows.filter(
            ~Q(note__author_id__in=Subquery(blocked)), ~Q(note__author_id__in=Subquery(blocking))
        )
    if local is not None:
        rows = rows.filter(note__local=local)
    if max_id is not None:
        rows = rows.filter(note_id__lt=max_id)
    if min_id is not None:
        found = await rows.filter(note_id__gt=min_id).order_by("note_id").limit(limit)
        found.reverse()
    else:
        found = await rows.order_by("-note_id").limit(limit)
    ids = [row.note_id for row in found]  # type: ignore[attr-defined]
    notes = {n.id: n for n in await Note.filter(id__in=ids).prefetch_related("author")}
    return [TimelineEntry(i, notes[i]) for i in ids if i in notes]


async def tagged_listings(name: str, *, limit: int = 20, offset: int = 0) -> list[Listing]:
    """Published and reserved listings, local and received, carrying the hashtag ``name``
    (their category's and city's hashtags count), newest first."""
    if not hashtags.normalise(name):
        return []
    return await search.search(search.SearchQuery(tag=name, limit=limit, offset=offset))
