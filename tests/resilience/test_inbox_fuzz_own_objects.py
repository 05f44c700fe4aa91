"""Property-based fuzzing of the inbox handlers on the paths that *do* write: the sender's own
notes (``Create``/``Update``), a boost of a note fetched from its origin (``Announce``), and the
sender's profile fetched again (``Update{Person}``), with arbitrary JSON in every field.

tests/integration/federation/test_inbox_fuzz.py shows arbitrary shapes that must be refused
never crash or write; here the shapes are *accepted* ones, so a write is expected — but never a
5xx, never an exception out of a handler (a job left behind to retry), and never a write outside
the tables the activity may touch.
"""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from federation.fetch import FetchError
from federation.inbox.handlers import HANDLERS
from federation.inbox.process import InboxServices, process_job
from node import ids
from node.appkeys import JOBS, PUBLISHER, SETTINGS, URLS
from node.config import Settings
from node.jobs.worker import drain
from node.models.actors import Actor
from node.models.jobs import Job
from node.models.social import Announce, Note, NoteAddressee
from tests.integration.federation.inbox_material import RemoteActor, alice, bob, encode, post_signed
from tests.integration.federation.test_inbox_fuzz import domain_rows, json_values

__all__ = ["alice", "bob"]  # fixtures

Client = TestClient  # type: ignore[type-arg]
BOB = "https://remote.example/users/bob"
ALICE = "https://test.example/users/alice"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
YEAR_1_WITH_OFFSET = "0001-01-01T00:00:00+01:00"  # once stored as is, every read overflowed
FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Times real servers send, and the edges: year 1 and 9999 with offsets, naive, garbage.
iso_times = st.one_of(
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.isoformat()),
    st.sampled_from(
        [
            YEAR_1_WITH_OFFSET,
            "9999-12-31T23:59:59-01:00",
            "0001-01-01T00:00:00Z",
            "2025-02-30T00:00:00Z",
            "",
        ]
    ),
)
urls = st.sampled_from(
    [
        "https://remote.example/notes/other",
        "https://test.example/notes/1",
        "https://elsewhere.example/notes/1",
        "http://127.0.0.1:1/x",
        "mailto:bob@remote.example",
        ALICE,
        PUBLIC,
        "as:Public",
        BOB + "/followers",
    ]
)
anything = json_values | iso_times | urls | st.lists(urls, max_size=3)
_NOTE_FIELDS = {
    name: anything
    for name in (
        "content",
        "contentMap",
        "summary",
        "summaryMap",
        "sensitive",
        "url",
        "inReplyTo",
        "context",
        "conversation",
        "attachment",
        "tag",
        "published",
        "updated",
        "to",
        "cc",
        "mediaType",
        "@context",
    )
}
_NOTE_FIELDS["tag"] = anything | st.lists(
    st.fixed_dictionaries(
        {"type": st.sampled_from(["Mention", "Hashtag", "Emoji"]) | json_values},
        optional={"href": anything, "name": anything},
    ),
    max_size=3,
)
_NOTE_FIELDS["attachment"] = anything | st.lists(
    st.fixed_dictionaries(
        {"type": st.sampled_from(["Document", "Image", "Link"]) | json_values},
        optional={k: anything for k in ("url", "href", "mediaType", "name", "blurhash", "width")},
    ),
    max_size=3,
)


def own_notes(id_: str) -> st.SearchStrategy[dict[str, Any]]:
    """bob's own note (id and attributedTo on his host) with anything in the other fields."""
    return st.fixed_dictionaries(
        {"id": st.just(id_), "type": st.just("Note"), "attributedTo": st.just(BOB)},
        optional=_NOTE_FIELDS,
    )


NOTE_TABLES = {"Note", "NoteAddressee"}


async def assert_wrote_only(before: dict[str, int], tables: set[str], most: int) -> None:
    after = await domain_rows()
    for table, n in after.items():
        if table in tables:
            assert before[table] <= n, table
        else:
            assert n == before[table], f"{table} changed"
    assert after["Note"] - before["Note"] <= most


async def assert_no_job_left() -> None:
    # Only a peer we could not reach may leave a job to retry (remote.example has no server
    # here); anything else left behind means a handler raised.
    left = await Job.filter(queue="inbox").values_list("last_error", flat=True)
    assert [e for e in left if "fetch failed (connection)" not in str(e)] == []
    await Job.filter(queue="inbox").delete()


@FUZZ
@given(data=st.data(), kind=st.sampled_from(["Create", "Update"]))
@example(data=None, kind="Create")
async def test_signed_create_or_update_of_an_own_note_with_arbitrary_fields_never_crashes(
    client: Client, alice: Actor, bob: RemoteActor, data: Any, kind: str
) -> None:
    note_id = bob.new_id("notes")
    if data is None:  # the shape that once crashed: year 1 with an offset
        note = {"id": note_id, "type": "Note", "attributedTo": BOB, "content": "x"}
        note["published"] = YEAR_1_WITH_OFFSET
    else:
        note = data.draw(own_notes(note_id))
    before = await domain_rows()
    activity = bob.activity(kind, note, to=[ALICE])
    status, answer = await post_signed(client, bob, encode(activity))
    assert status == 202 or 400 <= status < 500, answer
    app = client.app
    await drain(app[JOBS], app[SETTINGS], queues=["inbox"])
    await assert_no_job_left()
    await assert_wrote_only(before, NOTE_TABLES, most=1)


class ServingFetcher:
    """bob's server, serving whatever the example put there; everything else is refused."""

    def __init__(self, settings: Settings, documents: dict[str, Any]) -> None:
        self.settings = settings
        self.documents = documents

    async def get_json(self, url: str, *, signed: bool = True) -> Any:
        if url in self.documents:
            return self.documents[url]
        raise FetchError("blocked_domain", "not served in this example", url=url)


def services_for(client: Client, documents: dict[str, Any]) -> InboxServices:
    app = client.app
    return InboxServices(
        publisher=app[PUBLISHER],
        fetcher=ServingFetcher(app[SETTINGS], documents),  # type: ignore[arg-type]
        urls=app[URLS],
        settings=app[SETTINGS],
    )


async def run(client: Client, activity: dict[str, Any], documents: dict[str, Any]) -> None:
    job = Job(id=ids.new_id(), queue="inbox", payload={"activity": activity}, locked_by="fuzz")
    await process_job(job, services_for(client, documents), HANDLERS)


@FUZZ
@given(data=st.data(), published=anything)
@example(data=None, published=YEAR_1_WITH_OFFSET)
async def test_an_announce_of_a_fetched_note_with_arbitrary_fields_never_crashes(
    client: Client, alice: Actor, bob: RemoteActor, data: Any, published: Any
) -> None:
    note_id = bob.new_id("notes")
    note = {"id": note_id, "type": "Note", "attributedTo": BOB, "content": "x"}
    if data is not None:
        note = data.draw(own_notes(note_id))
    before = await domain_rows()
    activity = bob.activity("Announce", note_id, published=published, to=[PUBLIC])
    await run(client, activity, {note_id: note})
    await assert_wrote_only(before, NOTE_TABLES | {"Announce"}, most=1)
    assert await Announce.all().count() - before["Announce"] <= 1


@FUZZ
@given(
    profile=st.fixed_dictionaries(
        {"id": st.just(BOB), "type": st.sampled_from(["Person", "Service", "Group"])},
        optional={
            name: anything
            for name in (
                "preferredUsername",
                "name",
                "summary",
                "icon",
                "image",
                "inbox",
                "outbox",
                "followers",
                "endpoints",
                "publicKey",
                "published",
                "manuallyApprovesFollowers",
                "url",
                "attachment",
                "tag",
                "movedTo",
                "alsoKnownAs",
            )
        },
    )
)
@example(profile={"id": BOB, "type": "Person", "published": YEAR_1_WITH_OFFSET})
async def test_an_update_of_the_sender_with_an_arbitrary_profile_never_crashes(
    client: Client, alice: Actor, bob: RemoteActor, profile: dict[str, Any]
) -> None:
    before = await domain_rows()
    activity = bob.activity("Update", {"id": BOB, "type": "Person"}, to=[PUBLIC])
    await run(client, activity, {BOB: profile})
    await run(client, activity, {BOB: profile})  # reads the stored profile back
    after = await domain_rows()
    assert after == before  # the profile row changes, nothing else
    assert await Note.all().count() == 0
    assert await NoteAddressee.all().count() == 0
