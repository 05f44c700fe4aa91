"""Posts between two real Ruta nodes: visibility, threads, edits and deletions, both ways."""

from __future__ import annotations

import pytest

from tests.multinode.conftest import Pair
from tests.multinode.network import (
    User,
    befriend,
    db_rows,
    idle,
    new_users,
    outgoing,
    received_ids,
    remote_id,
    send_as,
    wait_until,
)

pytestmark = pytest.mark.slow

DIRECTIONS = ["lapalma->faro", "faro->lapalma"]


def nodes_for(pair: Pair, direction: str) -> tuple[User, User]:
    """A fresh author on the first node and a fresh follower of it on the second."""
    here, there = (pair.lapalma, pair.faro) if direction == DIRECTIONS[0] else pair.both[::-1]
    author, reader = new_users((here, "autor"), (there, "lector"))
    befriend(reader, author)
    return author, reader


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_public_followers_only_and_direct_posts_arrive_with_their_visibility(
    pair: Pair, direction: str
) -> None:
    author, reader = nodes_for(pair, direction)
    # A neighbour who follows the author too but is not mentioned, and one who does not follow.
    other, stranger = new_users((reader.node, "vecina"), (reader.node, "ajena"))
    befriend(other, author)

    public = author.post("Mercadillo el sábado")
    followers = author.post("Solo para quien me sigue", visibility="followers")
    direct = author.post(f"Hola {reader.handle}, ¿vienes?", visibility="direct")
    assert any(t["type"] == "Mention" and t["href"] == reader.uri for t in direct["tags"])

    seen = {
        name: reader.note(remote_id(reader, note["uri"], direct=name == "direct"))
        for name, note in [("public", public), ("followers", followers), ("direct", direct)]
    }
    # The direct post is a message: in the reader's conversations, not their home timeline.
    assert reader.seen(direct["uri"]) is None
    for name, note in seen.items():
        assert note["visibility"] == name
        assert note["author"]["uri"] == author.uri and not note["author"]["local"]
    assert "Mercadillo" in seen["public"]["content"]
    assert "¿vienes?" in seen["direct"]["content"]

    # The neighbour on the same node gets the public and followers-only posts, never the direct
    # one (stored there for the mentioned reader only).
    remote_id(other, public["uri"])
    remote_id(other, followers["uri"])
    assert other.seen(direct["uri"]) is None
    other.note(seen["direct"]["id"], expect=(404,))
    # Someone who does not follow the author sees the public post only.
    stranger.note(seen["public"]["id"])
    stranger.note(seen["followers"]["id"], expect=(404,))
    stranger.note(seen["direct"]["id"], expect=(404,))


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_a_reply_forms_the_same_thread_on_both_nodes(pair: Pair, direction: str) -> None:
    author, reader = nodes_for(pair, direction)
    root = author.post("¿Alguien sabe a qué hora abre la biblioteca?")
    root_there = remote_id(reader, root["uri"])

    reply = reader.post("A las nueve, como siempre", in_reply_to=root_there)
    assert reply["in_reply_to_uri"] == root["uri"]

    # The reply goes to the replied-to author even though the author does not follow back.
    wait_until(
        "the reply reaching the original author",
        lambda: author.note(root["id"])["reply_count"] == 1,
        nodes=pair.both,
    )
    here = author.call("GET", f"/api/v1/notes/{root['id']}/context")
    assert [n["uri"] for n in here["descendants"]] == [reply["uri"]]
    assert here["descendants"][0]["in_reply_to_id"] == root["id"]

    there = reader.call("GET", f"/api/v1/notes/{reply['id']}/context")
    assert [n["uri"] for n in there["ancestors"]] == [root["uri"]]
    assert reader.note(root_there)["reply_count"] == 1


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_an_edit_reaches_the_other_node_as_an_update(pair: Pair, direction: str) -> None:
    author, reader = nodes_for(pair, direction)
    note = author.post("Reunión del barrio el martes")
    there = remote_id(reader, note["uri"])

    edited = author.call("PATCH", f"/api/v1/notes/{note['id']}", {"content": "Reunión el jueves"})
    assert edited["edited_at"] is not None
    shown = wait_until(
        "the Update reaching the reader",
        lambda: (n := reader.note(there))["edited_at"] and n,
        nodes=pair.both,
    )
    assert "jueves" in shown["content"] and "martes" not in shown["content"]
    assert shown["id"] == there  # the same note, changed in place
    assert [e["note"]["uri"] for e in reader.home()].count(note["uri"]) == 1


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_a_deleted_post_is_gone_remotely_and_never_created_again(
    pair: Pair, direction: str
) -> None:
    author, reader = nodes_for(pair, direction)
    note = author.post("Vendo bicicleta")
    create = outgoing(author.node, f"{author.node.base_url}/activities/{note['id']}")
    there = remote_id(reader, note["uri"])

    author.call("DELETE", f"/api/v1/notes/{note['id']}", expect=(204,))
    wait_until(
        "the Delete reaching the reader",
        lambda: reader.seen(note["uri"]) is None,
        nodes=pair.both,
    )
    reader.note(there, expect=(404,))

    # The same Create again (a late retry, a replay under a new id) never brings it back.
    replay = {**create, "id": create["id"] + "-again"}
    assert send_as(author, reader.node, replay) == 202
    wait_until("the replay being received", lambda: replay["id"] in received_ids(reader.node))
    wait_until("the replay being processed", lambda: idle(reader.node, "inbox"), nodes=pair.both)
    assert db_rows(reader.node, "SELECT id FROM note WHERE uri = ?", note["uri"]) == []
    assert reader.seen(note["uri"]) is None
