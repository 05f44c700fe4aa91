"""Direct messages: the conversations a person takes part in, reading them, starting one and
answering in one.

A message is a direct note (FEDERATION.md §5.9: addressed only to the people in the
conversation, with a ``Mention`` for each), so it federates like any note; the notes service
files it into its conversation (``node.services.social.conversations``). Someone who is not in a
conversation gets ``NotFound`` for it — the same answer as for one that does not exist.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from node import clock
from node.errors import NotFound, ValidationFailed
from node.ids import parse_id
from node.models.actors import Actor, ActorKind
from node.models.base import URL_MAX
from node.models.messages import Conversation, ConversationMessage, ConversationParticipant
from node.models.social import Note, Visibility
from node.ports import ActorResolver, Publisher
from node.services.social import notes
from node.services.social.conversations import conversation_of
from node.urls import Urls

# More people than this is a mailing list, not a conversation.
MAX_RECIPIENTS = 20
# A conversation page shows the latest messages; older ones stay in the data export.
MAX_SHOWN = 200
NO_RECIPIENT = "Write the address of at least one person, such as @ana or @ana@city.example."
ABOUT_INVALID = "The subject must be a web address (https://…)."


@dataclass(frozen=True)
class ConversationSummary:
    """A line of the conversation list: who is in it, the latest message, what is unread."""

    conversation: Conversation
    others: list[Actor]
    last_message: Note | None
    unread_count: int


@dataclass(frozen=True)
class ConversationView:
    conversation: Conversation
    others: list[Actor]
    messages: list[Note]
    unread_count: int  # before this reading
    # Who the viewer is in this conversation: themselves, or the shop it was written to.
    acting_as: Actor


def parse_recipients(raw: str) -> list[str]:
    """``"@ana, @luis@faro.example"`` → the handles, in order, once each."""
    found = [part for part in re.split(r"[\s,;]+", raw.strip()) if part]
    unique = list(dict.fromkeys(found))
    if not unique:
        raise ValidationFailed.on("to", NO_RECIPIENT)
    if len(unique) > MAX_RECIPIENTS:
        raise ValidationFailed.on(
            "to", f"A conversation can have at most {MAX_RECIPIENTS} other people."
        )
    return unique


def validate_about(raw: str | None) -> str | None:
    """The optional object a conversation is about: an http(s) URL, or None."""
    value = (raw or "").strip()
    if not value:
        return None
    if len(value) > URL_MAX or not re.match(r"^https?://[^\s/]+", value) or " " in value:
        raise ValidationFailed.on("about", ABOUT_INVALID)
    return value


async def _mailbox_ids(viewer: Actor) -> list[int]:
    """The viewer and the shops its account runs: a message to a shop is its owner's to read
    and to answer (as the shop)."""
    account_id = viewer.account_id  # type: ignore[attr-defined]
    if not viewer.local or account_id is None:
        return [viewer.id]
    shops = await Actor.filter(account_id=account_id, kind=ActorKind.ORGANIZATION).values("id")
    return [viewer.id, *(int(row["id"]) for row in shops)]


async def _others(
    conversation_ids: Sequence[int], viewer: Actor, *, exclude: Sequence[int] = ()
) -> dict[int, list[Actor]]:
    rows = (
        await ConversationParticipant.filter(conversation_id__in=list(conversation_ids))
        .exclude(actor_id__in=[viewer.id, *exclude])
        .prefetch_related("actor")
        .order_by("id")
    )
    others: dict[int, list[Actor]] = {cid: [] for cid in conversation_ids}
    for row in rows:
        others[row.conversation_id].append(row.actor)  # type: ignore[attr-defined]
    return others


async def list_conversations(viewer: Actor, *, limit: int = 50) -> list[ConversationSummary]:
    """The viewer's conversations (and its shops'), the most recently active first."""
    mailboxes = await _mailbox_ids(viewer)
    memberships = (
        await ConversationParticipant.filter(actor_id__in=mailboxes)
        .prefetch_related("conversation")
        .order_by("-conversation__last_message_at", "-conversation_id")
        .limit(max(1, min(limit, 200)))
    )
    conversations = [m.conversation for m in memberships]
    ids = [c.id for c in conversations]
    others = await _others(ids, viewer, exclude=mailboxes)
    last: dict[int, Note] = {}
    for conversation_id in ids:
        row = (
            await ConversationMessage.filter(conversation_id=conversation_id)
            .order_by("-id")
            .prefetch_related("note__author")
            .first()
        )
        if row is not None:
            last[conversation_id] = row.note
    return [
        ConversationSummary(m.conversation, others[c.id], last.get(c.id), m.unread_count)
        for m, c in zip(memberships, conversations, strict=True)
    ]


async def unread_total(viewer: Actor) -> int:
    """Unread messages over all of the viewer's conversations."""
    rows = await ConversationParticipant.filter(
        actor_id__in=await _mailbox_ids(viewer), unread_count__gt=0
    ).values("unread_count")
    return sum(int(r["unread_count"]) for r in rows)


async def _membership(viewer: Actor, conversation_id: int | str) -> ConversationParticipant:
    number = parse_id(conversation_id)
    row = (
        await ConversationParticipant.filter(
            conversation_id=number, actor_id__in=await _mailbox_ids(viewer)
        )
        .order_by("id")
        .first()
        if number is not None
        else None
    )
    if row is None:
        raise NotFound("No such conversation.")
    await row.fetch_related("conversation", "actor")
    return row


async def get_conversation(
    viewer: Actor, conversation_id: int | str, *, mark_read: bool = True
) -> ConversationView:
    """A conversation the viewer is in, with its latest messages (oldest first); reading it
    marks it read unless ``mark_read`` is False. ``NotFound`` for anyone else."""
    membership = await _membership(viewer, conversation_id)
    conversation = membership.conversation
    rows = (
        await ConversationMessage.filter(conversation_id=conversation.id)
        .order_by("-id")
        .prefetch_related("note__author")
        .limit(MAX_SHOWN)
    )
    unread = membership.unread_count
    if mark_read:
        await mark_conversation_read(viewer, conversation.id)
    return ConversationView(
        conversation=conversation,
        others=(await _others([conversation.id], membership.actor))[conversation.id],
        messages=[r.note for r in reversed(rows)],
        unread_count=unread,
        acting_as=membership.actor,
    )


async def mark_conversation_read(viewer: Actor, conversation_id: int | str) -> None:
    """Nothing in this conversation is unread for the viewer any more."""
    membership = await _membership(viewer, conversation_id)
    await ConversationParticipant.filter(id=membership.id).update(
        unread_count=0, last_read_at=clock.now()
    )


async def start_conversation(
    publisher: Publisher,
    author: Actor,
    *,
    to: Sequence[str | Actor],
    content: str,
    language: str,
    about_uri: str | None = None,
    resolver: ActorResolver | None = None,
    urls: Urls | None = None,
) -> Conversation:
    """Send a first message to ``to`` (local names, ``@user@host`` handles or actors), about
    ``about_uri`` if given. Writing to the same people again lands in the same conversation."""
    if not to:
        raise ValidationFailed.on("to", NO_RECIPIENT)
    if len(to) > MAX_RECIPIENTS:
        raise ValidationFailed.on(
            "to", f"A conversation can have at most {MAX_RECIPIENTS} other people."
        )
    about = validate_about(about_uri)
    references: list[str | Actor] = [
        entry if isinstance(entry, Actor) else _full_handle(entry, author) for entry in to
    ]
    note = await notes.create_note(
        publisher,
        author,
        content=content,
        language=language,
        visibility=Visibility.DIRECT,
        to=references,
        resolver=resolver,
        urls=urls,
        about_uri=about,
    )
    conversation = await conversation_of(note.id)
    if conversation is None:  # only the author named: create_note refused that already
        raise ValidationFailed.on("to", NO_RECIPIENT)
    return conversation


def _full_handle(entry: str, author: Actor) -> str:
    """``ana`` or ``@ana`` → ``@ana@<our domain>``; full handles and URLs stay as they are."""
    value = entry.strip()
    if value.startswith(("http://", "https://")):
        return value
    user, _, host = value.lstrip("@").partition("@")
    if not user:
        raise ValidationFailed.on("to", NO_RECIPIENT)
    return f"@{user}@{host or author.domain}"


async def reply(
    publisher: Publisher,
    author: Actor,
    conversation_id: int | str,
    *,
    content: str,
    language: str,
    resolver: ActorResolver | None = None,
    urls: Urls | None = None,
) -> Note:
    """Answer in a conversation: a direct note to everyone else in it, answering its latest
    message (so Mastodon shows a thread), filed in the same conversation."""
    membership = await _membership(author, conversation_id)
    conversation = membership.conversation
    author = membership.actor  # the shop, when the conversation is with one of the author's
    others = [
        a for a in (await _others([conversation.id], author))[conversation.id] if a.gone_at is None
    ]
    if not others:
        raise ValidationFailed.on("content", "Nobody else is left in this conversation.")
    latest = (
        await ConversationMessage.filter(conversation_id=conversation.id).order_by("-id").first()
    )
    note = await notes.create_note(
        publisher,
        author,
        content=content,
        language=language,
        visibility=Visibility.DIRECT,
        in_reply_to=str(latest.note_id) if latest is not None else None,  # type: ignore[attr-defined]
        to=others,
        resolver=resolver,
        urls=urls,
        about_uri=conversation.about_uri,
    )
    await mark_conversation_read(author, conversation.id)
    return note


async def messages_of(identities: Sequence[Actor]) -> list[dict[str, object]]:
    """Every message in every conversation of ``identities`` — a person and the shops it runs —
    for the data export, oldest first. ``as`` names the identity that took part (the person,
    or the shop the conversation was carried on as); a conversation between two of them shows
    once for each."""
    mine = {actor.id: actor for actor in identities}
    memberships = await ConversationParticipant.filter(actor_id__in=list(mine)).values(
        "conversation_id", "actor_id"
    )
    taking_part: dict[int, list[Actor]] = {}
    for membership in memberships:
        conversation_id = int(membership["conversation_id"])
        taking_part.setdefault(conversation_id, []).append(mine[int(membership["actor_id"])])
    ids = list(taking_part)
    if not ids:
        return []
    everyone = await _everyone(ids)
    conversations = {c.id: c for c in await Conversation.filter(id__in=ids)}
    rows = (
        await ConversationMessage.filter(conversation_id__in=ids)
        .prefetch_related("note__author")
        .order_by("id")
    )
    out: list[dict[str, object]] = []
    for row in rows:
        note: Note = row.note
        conversation_id = row.conversation_id  # type: ignore[attr-defined]
        for actor in sorted(taking_part[conversation_id], key=lambda a: a.id):
            sent = note.author_id == actor.id  # type: ignore[attr-defined]
            out.append(
                {
                    "conversation": str(conversation_id),
                    "as": actor.handle,
                    "as_shop": actor.kind is ActorKind.ORGANIZATION,
                    "about": conversations[conversation_id].about_uri,
                    "with": [a.handle for a in everyone[conversation_id] if a.id != actor.id],
                    "id": note.uri,
                    "published": note.published,
                    "from": note.author.handle,
                    "sent": sent,
                    "language": note.language,
                    "content_html": note.content_html,
                    "content_source": note.content_source if sent else None,
                }
            )
    return out


async def _everyone(conversation_ids: Sequence[int]) -> dict[int, list[Actor]]:
    """Every participant of each conversation, in the order they joined."""
    rows = (
        await ConversationParticipant.filter(conversation_id__in=list(conversation_ids))
        .prefetch_related("actor")
        .order_by("id")
    )
    found: dict[int, list[Actor]] = {cid: [] for cid in conversation_ids}
    for row in rows:
        found[row.conversation_id].append(row.actor)  # type: ignore[attr-defined]
    return found
