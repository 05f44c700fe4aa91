"""Following between two real Ruta nodes: automatic and manual acceptance, refusal and
unfollowing, in both directions (lapalma.test → faro.test and back)."""

from __future__ import annotations

import pytest

from tests.multinode.conftest import Pair
from tests.multinode.network import (
    User,
    befriend,
    db_rows,
    idle,
    new_users,
    remote_id,
    wait_until,
)

pytestmark = pytest.mark.slow

DIRECTIONS = ["lapalma->faro", "faro->lapalma"]


def ends(pair: Pair, direction: str, *, manual: bool = False) -> tuple[User, User]:
    """A fresh follower on the first node and a fresh followed account on the second."""
    here, there = (pair.lapalma, pair.faro) if direction == DIRECTIONS[0] else pair.both[::-1]
    fan, star = new_users((here, "fan"), (there, "star", manual))
    return fan, star


def test_a_follow_is_accepted_automatically_both_ways(pair: Pair) -> None:
    ana, beto = new_users((pair.lapalma, "ana"), (pair.faro, "beto"))

    row = ana.follow(beto)
    assert row["state"] == "pending"  # until faro's Accept comes back
    assert row["target"]["uri"] == beto.uri and not row["target"]["local"]
    befriend(ana, beto)
    befriend(beto, ana)

    assert ana.following_state(beto) == beto.following_state(ana) == "accepted"
    assert ana.has_follower(beto) and beto.has_follower(ana)
    # Each side's view of the other comes from the other's actor document.
    assert ana.lookup(beto)["manually_approves_followers"] is False
    assert beto.lookup(ana)["domain"] == "lapalma.test"


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_a_manually_approving_account_accepts_a_remote_request(pair: Pair, direction: str) -> None:
    fan, star = ends(pair, direction, manual=True)
    assert fan.lookup(star)["manually_approves_followers"] is True

    assert fan.follow(star)["state"] == "pending"
    wait_until(
        "the request reaching the careful account",
        lambda: fan.uri in star.requests(),
        nodes=pair.both,
    )
    assert fan.following_state(star) == "pending"  # no Accept went out by itself
    assert not star.has_follower(fan)

    fan_there = star.lookup(fan)["id"]
    accepted = star.call("POST", f"/api/v1/follow_requests/{fan_there}/authorize")
    assert accepted["state"] == "accepted"
    wait_until(
        "the Accept reaching the follower's node",
        lambda: fan.following_state(star) == "accepted",
        nodes=pair.both,
    )
    assert star.has_follower(fan) and star.requests() == []

    # Accepted means delivered: the careful account's followers-only post reaches the fan.
    note = star.post("Solo para quien me sigue", visibility="followers")
    assert fan.note(remote_id(fan, note["uri"]))["visibility"] == "followers"


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_a_manually_approving_account_rejects_a_remote_request(pair: Pair, direction: str) -> None:
    fan, star = ends(pair, direction, manual=True)

    fan.follow(star)
    wait_until(
        "the request reaching the careful account",
        lambda: fan.uri in star.requests(),
        nodes=pair.both,
    )
    fan_there = star.lookup(fan)["id"]
    star.call("POST", f"/api/v1/follow_requests/{fan_there}/reject")
    wait_until(
        "the Reject removing the pending follow",
        lambda: fan.following_state(star) is None,
        nodes=pair.both,
    )
    assert star.requests() == [] and not star.has_follower(fan)

    # Nothing of the careful account's followers-only posts goes to the refused fan's node.
    note = star.post("Solo para quien me sigue", visibility="followers")
    wait_until("the author's deliveries to settle", lambda: idle(star.node), nodes=pair.both)
    assert db_rows(fan.node, "SELECT id FROM note WHERE uri = ?", note["uri"]) == []


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_after_unfollowing_no_further_posts_are_delivered(pair: Pair, direction: str) -> None:
    fan, star = ends(pair, direction)
    befriend(fan, star)
    before = star.post("Antes de dejar de seguirme")
    remote_id(fan, before["uri"])

    fan.call("DELETE", f"/api/v1/follows/{fan.lookup(star)['id']}", expect=(204,))
    assert fan.following_state(star) is None
    wait_until(
        "the Undo{Follow} reaching the followed account",
        lambda: not star.has_follower(fan),
        nodes=pair.both,
    )

    after = star.post("Después de dejar de seguirme")
    # The post's deliveries are written with it; once none is left, none went to the fan.
    wait_until("the author's deliveries to settle", lambda: idle(star.node), nodes=pair.both)
    assert db_rows(fan.node, "SELECT id FROM note WHERE uri = ?", after["uri"]) == []
    assert fan.seen(after["uri"]) is None
    assert fan.seen(before["uri"]) is None  # no longer followed: out of the home timeline
