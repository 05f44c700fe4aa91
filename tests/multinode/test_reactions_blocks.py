"""Likes, shares and blocks between two real Ruta nodes, both ways: reactions are counted on the
note's own node and undone there; a block ends the follows and stops what the blocked side
sends from landing."""

from __future__ import annotations

import pytest

from federation.vocab import PUBLIC
from tests.multinode.conftest import Pair
from tests.multinode.network import (
    User,
    befriend,
    db_rows,
    idle,
    new_user,
    new_users,
    received_ids,
    remote_id,
    send_as,
    wait_until,
)

pytestmark = pytest.mark.slow

DIRECTIONS = ["lapalma->faro", "faro->lapalma"]


def author_and_fan(pair: Pair, direction: str) -> tuple[User, User]:
    """A fresh author on the first node, and a fresh follower of it on the second."""
    here, there = (pair.lapalma, pair.faro) if direction == DIRECTIONS[0] else pair.both[::-1]
    author, fan = new_users((here, "autora"), (there, "fan"))
    befriend(fan, author)
    return author, fan


def counted(author: User, note_id: str, field: str, value: int) -> bool:
    return bool(author.note(note_id)[field] == value)


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_a_like_and_its_undo_are_counted_on_the_origin(pair: Pair, direction: str) -> None:
    author, fan = author_and_fan(pair, direction)
    note = author.post("Hoy hay concierto en la plaza")
    there = remote_id(fan, note["uri"])

    liked = fan.call("POST", f"/api/v1/notes/{there}/like")
    assert liked["liked"] is True and liked["like_count"] == 1
    wait_until(
        "the Like being counted on the origin",
        lambda: counted(author, note["id"], "like_count", 1),
        nodes=pair.both,
    )
    fan.call("POST", f"/api/v1/notes/{there}/like")  # liking twice is still one like
    fan.call("DELETE", f"/api/v1/notes/{there}/like")
    wait_until(
        "the Undo{Like} being counted on the origin",
        lambda: counted(author, note["id"], "like_count", 0),
        nodes=pair.both,
    )
    wait_until("the fan's deliveries to settle", lambda: idle(fan.node), nodes=pair.both)
    assert author.note(note["id"])["like_count"] == 0


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_a_share_and_its_undo_are_counted_on_the_origin(pair: Pair, direction: str) -> None:
    author, fan = author_and_fan(pair, direction)
    # A follower of the fan, on the author's node: the share should show in its home timeline.
    watcher = new_user(author.node, "mirona")
    befriend(watcher, fan)
    note = author.post("Se busca voluntariado para el huerto")
    there = remote_id(fan, note["uri"])

    shared = fan.call("POST", f"/api/v1/notes/{there}/announce")
    assert shared["announced"] is True
    wait_until(
        "the Announce being counted on the origin",
        lambda: counted(author, note["id"], "announce_count", 1),
        nodes=pair.both,
    )
    boosts = [e for e in watcher.home() if e["note"]["uri"] == note["uri"]]
    assert [e["announced_by"]["uri"] for e in boosts] == [fan.uri]

    fan.call("DELETE", f"/api/v1/notes/{there}/announce")
    wait_until(
        "the Undo{Announce} being counted on the origin",
        lambda: counted(author, note["id"], "announce_count", 0),
        nodes=pair.both,
    )
    assert not [e for e in watcher.home() if e["note"]["uri"] == note["uri"]]


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_a_block_removes_the_follows_and_stops_what_the_blocked_side_sends(
    pair: Pair, direction: str
) -> None:
    blocker, blocked = author_and_fan(pair, direction)  # blocked follows blocker...
    befriend(blocker, blocked)  # ...and the other way round
    old = blocker.post("Antes del bloqueo")
    old_there = remote_id(blocked, old["uri"])

    blocker.call("POST", "/api/v1/blocks", {"target": blocked.handle})
    assert blocker.following_state(blocked) is None and not blocker.has_follower(blocked)
    # Undo{Follow}, Reject{Follow} and the Block travel as three deliveries, in any order.
    wait_until(
        "the follows ending and the Block known on the blocked side's node",
        lambda: (
            blocked.following_state(blocker) is None
            and not blocked.has_follower(blocker)
            and blocked.note(old_there, expect=(200, 404)).get("id") is None
        ),
        nodes=pair.both,
    )

    # The blocker's new posts no longer go to the blocked account.
    new = blocker.post("Después del bloqueo")
    wait_until("the blocker's deliveries to settle", lambda: idle(blocker.node), nodes=pair.both)
    assert db_rows(blocked.node, "SELECT id FROM note WHERE uri = ?", new["uri"]) == []

    # The blocked side's own node knows of the block: it refuses to like or follow.
    blocked.call("POST", f"/api/v1/notes/{old_there}/like", expect=(404,))
    blocked.call("POST", "/api/v1/follows", {"target": blocker.handle}, expect=(403,))

    # And the blocker's node refuses what a server ignoring the block would still send:
    # activities signed with the blocked account's real key.
    base = blocked.node.base_url
    note_uri = f"{base}/notes/after-block-{blocked.name}"
    sent = [
        {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": f"{base}/activities/like-{blocked.name}",
            "type": "Like",
            "actor": blocked.uri,
            "object": old["uri"],
        },
        {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": f"{base}/activities/create-{blocked.name}",
            "type": "Create",
            "actor": blocked.uri,
            "to": [PUBLIC],
            "cc": [blocker.uri],
            "object": {
                "id": note_uri,
                "type": "Note",
                "attributedTo": blocked.uri,
                "content": "<p>Oye, ¿por qué?</p>",
                "inReplyTo": old["uri"],
                "to": [PUBLIC],
                "cc": [blocker.uri],
                "tag": [{"type": "Mention", "href": blocker.uri, "name": blocker.handle}],
                "published": "2026-11-23T10:00:00Z",
            },
        },
        {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": f"{base}/activities/follow-{blocked.name}",
            "type": "Follow",
            "actor": blocked.uri,
            "object": blocker.uri,
        },
    ]
    for activity in sent:
        assert send_as(blocked, blocker.node, activity) == 202
    wait_until(
        "the blocker's node processing them",
        lambda: (
            {a["id"] for a in sent} <= set(received_ids(blocker.node))
            and idle(blocker.node, "inbox")
        ),
        nodes=pair.both,
    )
    assert blocker.note(old["id"])["like_count"] == 0
    # The reply may be kept for others (as Mastodon keeps it); the one who blocked never sees it.
    thread = blocker.call("GET", f"/api/v1/notes/{old['id']}/context")
    assert thread["descendants"] == []
    for row in db_rows(blocker.node, "SELECT id FROM note WHERE uri = ?", note_uri):
        blocker.note(str(row["id"]), expect=(404,))
    assert not blocker.has_follower(blocked) and blocker.requests() == []
