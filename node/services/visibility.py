"""Who may see a note: one rule, used for single notes, timelines, threads and reactions.

- public and unlisted: anyone (unlisted only stays out of public timelines);
- followers: the author, the author's accepted followers and the note's addressees;
- direct: the author and the addressees;
- and never someone the author blocks (Mastodon hides those too).
"""

from __future__ import annotations

from tortoise.expressions import Q, Subquery

from node.models.actors import Actor
from node.models.social import Block, Follow, FollowState, Note, NoteAddressee, Visibility

OPEN_VISIBILITIES = (Visibility.PUBLIC, Visibility.UNLISTED)


async def can_see(note: Note, viewer: Actor | None) -> bool:
    """Whether ``viewer`` (None: someone not signed in, or an unsigned request) may see ``note``."""
    if viewer is not None and note.author_id == viewer.id:  # type: ignore[attr-defined]
        return True
    if viewer is not None and await is_blocked_by(viewer, note.author_id):  # type: ignore[attr-defined]
        return False
    if note.visibility in OPEN_VISIBILITIES:
        return True
    if viewer is None:
        return False
    if await NoteAddressee.filter(note_id=note.id, actor_id=viewer.id).exists():
        return True
    if note.visibility is Visibility.FOLLOWERS:
        return await Follow.filter(
            follower_id=viewer.id,
            target_id=note.author_id,  # type: ignore[attr-defined]
            state=FollowState.ACCEPTED,
        ).exists()
    return False


async def is_blocked_by(viewer: Actor, author_id: int) -> bool:
    return await Block.filter(actor_id=author_id, target_id=viewer.id).exists()


def visible_to(viewer: Actor | None) -> Q:
    """A filter on ``Note`` equivalent to :func:`can_see`, for queries over many notes."""
    open_q = Q(visibility__in=list(OPEN_VISIBILITIES))
    if viewer is None:
        return open_q
    followed = Follow.filter(follower_id=viewer.id, state=FollowState.ACCEPTED).values("target_id")
    addressed = NoteAddressee.filter(actor_id=viewer.id).values("note_id")
    blocking = Block.filter(target_id=viewer.id).values("actor_id")
    return Q(author_id=viewer.id) | (
        ~Q(author_id__in=Subquery(blocking))
        & (
            open_q
            | Q(id__in=Subquery(addressed))
            | Q(visibility=Visibility.FOLLOWERS, author_id__in=Subquery(followed))
        )
    )
