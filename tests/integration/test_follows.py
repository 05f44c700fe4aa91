"""Follows and blocks at the service level, local and remote, with what gets published."""

from __future__ import annotations

import pytest

from node.errors import NotFound, PermissionDenied, ValidationFailed
from node.models.actors import Actor
from node.models.social import Block, Follow, FollowState
from node.services.social import blocks, follows
from node.urls import Urls
from tests.support.fakes import FakeResolver, RecordingPublisher, local_person, remote_actor

pytestmark = pytest.mark.usefixtures("orm")


@pytest.fixture
async def ana(urls: Urls) -> Actor:
    return await local_person(urls, "ana")


@pytest.fixture
async def bob() -> Actor:
    return await remote_actor("bob", "faro.example")


async def test_following_a_local_account_is_accepted_at_once_without_federation(
    ana: Actor, urls: Urls
) -> None:
    pep = await local_person(urls, "pep")
    publisher = RecordingPublisher()
    follow = await follows.follow(publisher, FakeResolver(), ana, "@pep@test.example")
    assert follow.state is FollowState.ACCEPTED
    assert follow.accepted_at is not None
    assert follow.uri == urls.activity(follow.id)
    assert publisher.calls == []
    assert [f.follower_id for f in await follows.followers(pep)] == [ana.id]  # type: ignore[attr-defined]
    assert [f.target.id for f in await follows.following(ana)] == [pep.id]
    assert await follows.count_followers(pep) == 1


async def test_a_local_account_that_approves_followers_keeps_the_request_pending(
    ana: Actor, urls: Urls
) -> None:
    pep = await local_person(urls, "pep", manually_approves=True)
    publisher = RecordingPublisher()
    follow = await follows.follow_actor(publisher, ana, pep)
    assert follow.state is FollowState.PENDING
    assert [f.follower.id for f in await follows.followers(pep, state=FollowState.PENDING)] == [
        ana.id
    ]
    approved = await follows.approve_follow_request(publisher, pep, ana)
    assert approved.state is FollowState.ACCEPTED
    assert publisher.calls == []


async def test_following_a_remote_actor_sends_a_follow_and_waits_for_accept(
    ana: Actor, bob: Actor
) -> None:
    publisher = RecordingPublisher()
    follow = await follows.follow(publisher, FakeResolver(), ana, "@bob@faro.example")
    assert follow.state is FollowState.PENDING
    assert [(c.name, c.in_transaction) for c in publisher.calls] == [("follow_requested", True)]
    again = await follows.follow(publisher, FakeResolver(), ana, bob.uri)
    assert again.id == follow.id
    assert len(publisher.calls) == 1
    await follows.receive_follow_accepted(ana, bob)
    assert (await Follow.get(id=follow.id)).state is FollowState.ACCEPTED


async def test_a_rejected_or_undone_remote_follow_is_removed(ana: Actor, bob: Actor) -> None:
    publisher = RecordingPublisher()
    await follows.follow_actor(publisher, ana, bob)
    await follows.receive_follow_rejected(ana, bob)
    assert not await Follow.filter(follower_id=ana.id).exists()
    await follows.follow_actor(publisher, ana, bob)
    publisher.clear()
    await follows.unfollow(publisher, ana, bob)
    assert publisher.names() == ["follow_undone"]
    assert publisher.calls[0].obj.target.id == bob.id
    assert not await Follow.filter(follower_id=ana.id).exists()
    await follows.unfollow(publisher, ana, bob)  # nothing left: nothing happens
    assert publisher.names() == ["follow_undone"]


async def test_following_oneself_nobody_or_nothing_is_refused(ana: Actor) -> None:
    publisher = RecordingPublisher()
    with pytest.raises(ValidationFailed):
        await follows.follow(publisher, FakeResolver(), ana, "@ana@test.example")
    with pytest.raises(ValidationFailed):
        await follows.follow(publisher, FakeResolver(), ana, "  ")
    with pytest.raises(NotFound):
        await follows.follow(publisher, FakeResolver(), ana, "@nadie@faro.example")
    assert await Follow.all().count() == 0
    assert publisher.calls == []


async def test_a_remote_follow_is_auto_accepted_and_answered(ana: Actor, bob: Actor) -> None:
    publisher = RecordingPublisher()
    follow = await follows.receive_follow(publisher, bob, ana, "https://faro.example/f/1")
    assert follow.state is FollowState.ACCEPTED
    assert [(c.name, c.in_transaction) for c in publisher.calls] == [("follow_accepted", True)]
    assert publisher.calls[0].obj.uri == "https://faro.example/f/1"
    # The same activity again changes nothing; a new Follow of the same pair is answered again.
    assert (
        await follows.receive_follow(publisher, bob, ana, "https://faro.example/f/1")
    ).id == follow.id
    assert len(publisher.calls) == 1
    again = await follows.receive_follow(publisher, bob, ana, "https://faro.example/f/2")
    assert again.id == follow.id
    assert again.uri == "https://faro.example/f/2"
    assert publisher.names() == ["follow_accepted", "follow_accepted"]
    await follows.receive_undo_follow(bob, ana)
    assert not await Follow.filter(target_id=ana.id).exists()


async def test_a_remote_follow_of_an_account_that_approves_waits_for_the_owner(
    bob: Actor, urls: Urls
) -> None:
    pep = await local_person(urls, "pep", manually_approves=True)
    publisher = RecordingPublisher()
    follow = await follows.receive_follow(publisher, bob, pep, "https://faro.example/f/1")
    assert follow.state is FollowState.PENDING
    assert publisher.calls == []
    await follows.approve_follow_request(publisher, pep, bob)
    assert publisher.names() == ["follow_accepted"]
    assert (await Follow.get(id=follow.id)).state is FollowState.ACCEPTED


async def test_the_owner_may_reject_a_remote_request(bob: Actor, urls: Urls) -> None:
    pep = await local_person(urls, "pep", manually_approves=True)
    publisher = RecordingPublisher()
    await follows.receive_follow(publisher, bob, pep, "https://faro.example/f/1")
    await follows.reject_follow_request(publisher, pep, bob)
    assert publisher.names() == ["follow_rejected"]
    assert publisher.calls[0].in_transaction
    assert not await Follow.all().exists()
    with pytest.raises(NotFound):
        await follows.reject_follow_request(publisher, pep, bob)


async def test_blocking_removes_follows_both_ways_and_tells_the_remote_side(
    ana: Actor, bob: Actor
) -> None:
    publisher = RecordingPublisher()
    await follows.follow_actor(publisher, ana, bob)
    await follows.receive_follow(publisher, bob, ana, "https://faro.example/f/1")
    publisher.clear()
    block = await blocks.block(publisher, ana, bob)
    assert not await Follow.all().exists()
    assert publisher.names() == ["follow_undone", "follow_rejected", "blocked"]
    assert all(c.in_transaction for c in publisher.calls)
    assert block.uri.startswith("https://test.example/activities/")
    assert (await blocks.block(publisher, ana, bob)).id == block.id
    assert await Block.all().count() == 1


async def test_blocked_pairs_cannot_follow_each_other_in_either_direction(
    ana: Actor, bob: Actor, urls: Urls
) -> None:
    publisher = RecordingPublisher()
    await blocks.block(publisher, ana, bob)
    publisher.clear()
    with pytest.raises(PermissionDenied):
        await follows.follow_actor(publisher, ana, bob)
    refused = await follows.receive_follow(publisher, bob, ana, "https://faro.example/f/9")
    assert publisher.names() == ["follow_rejected"]
    assert refused.uri == "https://faro.example/f/9"
    assert not await Follow.all().exists()
    # And a block received from a remote actor works the same way for our user.
    pep = await local_person(urls, "pep")
    await follows.follow_actor(publisher, pep, bob)
    await blocks.receive_block(bob, pep, "https://faro.example/b/1")
    assert not await Follow.filter(follower_id=pep.id).exists()
    with pytest.raises(PermissionDenied):
        await follows.follow_actor(publisher, pep, bob)
    await blocks.receive_undo_block(bob, "https://faro.example/b/1")
    await follows.follow_actor(publisher, pep, bob)


async def test_unblocking_lifts_the_block_but_restores_no_follow(ana: Actor, bob: Actor) -> None:
    publisher = RecordingPublisher()
    await follows.follow_actor(publisher, ana, bob)
    await blocks.block(publisher, ana, bob)
    publisher.clear()
    await blocks.unblock(publisher, ana, bob)
    assert publisher.names() == ["unblocked"]
    assert not await Block.all().exists()
    assert not await Follow.all().exists()
    assert [b.id for b in await blocks.blocks_of(ana)] == []


async def test_blocking_between_local_accounts_sends_nothing(ana: Actor, urls: Urls) -> None:
    pep = await local_person(urls, "pep")
    publisher = RecordingPublisher()
    await follows.follow_actor(publisher, pep, ana)
    await blocks.block_reference(publisher, FakeResolver(), ana, "@pep@test.example")
    assert publisher.calls == []
    assert not await Follow.all().exists()
    assert [b.target.id for b in await blocks.blocks_of(ana)] == [pep.id]
    with pytest.raises(ValidationFailed):
        await blocks.block(publisher, ana, ana)
