"""Filing direct notes into conversations (the storage side of direct messages).

Every direct note, written here (``notes.create_note``) or received (``store_remote_note``),
is filed by :func:`file_direct_note` inside the transaction that stores it, so a message and its
conversation, unread counts and notifications commit together. The use cases people call live
in ``node.services.social.messages``.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable

from tortoise.expressions import F

from node import clock
from node.models.actors import Actor
from node.models.messages import Conversation, ConversationMessage, ConversationParticipant
from node.models.social import Note, NoteAddressee, Visibility
from node.services.notifications import notify

log = logging.getLogger(__name__)


def conversation_key(participant_ids: Iterable[int], about_uri: str | None) -> str:
    """The digest naming one participant set (any order) and the object it is about."""
    ids = ",".join(str(i) for i in sorted(set(participant_ids)))
    return hashlib.sha256(f"{ids}#{about_uri or ''}".encode()).hexdigest()


async def conversation_of(note_id: int) -> Conversation | None:
    """The conversation a note was filed in, if any."""
    row = await ConversationMessage.get_or_none(note_id=note_id).prefetch_related("conversation")
    return row.conversation if row is not None else None


async def _parent_conversation(note: Note) -> Conversation | None:
    parent_id = note.in_reply_to_id  # type: ignore[attr-defined]
    if parent_id is None:
        return None
    return await conversation_of(parent_id)


async def _about(note: Note, parent: Conversation | None, about_uri: str | None) -> str | None:
    """What the conversation is about: given by the writer, inherited from the message answered,
    or — for a first message — the object it answers (a listing, a public post)."""
    if about_uri:
        return about_uri
    if parent is not None:
        return parent.about_uri
    return note.in_reply_to_uri


async def _participants_of_received(note: Note, author: Actor) -> list[Actor]:
    """A received note's author, our actors it addressed, and the actors it mentions that we
    know (a remote participant we never met cannot be named, so it is left out)."""
    local_ids = [
        r["actor_id"] for r in await NoteAddressee.filter(note_id=note.id).values("actor_id")
    ]
    hrefs = [
        str(tag["href"])
        for tag in note.tags or []
        if isinstance(tag, dict) and tag.get("type") == "Mention" and tag.get("href")
    ]
    found = await Actor.filter(id__in=local_ids) if local_ids else []
    if hrefs:
        found += await Actor.filter(uri__in=hrefs[:100])
    return [author, *found]


async def file_direct_note(
    note: Note,
    author: Actor,
    participants: Iterable[Actor] | None = None,
    *,
    about_uri: str | None = None,
) -> Conversation | None:
    """Put a direct note in the conversation of its participant set, creating it if needed.

    Call inside the note's transaction. ``participants`` are the author and addressees of a
    note written here; for a received note they are read from its addressees and mentions.
    Local participants other than the author get one more unread message and a "message"
    notification. Returns None for a note that is not direct or names nobody but its author.
    """
    if note.visibility is not Visibility.DIRECT:
        return None
    if await ConversationMessage.filter(note_id=note.id).exists():
        return await conversation_of(note.id)
    people = list(participants) if participants is not None else None
    if people is None:
        people = await _participants_of_received(note, author)
    by_id = {a.id: a for a in people if a.gone_at is None or a.id == author.id}
    by_id[author.id] = author
    if len(by_id) < 2:
        return None
    parent = await _parent_conversation(note)
    about = await _about(note, parent, about_uri)
    key = conversation_key(by_id, about)
    # Arrival time, not the sender's clock: a peer's skewed ``published`` cannot reorder a chat.
    moment = clock.now()
    conversation = await Conversation.get_or_none(key=key)
    if conversation is None:
        conversation = await Conversation.create(key=key, about_uri=about, last_message_at=moment)
        await ConversationParticipant.bulk_create(
            [
                ConversationParticipant(conversation=conversation, actor_id=actor_id)
                for actor_id in by_id
            ]
        )
    else:
        conversation.last_message_at = moment
        await conversation.save(update_fields=["last_message_at"])
    await ConversationMessage.create(conversation=conversation, note=note)
    readers = [a for a in by_id.values() if a.local and a.id != author.id]
    if readers:
        await ConversationParticipant.filter(
            conversation_id=conversation.id, actor_id__in=[a.id for a in readers]
        ).update(unread_count=F("unread_count") + 1)
    await _notify(readers, author, note)
    return conversation


async def _notify(readers: list[Actor], author: Actor, note: Note) -> None:
    """Each local reader gets a "message" notification about the note."""
    for reader in readers:
        await notify(reader, "message", author, note)
