"""Origin rules: who may say what in an activity (SECURITY.md "Inbound federation")."""

from __future__ import annotations

from typing import Any

import pytest

from federation.inbox import authorize
from federation.inbox.parse import ParsedActivity, Rejection

BOB = "https://remote.example/users/bob"
MALLORY = "https://evil.example/users/mallory"
ALICE = "https://our.example/users/alice"


def activity(kind: str, obj: Any = None, *, actor: str = BOB, **extra: Any) -> ParsedActivity:
    activity_id = extra.pop("id", actor.rsplit("/users/", 1)[0] + "/activities/1")
    body = {"id": activity_id, "type": kind, "actor": actor, "object": obj, **extra}
    return ParsedActivity(id=activity_id, type=kind, actor=actor, body=body)


def test_the_signer_must_be_the_activity_actor() -> None:
    follow = activity("Follow", ALICE)
    assert authorize.check_signer(follow, BOB) is None
    assert authorize.check_signer(follow, MALLORY) == Rejection(
        401, "the signature is not the activity actor's"
    )


def test_an_activity_id_on_another_host_than_its_actor_is_refused() -> None:
    forged = activity("Follow", ALICE, id="https://evil.example/activities/1")
    assert authorize.check_origins(forged) == Rejection(
        403, "the activity id is not on the actor's server"
    )


def test_a_different_port_is_a_different_origin() -> None:
    forged = activity("Follow", ALICE, id="https://remote.example:8443/activities/1")
    assert authorize.check_origins(forged) is not None


def test_a_create_of_a_note_on_another_server_is_refused() -> None:
    note = {"id": "https://evil.example/notes/1", "type": "Note", "attributedTo": BOB}
    assert authorize.check_origins(activity("Create", note)) == Rejection(
        403, "the object is not on the actor's server"
    )


def test_a_create_of_a_note_attributed_to_someone_else_is_refused() -> None:
    note = {"id": "https://remote.example/notes/1", "type": "Note", "attributedTo": MALLORY}
    assert authorize.check_origins(activity("Create", note)) == Rejection(
        403, "the object is attributed to someone else"
    )
    same_host_other_author = {**note, "attributedTo": "https://remote.example/users/carol"}
    assert authorize.check_origins(activity("Create", same_host_other_author)) is not None


def test_a_create_of_the_senders_own_note_passes() -> None:
    note = {"id": "https://remote.example/notes/1", "type": "Note", "attributedTo": [BOB]}
    assert authorize.check_origins(activity("Create", note)) is None
    assert authorize.check_origins(activity("Create", "https://remote.example/notes/1")) is None


@pytest.mark.parametrize("kind", ["Update", "Delete"])
def test_update_and_delete_only_touch_the_senders_own_objects(kind: str) -> None:
    assert authorize.check_origins(activity(kind, "https://evil.example/notes/1")) is not None
    tombstone = {"id": "https://evil.example/notes/1", "type": "Tombstone"}
    assert authorize.check_origins(activity(kind, tombstone)) is not None
    assert authorize.check_origins(activity(kind, BOB)) is None


def test_an_undo_of_someone_elses_activity_is_refused() -> None:
    their_follow = {"id": "https://evil.example/follows/1", "type": "Follow", "actor": MALLORY}
    assert authorize.check_origins(activity("Undo", their_follow)) is not None
    relabelled = {"id": "https://remote.example/follows/1", "type": "Follow", "actor": MALLORY}
    assert authorize.check_origins(activity("Undo", relabelled)) is not None
    assert authorize.check_origins(activity("Undo", "https://evil.example/likes/1")) is not None
    own = {"id": "https://remote.example/follows/1", "type": "Follow", "actor": BOB}
    assert authorize.check_origins(activity("Undo", own)) is None


@pytest.mark.parametrize("kind", ["Announce", "Like", "Accept", "Flag"])
def test_activities_about_other_servers_objects_pass_but_their_copies_are_not_vouched_for(
    kind: str,
) -> None:
    foreign = {"id": "https://elsewhere.example/notes/1", "type": "Note", "attributedTo": MALLORY}
    assert authorize.check_origins(activity(kind, foreign)) is None


def test_activities_claiming_our_domain_are_recognised() -> None:
    assert authorize.claims_our_domain(activity("Follow", ALICE, actor=ALICE), "our.example")
    spoofed_id = activity("Follow", ALICE, id="https://our.example/activities/9")
    assert authorize.claims_our_domain(spoofed_id, "our.example")
    assert not authorize.claims_our_domain(activity("Follow", ALICE), "our.example")


def test_domain_blocks_are_checked_for_the_actor_and_the_activity_id() -> None:
    forged = activity("Follow", ALICE, id="https://evil.example/activities/1")
    assert authorize.hosts_to_check(forged) == {"remote.example", "evil.example"}
