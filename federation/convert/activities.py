"""The activities this node sends, as AS2 documents (FEDERATION.md §5.0 rules 5 and 8, §5.9).

Pure builders: ids, actors and objects in, JSON out; no database. Every top-level activity
carries ``@context``; embedded objects (the Follow inside an Accept, the Like inside an Undo, the
Note inside a Create) do not. Ids of new activities come from ``Urls.activity(new_id())``; the
Follow, Like, Announce and Block use the id already stored on their row.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from federation.convert.note import NOTE_CONTEXT
from federation.vocab import PUBLIC, Json, compact
from node import clock
from node.models.actors import Actor

# Activities without extension terms need ActivityStreams only.
ACTIVITY_CONTEXT = "https://www.w3.org/ns/activitystreams"


def _embedded(document: Json) -> Json:
    """``document`` without its ``@context``, for embedding in another activity."""
    return {k: v for k, v in document.items() if k != "@context"}


def _when(moment: datetime | None) -> str:
    return clock.isoformat(moment or clock.now())


def create(activity_uri: str, note: Json) -> Json:
    """``Create{Note}``, addressed exactly like its note."""
    return compact(
        [
            ("@context", NOTE_CONTEXT),
            ("id", activity_uri),
            ("type", "Create"),
            ("actor", note["attributedTo"]),
            ("published", note["published"]),
            ("to", note.get("to", [])),
            ("cc", note.get("cc", [])),
            ("object", _embedded(note)),
        ]
    )


def update_note(activity_uri: str, note: Json) -> Json:
    """``Update{Note}``; the note must carry its new ``updated`` time (FEDERATION.md rule 8)."""
    if "updated" not in note:
        raise ValueError("an Update must carry the note's new `updated` time")
    return compact(
        [
            ("@context", NOTE_CONTEXT),
            ("id", activity_uri),
            ("type", "Update"),
            ("actor", note["attributedTo"]),
            ("published", note["updated"]),
            ("to", note.get("to", [])),
            ("cc", note.get("cc", [])),
            ("object", _embedded(note)),
        ]
    )


def delete_note(
    activity_uri: str,
    actor_uri: str,
    object_uri: str,
    *,
    to: Sequence[str],
    cc: Sequence[str] = (),
    former_type: str = "Note",
    deleted: datetime | None = None,
) -> Json:
    """``Delete{Tombstone}`` of a post (the flohmarkt pattern), to the post's audience."""
    when = _when(deleted)
    return {
        "@context": ACTIVITY_CONTEXT,
        "id": activity_uri,
        "type": "Delete",
        "actor": actor_uri,
        "published": when,
        "to": list(to),
        "cc": list(cc),
        "object": {
            "id": object_uri,
            "type": "Tombstone",
            "formerType": former_type,
            "deleted": when,
        },
    }


def follow(follow_uri: str, actor_uri: str, target_uri: str) -> Json:
    return {
        "@context": ACTIVITY_CONTEXT,
        "id": follow_uri,
        "type": "Follow",
        "actor": actor_uri,
        "object": target_uri,
        "to": [target_uri],
    }


def undo(activity_uri: str, actor_uri: str, original: Json) -> Json:
    """``Undo`` embedding the original activity, addressed like it."""
    return compact(
        [
            ("@context", original.get("@context", ACTIVITY_CONTEXT)),
            ("id", activity_uri),
            ("type", "Undo"),
            ("actor", actor_uri),
            ("to", original.get("to")),
            ("cc", original.get("cc")),
            ("object", _embedded(original)),
        ]
    )


def accept(activity_uri: str, actor_uri: str, follow_activity: Json) -> Json:
    """``Accept`` embedding the Follow (Mastodon accepts an id too; the embedded Follow is
    what every peer understands)."""
    return _answer("Accept", activity_uri, actor_uri, follow_activity)


def reject(activity_uri: str, actor_uri: str, follow_activity: Json) -> Json:
    return _answer("Reject", activity_uri, actor_uri, follow_activity)


def _answer(kind: str, activity_uri: str, actor_uri: str, follow_activity: Json) -> Json:
    return {
        "@context": ACTIVITY_CONTEXT,
        "id": activity_uri,
        "type": kind,
        "actor": actor_uri,
        "to": [follow_activity["actor"]],
        "object": _embedded(follow_activity),
    }


def like(like_uri: str, actor_uri: str, note_uri: str, note_author_uri: str) -> Json:
    return {
        "@context": ACTIVITY_CONTEXT,
        "id": like_uri,
        "type": "Like",
        "actor": actor_uri,
        "object": note_uri,
        "to": [note_author_uri],
    }


def announce(
    announce_uri: str,
    actor_uri: str,
    note_uri: str | Json,
    *,
    to: Sequence[str],
    cc: Sequence[str],
    published: datetime | None = None,
) -> Json:
    return {
        "@context": ACTIVITY_CONTEXT,
        "id": announce_uri,
        "type": "Announce",
        "actor": actor_uri,
        "published": _when(published),
        "to": list(to),
        "cc": list(cc),
        # A boost names the note; a group's FEP-1b12 share embeds the activity unchanged.
        "object": note_uri if isinstance(note_uri, str) else _embedded(note_uri),
    }


def group_share(
    announce_uri: str,
    group: Actor,
    seller_uri: str,
    shared: str | Json,
    published: datetime | None = None,
) -> Json:
    """The city market group's FEP-1b12 ``Announce`` of ``shared`` (a shop's activity, embedded
    unchanged, or an object id), public and copied to the group's followers and the seller.

    An embedded activity keeps its own ``@context`` on the outside, so the listing terms it uses
    (FEP-0837) stay defined for receivers that expand JSON-LD.
    """
    followers = group.followers_url or group.uri + "/followers"
    body = announce(
        announce_uri,
        group.uri,
        shared,
        to=[PUBLIC],
        cc=[followers, seller_uri],
        published=published,
    )
    if isinstance(shared, dict):
        body["@context"] = shared.get("@context", body["@context"])
    return body


def block(block_uri: str, actor_uri: str, target_uri: str) -> Json:
    return {
        "@context": ACTIVITY_CONTEXT,
        "id": block_uri,
        "type": "Block",
        "actor": actor_uri,
        "object": target_uri,
        "to": [target_uri],
    }


def update_actor(
    activity_uri: str, actor_document: Json, *, followers: str, published: datetime | None = None
) -> Json:
    """``Update{Person|Organization|Group|Application}`` embedding the current actor document."""
    context: Any = actor_document.get("@context", ACTIVITY_CONTEXT)
    return {
        "@context": context,
        "id": activity_uri,
        "type": "Update",
        "actor": actor_document["id"],
        "published": _when(published),
        "to": [PUBLIC],
        "cc": [followers],
        "object": _embedded(actor_document),
    }


def delete_actor(activity_uri: str, actor_uri: str, *, followers: str) -> Json:
    """``Delete{actor}``: the actor names itself as the object (as Mastodon sends it)."""
    return {
        "@context": ACTIVITY_CONTEXT,
        "id": activity_uri,
        "type": "Delete",
        "actor": actor_uri,
        "published": _when(None),
        "to": [PUBLIC],
        "cc": [followers],
        "object": actor_uri,
    }


def flag(
    activity_uri: str,
    instance_actor_uri: str,
    target_uri: str,
    object_uris: Sequence[str],
    comment: str,
) -> Json:
    """``Flag`` from the instance actor: ``object`` = [reported actor, reported posts...];
    the reason in ``content`` (Mastodon) and ``summary`` (Lemmy)."""
    objects = list(dict.fromkeys([target_uri, *object_uris]))
    return compact(
        [
            ("@context", ACTIVITY_CONTEXT),
            ("id", activity_uri),
            ("type", "Flag"),
            ("actor", instance_actor_uri),
            ("to", [target_uri]),
            ("object", objects),
            ("content", comment or None),
            ("summary", comment or None),
        ]
    )
