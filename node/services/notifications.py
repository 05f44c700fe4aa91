"""Notifications: telling a person that someone followed, answered, mentioned, liked or shared
them, or wrote them a message.

:func:`notify` is the one way to create one; the services call it inside the transaction of the
event (local and received alike), so an event and its notification commit together. Nobody is
notified of their own actions, nor of actions by someone they block.
"""

from __future__ import annotations

from collections.abc import Iterable

from tortoise.expressions import Q, Subquery

from node import clock
from node.ids import parse_id
from node.models.accounts import Account
from node.models.actors import Actor
from node.models.notifications import Notification, NotificationKind
from node.models.social import Block, Note, Visibility

__all__ = [
    "Notification",
    "NotificationKind",
    "list_notifications",
    "mark_all_read",
    "notify",
    "notify_author",
    "notify_new_note",
    "unread_count",
]

DEFAULT_PAGE = 30
MAX_PAGE = 80
# Kinds that happen once between two accounts about one object: a repeated like, boost or follow
# (after an undo) does not notify again.
_ONCE = frozenset(
    {
        NotificationKind.FOLLOW,
        NotificationKind.FOLLOW_REQUEST,
        NotificationKind.LIKE,
        NotificationKind.BOOST,
    }
)


async def notify(
    account: Account | Actor | int,
    kind: NotificationKind | str,
    actor: Actor,
    object: Note | str | None = None,
) -> Notification | None:
    """Notify ``account`` (an account, its local actor, or an account id) that ``actor`` did
    ``kind`` about ``object`` (a note, or the URI of another object such as a conversation).

    Returns None, creating nothing, when the recipient is not a local account, is the actor
    itself, blocks the actor, or was already told about this like, boost or follow.
    """
    kind = NotificationKind(kind)
    account_id = await _account_id(account)
    if account_id is None or actor.account_id == account_id:  # type: ignore[attr-defined]
        return None
    # A subquery: Tortoise cannot iterate a ValuesQuery passed to ``__in`` (TypeError).
    own_actor_ids = Subquery(Actor.filter(account_id=account_id).values("id"))
    if await Block.filter(actor_id__in=own_actor_ids, target_id=actor.id).exists():
        return None
    note = object if isinstance(object, Note) else None
    object_uri = object if isinstance(object, str) else None
    if kind in _ONCE:
        same = Notification.filter(account_id=account_id, kind=kind, actor_id=actor.id)
        same = same.filter(note_id=note.id) if note is not None else same.filter(note_id=None)
        if await same.exists():
            return None
    return await Notification.create(
        account_id=account_id, kind=kind, actor=actor, note=note, object_uri=object_uri
    )


async def _account_id(recipient: Account | Actor | int) -> int | None:
    if isinstance(recipient, Account):
        return int(recipient.id)
    if isinstance(recipient, Actor):
        if not recipient.local:
            return None
        account_id = recipient.account_id  # type: ignore[attr-defined]
        return int(account_id) if account_id is not None else None
    return recipient


async def notify_author(note: Note, kind: NotificationKind, actor: Actor) -> None:
    """Notify the note's author, when it is a local account, that ``actor`` liked or shared it."""
    author = await Actor.get_or_none(id=note.author_id, local=True)  # type: ignore[attr-defined]
    if author is not None:
        await notify(author, kind, actor, note)


async def notify_new_note(note: Note, author: Actor, parent: Note | None,
                          mentioned_actor_ids: Iterable[int]) -> None:  # fmt: skip
    """A new note (local or received): a reply notifies the local author of ``parent``, a
    mention the local actors mentioned. Direct notes are messages: the messages service
    notifies those."""
    if note.visibility is Visibility.DIRECT:
        return
    told: set[int] = set()
    if parent is not None:
        parent_author = await Actor.get_or_none(id=parent.author_id)  # type: ignore[attr-defined]
        if (
            parent_author is not None
            and parent_author.local
            and await notify(parent_author, NotificationKind.REPLY, author, note)
        ):
            told.add(parent_author.id)
    ids = [i for i in set(mentioned_actor_ids) if i not in told]
    if not ids:
        return
    for mentioned in await Actor.filter(id__in=ids, local=True):
        await notify(mentioned, NotificationKind.MENTION, author, note)


async def list_notifications(
    account: Account,
    *,
    max_id: int | str | None = None,
    limit: int = DEFAULT_PAGE,
    mark_read: bool = False,
) -> list[Notification]:
    """The account's notifications, newest first (``actor`` and ``note`` loaded); ``max_id``
    pages backwards. With ``mark_read`` the ones returned are marked read as they are shown
    (the returned rows keep ``read_at`` as it was, so the page can still tell what is new)."""
    query = Notification.filter(account_id=account.id)
    cursor = _cursor(max_id)
    if cursor is not None:
        query = query.filter(id__lt=cursor)
    limit = max(1, min(limit, MAX_PAGE))
    rows = (
        await query.order_by("-id").limit(limit).prefetch_related("actor", "note", "note__author")
    )
    unread = [row.id for row in rows if row.read_at is None]
    if mark_read and unread:
        # Only the rows shown: one that arrives meanwhile, or sits on an older page, stays unread.
        await Notification.filter(id__in=unread, read_at=None).update(read_at=clock.now())
    return rows


async def unread_count(account: Account) -> int:
    """How many notifications the account has not marked as read."""
    return await Notification.filter(account_id=account.id, read_at=None).count()


async def mark_all_read(account: Account, *, up_to: int | str | None = None) -> int:
    """Mark the account's notifications as read (only those up to id ``up_to`` when given, so
    one that arrived after the page was shown stays unread). Returns how many changed."""
    query = Notification.filter(Q(account_id=account.id), Q(read_at=None))
    cursor = _cursor(up_to)
    if cursor is not None:
        query = query.filter(id__lte=cursor)
    return await query.update(read_at=clock.now())


def _cursor(value: int | str | None) -> int | None:
    """A page cursor from a URL: a positive BIGINT, anything else is no cursor."""
    if value is None:
        return None
    return parse_id(str(value))
