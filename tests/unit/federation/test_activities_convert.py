"""The activity builders: the shapes FEDERATION.md asks for, and what peers rely on."""

from __future__ import annotations

from typing import Any

import pytest

from federation.convert import activities

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
AS = "https://www.w3.org/ns/activitystreams"
ANA = "https://test.example/users/ana"
BOB = "https://remote.example/users/bob"


def note(**extra: Any) -> dict[str, Any]:
    return {
        "@context": [AS, {"sensitive": "as:sensitive"}],
        "id": "https://test.example/notes/1",
        "type": "Note",
        "attributedTo": ANA,
        "to": [PUBLIC],
        "cc": [ANA + "/followers"],
        "published": "2025-06-01T08:00:00Z",
        "content": "<p>Hola</p>",
        **extra,
    }


def test_create_embeds_the_note_without_its_context_and_copies_its_addressing() -> None:
    create = activities.create("https://test.example/activities/1", note())
    assert create["type"] == "Create"
    assert create["@context"][0] == AS
    assert (create["actor"], create["to"], create["cc"]) == (ANA, [PUBLIC], [ANA + "/followers"])
    assert create["published"] == "2025-06-01T08:00:00Z"
    assert "@context" not in create["object"]
    assert create["object"]["id"] == "https://test.example/notes/1"


def test_an_update_needs_the_notes_new_updated_time() -> None:
    with pytest.raises(ValueError, match="updated"):
        activities.update_note("https://test.example/activities/2", note())
    update = activities.update_note(
        "https://test.example/activities/2", note(updated="2025-06-02T08:00:00Z")
    )
    assert (update["type"], update["published"]) == ("Update", "2025-06-02T08:00:00Z")
    assert update["object"]["updated"] == "2025-06-02T08:00:00Z"


def test_delete_carries_a_tombstone_with_its_former_type() -> None:
    delete = activities.delete_note(
        "https://test.example/activities/3", ANA, "https://test.example/notes/1", to=[PUBLIC]
    )
    tombstone = delete["object"]
    assert (tombstone["type"], tombstone["formerType"]) == ("Tombstone", "Note")
    assert tombstone["id"] == "https://test.example/notes/1"
    assert tombstone["deleted"] == delete["published"]


def test_accept_and_reject_embed_the_follow_and_go_to_the_follower() -> None:
    follow = activities.follow("https://remote.example/follows/9", BOB, ANA)
    for build, kind in ((activities.accept, "Accept"), (activities.reject, "Reject")):
        answer = build("https://test.example/activities/4", ANA, follow)
        assert (answer["type"], answer["actor"], answer["to"]) == (kind, ANA, [BOB])
        assert answer["object"] == {k: v for k, v in follow.items() if k != "@context"}


def test_undo_embeds_the_original_and_keeps_its_audience() -> None:
    original = activities.announce(
        "https://test.example/activities/5",
        ANA,
        "https://remote.example/notes/1",
        to=[PUBLIC],
        cc=[ANA + "/followers", BOB],
    )
    undo = activities.undo("https://test.example/activities/6", ANA, original)
    assert undo["type"] == "Undo"
    assert undo["object"]["id"] == original["id"]
    assert undo["object"]["type"] == "Announce"
    assert (undo["to"], undo["cc"]) == (original["to"], original["cc"])
    assert "@context" not in undo["object"]


@pytest.mark.parametrize("kind", ["follow", "block"])
def test_follow_and_block_name_their_target(kind: str) -> None:
    build = getattr(activities, kind)
    activity = build("https://test.example/activities/7", ANA, BOB)
    assert (activity["object"], activity["to"]) == (BOB, [BOB])


def test_like_goes_to_the_notes_author() -> None:
    like = activities.like("https://test.example/activities/8", ANA, BOB + "/notes/1", BOB)
    assert (like["type"], like["object"], like["to"]) == ("Like", BOB + "/notes/1", [BOB])


def test_flag_names_the_actor_first_then_the_posts_with_the_reason_twice() -> None:
    flag = activities.flag(
        "https://test.example/activities/9",
        "https://test.example/actor",
        BOB,
        [BOB + "/notes/1", BOB + "/notes/2"],
        "spam",
    )
    assert flag["actor"] == "https://test.example/actor"
    assert flag["object"] == [BOB, BOB + "/notes/1", BOB + "/notes/2"]
    assert (flag["content"], flag["summary"]) == ("spam", "spam")


def test_actor_update_and_delete_are_public_to_followers() -> None:
    document = {"@context": [AS], "id": ANA, "type": "Person", "preferredUsername": "ana"}
    update = activities.update_actor(
        "https://test.example/activities/10", document, followers=ANA + "/followers"
    )
    assert update["object"] == {"id": ANA, "type": "Person", "preferredUsername": "ana"}
    assert (update["to"], update["cc"]) == ([PUBLIC], [ANA + "/followers"])
    delete = activities.delete_actor(
        "https://test.example/activities/11", ANA, followers=ANA + "/followers"
    )
    assert (delete["type"], delete["object"], delete["actor"]) == ("Delete", ANA, ANA)
