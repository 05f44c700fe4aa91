"""``ActivityPublisher``: the ``node.ports.Publisher`` the domain calls inside each change's
transaction. Every method builds the activity (``federation.convert``), stores it as an
``OutgoingActivity`` (served at its id; public ones list in the outbox) and writes one delivery
job per distinct remote inbox (``federation.delivery.fanout``). No network I/O happens here.

Addressing follows FEDERATION.md §5.0/§5.9; who receives what:

- a note: the author's followers (not for direct notes), every actor it mentions or is
  addressed to, and for public and unlisted notes the replied-to note's author;
- Follow/Undo, Block/Undo: the target; Accept/Reject: the follower;
- Like/Undo: the note's author; Announce/Undo: the booster's followers and the note's author;
- Update{actor}: the actor's followers; Delete{actor}: its followers and those it follows;
- Flag: the reported actor's server, from the instance actor.

Undoing (or deleting) withdraws the original activity too, so the outbox and ``/activities/{id}``
never keep showing a post that was deleted or a boost that was taken back.
"""

from __future__ import annotations

import logging

from federation.convert import activities
from federation.convert.actor import actor_to_ap
from federation.convert.note import (
    followers_collection,
    mentioned_uris,
    note_audience,
    note_to_ap,
)
from federation.delivery.fanout import Recipients, fan_out
from federation.vocab import PUBLIC, Json
from node.ids import new_id
from node.models.actors import Actor
from node.models.moderation import Report
from node.models.peers import OutgoingActivity
from node.models.social import Announce, Block, Follow, Like, Note, Visibility
from node.urls import Urls

log = logging.getLogger(__name__)

_LISTED = (Visibility.PUBLIC, Visibility.UNLISTED)


async def _actor(obj: Follow | Like | Announce | Block | Note | Report, name: str) -> Actor:
    """A relation of ``obj`` holding an Actor: the loaded object, or fetched by its id."""
    value = getattr(obj, name, None)
    if isinstance(value, Actor):
        return value
    actor = await Actor.get(id=getattr(obj, f"{name}_id"))
    setattr(obj, name, actor)
    return actor


async def _note(obj: Like | Announce) -> Note:
    value = getattr(obj, "note", None)
    if not isinstance(value, Note):
        value = await Note.get(id=getattr(obj, "note_id"))  # noqa: B009 - set by Tortoise
        obj.note = value
    await _actor(value, "author")
    return value


class ActivityPublisher:
    """Implements ``node.ports.Publisher``; set on the app as ``node.appkeys.PUBLISHER``."""

    def __init__(self, urls: Urls, *, default_language: str | None = None) -> None:
        self.urls = urls
        self.default_language = default_language

    # --- plumbing ----------------------------------------------------------------------------

    def _new_uri(self) -> tuple[int, str]:
        activity_id = new_id()
        return activity_id, self.urls.activity(activity_id)

    async def _publish(
        self,
        signer: Actor,
        uri: str,
        body: Json,
        recipients: Recipients,
        *,
        activity_id: int | None = None,
        public: bool = False,
    ) -> OutgoingActivity | None:
        if not signer.local:
            log.warning("not publishing %s %s: %s is not local", body.get("type"), uri, signer.uri)
            return None
        row = await OutgoingActivity.create(
            id=activity_id or new_id(), uri=uri, actor=signer, body=body, public=public
        )
        await fan_out(row.id, signer.id, recipients)
        return row

    async def _publish_new(
        self, signer: Actor, activity_id: int, body: Json, recipients: Recipients
    ) -> None:
        """Publish an activity whose id was made by :meth:`_new_uri`."""
        await self._publish(signer, body["id"], body, recipients, activity_id=activity_id)

    async def _withdraw(self, uri: str) -> None:
        """Stop serving an activity that was undone (its pending deliveries then end too)."""
        await OutgoingActivity.filter(uri=uri).delete()

    # --- notes --------------------------------------------------------------------------------

    async def _note_document(self, note: Note) -> tuple[Actor, Json]:
        author = await _actor(note, "author")
        document = note_to_ap(
            note, self.urls, with_context=False, default_language=self.default_language
        )
        return author, document

    async def _note_recipients(self, note: Note, author: Actor) -> Recipients:
        recipients = Recipients(
            actor_uris=set(mentioned_uris(note)) - {author.uri}, exclude_blocks_of=author.id
        )
        if note.visibility is not Visibility.DIRECT:
            recipients.followers_of.add(author.id)
        if note.visibility in _LISTED and note.in_reply_to_uri:
            parent_author = (
                await Note.filter(uri=note.in_reply_to_uri).first().values_list("author_id")
            )
            if parent_author:
                recipients.actor_ids.add(int(parent_author[0]))
        return recipients

    async def note_created(self, note: Note) -> None:
        author, document = await self._note_document(note)
        # The Create shares the note's id number, so deleting the note can withdraw it.
        uri = self.urls.activity(note.id)
        await self._publish(
            author,
            uri,
            activities.create(uri, document),
            await self._note_recipients(note, author),
            activity_id=note.id,
            public=note.visibility in _LISTED,
        )

    async def note_updated(self, note: Note) -> None:
        author, document = await self._note_document(note)
        activity_id, uri = self._new_uri()
        await self._publish_new(
            author,
            activity_id,
            activities.update_note(uri, document),
            await self._note_recipients(note, author),
        )

    async def note_deleted(self, note: Note) -> None:
        author = await _actor(note, "author")
        to, cc = note_audience(note, author)
        recipients = await self._note_recipients(note, author)
        await self._withdraw_note(note, author)
        activity_id, uri = self._new_uri()
        await self._publish_new(
            author,
            activity_id,
            activities.delete_note(uri, author.uri, note.uri, to=to, cc=cc),
            recipients,
        )

    async def _withdraw_note(self, note: Note, author: Actor) -> None:
        """Remove the Create and any Update of a deleted note: they embed its content."""
        await OutgoingActivity.filter(id=note.id, actor_id=author.id).delete()
        if note.edited_at is None:
            return
        # Updates carry fresh ids; deletions are rare, so scanning the author's activities
        # since the note was written costs less than an index every activity would pay for.
        rows = await OutgoingActivity.filter(
            actor_id=author.id, created_at__gte=note.published
        ).values_list("id", "body")
        stale = [
            row_id
            for row_id, body in rows
            if isinstance(body, dict)
            and body.get("type") == "Update"
            and isinstance(body.get("object"), dict)
            and body["object"].get("id") == note.uri
        ]
        if stale:
            await OutgoingActivity.filter(id__in=stale).delete()

    # --- follows ------------------------------------------------------------------------------

    async def _follow_document(self, follow: Follow) -> tuple[Actor, Actor, Json]:
        follower = await _actor(follow, "follower")
        target = await _actor(follow, "target")
        return follower, target, activities.follow(follow.uri, follower.uri, target.uri)

    async def follow_requested(self, follow: Follow) -> None:
        follower, target, body = await self._follow_document(follow)
        await self._publish(follower, follow.uri, body, Recipients(actor_ids={target.id}))

    async def follow_undone(self, follow: Follow) -> None:
        follower, target, original = await self._follow_document(follow)
        await self._withdraw(follow.uri)
        activity_id, uri = self._new_uri()
        await self._publish_new(
            follower,
            activity_id,
            activities.undo(uri, follower.uri, original),
            Recipients({target.id}),
        )

    async def follow_accepted(self, follow: Follow) -> None:
        follower, target, original = await self._follow_document(follow)
        activity_id, uri = self._new_uri()
        await self._publish_new(
            target,
            activity_id,
            activities.accept(uri, target.uri, original),
            Recipients({follower.id}),
        )

    async def follow_rejected(self, follow: Follow) -> None:
        follower, target, original = await self._follow_document(follow)
        activity_id, uri = self._new_uri()
        await self._publish_new(
            target,
            activity_id,
            activities.reject(uri, target.uri, original),
            Recipients({follower.id}),
        )

    # --- reactions ----------------------------------------------------------------------------

    async def _like_document(self, like: Like) -> tuple[Actor, Actor, Json]:
        actor = await _actor(like, "actor")
        note = await _note(like)
        author = await _actor(note, "author")
        return actor, author, activities.like(like.uri, actor.uri, note.uri, author.uri)

    async def liked(self, like: Like) -> None:
        actor, author, body = await self._like_document(like)
        await self._publish(actor, like.uri, body, Recipients({author.id}))

    async def unliked(self, like: Like) -> None:
        actor, author, original = await self._like_document(like)
        await self._withdraw(like.uri)
        activity_id, uri = self._new_uri()
        await self._publish_new(
            actor, activity_id, activities.undo(uri, actor.uri, original), Recipients({author.id})
        )

    async def _announce_document(self, announce: Announce) -> tuple[Actor, Note, Json]:
        actor = await _actor(announce, "actor")
        note = await _note(announce)
        author = await _actor(note, "author")
        followers = followers_collection(actor)
        if note.visibility is Visibility.PUBLIC:
            to, cc = [PUBLIC], [followers, author.uri]
        elif note.visibility is Visibility.UNLISTED:
            to, cc = [followers], [PUBLIC, author.uri]
        else:
            to, cc = [followers], [author.uri]
        body = activities.announce(
            announce.uri, actor.uri, note.uri, to=to, cc=cc, published=announce.published
        )
        return actor, note, body

    def _announce_recipients(self, actor: Actor, note: Note) -> Recipients:
        return Recipients(
            actor_ids={note.author.id}, followers_of={actor.id}, exclude_blocks_of=actor.id
        )

    async def announced(self, announce: Announce) -> None:
        actor, note, body = await self._announce_document(announce)
        await self._publish(
            actor,
            announce.uri,
            body,
            self._announce_recipients(actor, note),
            public=note.visibility in _LISTED,
        )

    async def unannounced(self, announce: Announce) -> None:
        actor, note, original = await self._announce_document(announce)
        await self._withdraw(announce.uri)
        activity_id, uri = self._new_uri()
        await self._publish_new(
            actor,
            activity_id,
            activities.undo(uri, actor.uri, original),
            self._announce_recipients(actor, note),
        )

    # --- blocks -------------------------------------------------------------------------------

    async def _block_document(self, block: Block) -> tuple[Actor, Actor, Json]:
        actor = await _actor(block, "actor")
        target = await _actor(block, "target")
        return actor, target, activities.block(block.uri, actor.uri, target.uri)

    async def blocked(self, block: Block) -> None:
        actor, target, body = await self._block_document(block)
        await self._publish(actor, block.uri, body, Recipients({target.id}))

    async def unblocked(self, block: Block) -> None:
        actor, target, original = await self._block_document(block)
        await self._withdraw(block.uri)
        activity_id, uri = self._new_uri()
        await self._publish_new(
            actor, activity_id, activities.undo(uri, actor.uri, original), Recipients({target.id})
        )

    # --- actors and reports -------------------------------------------------------------------

    async def actor_updated(self, actor: Actor) -> None:
        activity_id, uri = self._new_uri()
        body = activities.update_actor(
            uri, actor_to_ap(actor, self.urls), followers=followers_collection(actor)
        )
        await self._publish_new(actor, activity_id, body, Recipients(followers_of={actor.id}))

    async def actor_deleted(self, actor: Actor) -> None:
        activity_id, uri = self._new_uri()
        body = activities.delete_actor(uri, actor.uri, followers=followers_collection(actor))
        await self._publish_new(
            actor, activity_id, body, Recipients(followers_of={actor.id}, following_of={actor.id})
        )

    async def report_forwarded(self, report: Report) -> None:
        if report.target_id is None:  # type: ignore[attr-defined]
            return
        target = await _actor(report, "target")
        if target.local:
            return  # our own moderators already have it
        instance = await Actor.get(uri=self.urls.instance_actor(), local=True)
        activity_id, uri = self._new_uri()
        body = activities.flag(
            uri,
            instance.uri,
            target.uri,
            [str(u) for u in report.object_uris or []],
            report.comment,
        )
        await self._publish_new(instance, activity_id, body, Recipients({target.id}))
