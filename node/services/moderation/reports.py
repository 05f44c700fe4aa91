"""Reports to this node's moderators."""

from __future__ import annotations

from collections.abc import Sequence

from tortoise.transactions import in_transaction

from node.models.actors import Actor
from node.models.moderation import Report
from node.models.social import Note


async def receive_report(
    reporter: Actor, *, uri: str, reported_uris: Sequence[str], comment: str
) -> Report | None:
    """Store a report another server sent (``Flag``) about our actors or notes.

    ``reported_uris`` may name local actors and local notes; anything else is ignored. The
    reported actor is the first local actor named, or else the author of the first local note.
    Returns None when nothing of ours is named. A report with the same ``uri`` is stored once.
    ``comment`` is plain text as received: pages escape it like any other text.
    """
    actors = {a.uri: a for a in await Actor.filter(uri__in=list(reported_uris), local=True)}
    notes = {
        n.uri: n
        for n in await Note.filter(uri__in=list(reported_uris), local=True).prefetch_related(
            "author"
        )
    }
    target = next((actors[u] for u in reported_uris if u in actors), None)
    note_uris = [u for u in reported_uris if u in notes]
    if target is None and note_uris:
        target = notes[note_uris[0]].author
    if target is None:
        return None
    async with in_transaction():
        existing = await Report.get_or_none(uri=uri)
        if existing is not None:
            return existing
        return await Report.create(
            uri=uri, reporter=reporter, target=target, object_uris=note_uris, comment=comment
        )
