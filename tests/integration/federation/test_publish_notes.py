"""Publishing notes: the documents (FEDERATION.md §5.0/§5.9) and the delivery rows they make.

Notes are written through the real domain service (``node.services.social.notes``) with the real
``ActivityPublisher``; what would go on the wire is read back from ``OutgoingActivity`` and the
``deliver`` jobs.
"""

from __future__ import annotations

from typing import Any

import pytest
from tortoise.transactions import in_transaction

from federation.convert.note import note_to_ap
from federation.publish import ActivityPublisher
from node import clock
from node.models.actors import Actor, ActorKind
from node.models.jobs import Job
from node.models.peers import OutgoingActivity
from node.models.social import Note, Visibility
from node.services.moderation.domain_blocks import block_domain
from node.services.social.actors import create_local_actor
from node.services.social.notes import create_note, delete_note, edit_note
from node.urls import Urls
from tests.integration.federation.delivery_world import accepted_follow, remote_actor

pytestmark = pytest.mark.usefixtures("orm")

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


@pytest.fixture
def publisher(urls: Urls) -> ActivityPublisher:
    return ActivityPublisher(urls, default_language="es")


async def alice(urls: Urls) -> Actor:
    return await create_local_actor(urls, kind=ActorKind.PERSON, username="alice")


async def write(
    publisher: ActivityPublisher,
    urls: Urls,
    author: Actor,
    *,
    visibility: Visibility = Visibility.PUBLIC,
    to: list[Actor] | None = None,
    in_reply_to: str | None = None,
    content: str = "Hola #mercado",
) -> Note:
    return await create_note(
        publisher,
        author,
        content=content,
        language="es",
        visibility=visibility,
        to=to or [],
        in_reply_to=in_reply_to,
        urls=urls,
    )


async def sent(kind: str) -> list[dict[str, Any]]:
    rows = await OutgoingActivity.all().order_by("created_at", "id")
    return [r.body for r in rows if r.body["type"] == kind]


async def inboxes() -> list[str]:
    return sorted(j.payload["inbox"] for j in await Job.filter(queue="deliver"))


async def test_a_public_note_is_a_mastodon_style_note(
    publisher: ActivityPublisher, urls: Urls
) -> None:
    author = await alice(urls)
    note = await write(publisher, urls, author)
    [create] = await sent("Create")
    document = create["object"]
    assert document["id"] == note.uri == urls.note(note.id)
    assert document["url"] == urls.note_page("alice", note.id)
    assert (document["to"], document["cc"]) == ([PUBLIC], [author.followers_url])
    assert (create["to"], create["cc"]) == (document["to"], document["cc"])
    assert list(document["contentMap"]) == ["es"]
    assert document["contentMap"]["es"] == document["content"]
    assert document["attributedTo"] == author.uri
    assert document["published"] == clock.isoformat(note.published)
    assert "updated" not in document
    assert {"type": "Hashtag", "name": "#mercado", "href": urls.tag("mercado")} in document["tag"]
    assert "name" not in document  # GoToSocial would show it as a content warning


@pytest.mark.parametrize(
    ("visibility", "to", "cc"),
    [
        (Visibility.PUBLIC, ["public"], ["followers", "bob"]),
        (Visibility.UNLISTED, ["followers"], ["public", "bob"]),
        (Visibility.FOLLOWERS, ["followers", "bob"], []),
        (Visibility.DIRECT, ["bob"], []),
    ],
)
async def test_each_visibility_is_addressed_as_federation_md_says(
    publisher: ActivityPublisher,
    urls: Urls,
    visibility: Visibility,
    to: list[str],
    cc: list[str],
) -> None:
    author = await alice(urls)
    bob = await remote_actor("bob", "one.test")
    await write(publisher, urls, author, visibility=visibility, to=[bob])
    [create] = await sent("Create")
    names = {PUBLIC: "public", author.followers_url: "followers", bob.uri: "bob"}
    assert [names[u] for u in create["object"]["to"]] == to
    assert [names[u] for u in create["object"]["cc"]] == cc
    mentions = [t for t in create["object"]["tag"] if t["type"] == "Mention"]
    assert mentions == [{"type": "Mention", "name": "@bob@one.test", "href": bob.uri}]


async def test_a_direct_note_reaches_only_those_it_names(
    publisher: ActivityPublisher, urls: Urls
) -> None:
    author = await alice(urls)
    await accepted_follow(await remote_actor("fan", "two.test"), author)
    bob = await remote_actor("bob", "one.test")
    await write(publisher, urls, author, visibility=Visibility.DIRECT, to=[bob])
    [create] = await sent("Create")
    audience = create["to"] + create["cc"] + create["object"]["to"] + create["object"]["cc"]
    assert PUBLIC not in audience
    assert author.followers_url not in audience
    assert await inboxes() == ["http://one.test/inbox"]
    assert not (await OutgoingActivity.get(uri=create["id"])).public


async def test_a_followers_only_note_reaches_followers_and_never_addresses_public(
    publisher: ActivityPublisher, urls: Urls
) -> None:
    author = await alice(urls)
    await accepted_follow(await remote_actor("fan", "two.test"), author)
    await write(publisher, urls, author, visibility=Visibility.FOLLOWERS)
    [create] = await sent("Create")
    assert PUBLIC not in create["to"] + create["cc"]
    assert await inboxes() == ["http://two.test/inbox"]


async def test_three_followers_on_one_server_make_one_delivery_to_its_shared_inbox(
    publisher: ActivityPublisher, urls: Urls
) -> None:
    author = await alice(urls)
    for name in ("bea", "cai", "dani"):
        await accepted_follow(await remote_actor(name, "one.test"), author)
    await write(publisher, urls, author)
    [job] = await Job.filter(queue="deliver")
    activity = await OutgoingActivity.get(uri=(await sent("Create"))[0]["id"])
    assert job.payload == {
        "activity_id": activity.id,
        "inbox": "http://one.test/inbox",
        "signer_actor_id": author.id,
    }
    assert job.group_key == "one.test"


async def test_followers_on_two_servers_make_one_delivery_each(
    publisher: ActivityPublisher, urls: Urls
) -> None:
    author = await alice(urls)
    for name, host in (("bea", "one.test"), ("cai", "one.test"), ("dani", "two.test")):
        await accepted_follow(await remote_actor(name, host), author)
    await write(publisher, urls, author)
    jobs = await Job.filter(queue="deliver")
    assert sorted((j.group_key, j.payload["inbox"]) for j in jobs) == [
        ("one.test", "http://one.test/inbox"),
        ("two.test", "http://two.test/inbox"),
    ]


async def test_followers_without_a_shared_inbox_get_their_own_inboxes(
    publisher: ActivityPublisher, urls: Urls
) -> None:
    author = await alice(urls)
    for name in ("bea", "cai"):
        await accepted_follow(await remote_actor(name, "one.test", shared_inbox=False), author)
    await write(publisher, urls, author)
    assert await inboxes() == ["http://one.test/users/bea/inbox", "http://one.test/users/cai/inbox"]


async def test_local_gone_suspended_pending_and_blocked_domain_followers_get_nothing(
    publisher: ActivityPublisher, urls: Urls
) -> None:
    author = await alice(urls)
    local = await create_local_actor(urls, kind=ActorKind.PERSON, username="luis")
    await accepted_follow(local, author)
    gone = await remote_actor("gone", "one.test")
    gone.gone_at = clock.now()
    await gone.save()
    suspended = await remote_actor("sus", "one.test")
    suspended.suspended_at = clock.now()
    await suspended.save()
    for actor in (gone, suspended, await remote_actor("spam", "evil.test")):
        await accepted_follow(actor, author)
    pending = await accepted_follow(await remote_actor("wait", "two.test"), author)
    pending.state = "pending"  # type: ignore[assignment]
    await pending.save()
    await block_domain("EVIL.test.")
    await write(publisher, urls, author)
    assert await Job.filter(queue="deliver").count() == 0
    assert len(await sent("Create")) == 1  # still published (outbox, its id)


async def test_a_reply_reaches_the_remote_author_of_the_note_it_answers(
    publisher: ActivityPublisher, urls: Urls
) -> None:
    author = await alice(urls)
    bob = await remote_actor("bob", "two.test", shared_inbox=False)
    parent = await Note.create(
        uri="http://two.test/notes/1",
        author=bob,
        local=False,
        content_html="<p>?</p>",
        published=clock.now(),
    )
    await write(publisher, urls, author, in_reply_to=parent.uri)
    [create] = await sent("Create")
    assert create["object"]["inReplyTo"] == parent.uri
    assert await inboxes() == ["http://two.test/users/bob/inbox"]


async def test_a_change_rolled_back_leaves_no_activity_and_no_delivery(
    publisher: ActivityPublisher, urls: Urls
) -> None:
    author = await alice(urls)
    await accepted_follow(await remote_actor("bea", "one.test"), author)

    class FailsAfterPublishing(ActivityPublisher):
        async def note_created(self, note: Note) -> None:
            await super().note_created(note)
            assert await Job.filter(queue="deliver").count() == 1  # written, not committed
            raise RuntimeError("the change fails after its activity was written")

    with pytest.raises(RuntimeError):
        await write(FailsAfterPublishing(urls), urls, author)
    assert await Note.all().count() == 0
    assert await OutgoingActivity.all().count() == 0
    assert await Job.filter(queue="deliver").count() == 0


async def test_publishing_inside_a_transaction_commits_with_it(
    publisher: ActivityPublisher, urls: Urls
) -> None:
    author = await alice(urls)
    await accepted_follow(await remote_actor("bea", "one.test"), author)
    with pytest.raises(RuntimeError):
        async with in_transaction():
            note = await write(publisher, urls, author)
            raise RuntimeError("outer change failed")
    assert await Note.filter(id=note.id).count() == 0
    assert await Job.filter(queue="deliver").count() == 0


async def test_an_edit_sends_update_with_a_new_updated_time_to_the_same_audience(
    publisher: ActivityPublisher, urls: Urls
) -> None:
    author = await alice(urls)
    await accepted_follow(await remote_actor("bea", "one.test"), author)
    note = await write(publisher, urls, author)
    await Job.all().delete()
    edited = await edit_note(publisher, author, note.id, content="Hola de nuevo", urls=urls)
    [update] = await sent("Update")
    assert update["object"]["updated"] == clock.isoformat(edited.edited_at)  # type: ignore[arg-type]
    assert update["object"]["content"] == edited.content_html
    assert await inboxes() == ["http://one.test/inbox"]


async def test_deleting_a_note_sends_a_tombstone_and_withdraws_its_create_and_updates(
    publisher: ActivityPublisher, urls: Urls
) -> None:
    author = await alice(urls)
    await accepted_follow(await remote_actor("bea", "one.test"), author)
    note = await write(publisher, urls, author)
    await edit_note(publisher, author, note.id, content="cambio", urls=urls)
    await Job.all().delete()
    await delete_note(publisher, author, note.id)
    assert await sent("Create") == [] and await sent("Update") == []
    [delete] = await sent("Delete")
    assert delete["object"] == {
        "id": note.uri,
        "type": "Tombstone",
        "formerType": "Note",
        "deleted": delete["published"],
    }
    assert await inboxes() == ["http://one.test/inbox"]


async def test_only_public_and_unlisted_creates_are_listed_in_the_outbox(
    publisher: ActivityPublisher, urls: Urls
) -> None:
    author = await alice(urls)
    bob = await remote_actor("bob", "one.test")
    for visibility in Visibility:
        await write(publisher, urls, author, visibility=visibility, to=[bob])
    listed = await OutgoingActivity.filter(public=True).values_list("body", flat=True)
    assert sorted(b["object"]["to"][0] for b in listed) == sorted([PUBLIC, author.followers_url])


async def test_note_to_ap_serves_the_same_note_with_its_context(
    publisher: ActivityPublisher, urls: Urls
) -> None:
    author = await alice(urls)
    note = await write(publisher, urls, author)
    stored = await Note.get(id=note.id).select_related("author")
    served = note_to_ap(stored, urls)
    [create] = await sent("Create")
    assert served["@context"][0] == "https://www.w3.org/ns/activitystreams"
    assert {k: v for k, v in served.items() if k != "@context"} == create["object"]
