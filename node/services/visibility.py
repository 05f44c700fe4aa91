"""Who may see a note: one rule, used for single notes, timelines, threads and reactions.

- public and unlisted: anyone (unlisted only stays out of public timelines);
- followers: the author, the author's accepted followers and the note's addressees;
- direct: the author and the addressees;
- and never between two actors where one blocks the other, either way (Mastodon hides
  those too: a reply from someone you blocked does not show in your threads);
- and never, to anyone but the author, the notes of a suspended actor (staff suspended it here).
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
    if viewer is not None and await blocked_either_way(viewer, note.author_id):  # type: ignore[attr-defined]
        return False
    if await Actor.filter(id=note.author_id, suspended_at__isnull=False).exists():  # type: ignore[attr-defined]
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


async def blocked_either_way(viewer: Actor, author_id: int) -> bool:
    """Whether the author blocks the viewer or the viewer blocks the author. Both hide the note:
    a reply from someone you blocked must not show in your threads (it may still be stored, for
    others, when a server that ignores the block keeps sending)."""
    ids = [viewer.id, author_id]
    return await Block.filter(actor_id__in=ids, target_id__in=ids).exists()


def suspended_actor_ids() -> Subquery:
    """The ids of suspended actors, for ``author_id__in`` filters."""
    return Subquery(Actor.filter(suspended_at__isnull=False).values("id"))


def not_a_message() -> Q:
    """A filter on ``Note`` leaving out direct notes. They are private conversations, shown in
    Messages only: a timeline or a profile listing them beside posts makes them look public
    (and offers Edit/Delete as on a post), even to the people allowed to read them."""
    return ~Q(visibility=Visibility.DIRECT)


def visible_to(viewer: Actor | None) -> Q:
    """A filter on ``Note`` equivalent to :func:`can_see`, for queries over many notes."""
    open_q = Q(visibility__in=list(OPEN_VISIBILITIES)) & ~Q(author_id__in=suspended_actor_ids())
    if viewer is None:
        return open_q
    followed = Follow.filter(follower_id=viewer.id, state=FollowState.ACCEPTED).values("target_id")
    addressed = NoteAddressee.filter(actor_id=viewer.id).values("note_id")
    blocking = Block.filter(target_id=viewer.id).values("actor_id")
    blocked = Block.filter(actor_id=viewer.id).values("target_id")
    return Q(author_id=viewer.id) | (
        ~Q(author_id__in=Subquery(blocking))
        & ~Q(author_id__in=Subquery(blocked))
        & ~Q(author_id__in=suspended_actor_ids())
        & (
            open_q
            | Q(id__in=Subquery(addressed))
            | Q(visibility=Visibility.FOLLOWERS, author_id__in=Subquery(followed))
        )
    )
