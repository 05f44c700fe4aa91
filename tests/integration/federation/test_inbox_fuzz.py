"""Property-based fuzzing of the inbox: arbitrary JSON shapes and types never cause a 5xx, an
unhandled exception or a write.

Two levels: through HTTP (unsigned and signed by a known actor, then the real queue), and the
processing handlers called directly — the only place the signature and origin checks are
bypassed, so the handlers themselves are shown to be safe with shapes ``authorize`` would refuse.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import pytest
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
from node.models.moderation import Report
from node.models.peers import OutgoingActivity, ReceivedActivity
from node.models.social import Announce, Block, Follow, Like, Note, NoteAddressee, Tombstone
from tests.integration.federation.inbox_material import (
    AS2,
    RemoteActor,
    alice,
    bob,
    encode,
    post_signed,
)

__all__ = ["alice", "bob"]  # fixtures

Client = TestClient  # type: ignore[type-arg]
BOB = "https://remote.example/users/bob"
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

TYPES = [*sorted(HANDLERS), "Join", "Note", "Person", "Tombstone", ""]
# URLs that are not the sender's own objects: another server's, and ours that do not exist.
URLS_NOT_OURS_TO_TOUCH = [
    "https://elsewhere.example/notes/1",
    "https://test.example/users/nobody",
    "https://test.example/notes/123",
    "http://127.0.0.1:1/admin",
    "https://remote.example",
]
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.sampled_from(URLS_NOT_OURS_TO_TOUCH)
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(max_size=6), children, max_size=3)
        | st.fixed_dictionaries(
            {},
            optional={
                "type": st.sampled_from(TYPES) | children,
                "id": st.sampled_from(URLS_NOT_OURS_TO_TOUCH) | children,
                "actor": st.sampled_from([BOB, *URLS_NOT_OURS_TO_TOUCH]) | children,
                "object": children,
                "attributedTo": children,
                "to": children,
                "tag": children,
            },
        )
    ),
    max_leaves=25,
)
_OTHER_FIELDS = {
    "to": json_values,
    "cc": json_values,
    "published": json_values,
    "content": json_values,
    "@context": json_values,
}
# Anything at all in every field.
activities = st.fixed_dictionaries(
    {"type": json_values, "actor": json_values, "object": json_values},
    optional={"id": json_values, **_OTHER_FIELDS},
)
# A real type from the signer (so the request gets past parsing and the signature and reaches
# the handlers), and anything at all in the other fields.
signed_activities = st.fixed_dictionaries(
    {
        "type": st.sampled_from(TYPES),
        "actor": st.sampled_from([BOB, [BOB], {"id": BOB, "type": "Person"}]),
        "object": json_values,
    },
    optional=_OTHER_FIELDS,
)


async def domain_rows() -> dict[str, int]:
    """Rows an activity could have written, by table."""
    models = (Note, NoteAddressee, Follow, Like, Announce, Block, Tombstone, Report)
    counts = {m.__name__: await m.all().count() for m in models}
    counts["OutgoingActivity"] = await OutgoingActivity.all().count()
    counts["remote actors"] = await Actor.filter(local=False).count()
    return counts


async def assert_nothing_written(
    activity: dict[str, Any], before: dict[str, int], tombstones: set[str]
) -> None:
    """No domain row changed, but for the one write allowed: a ``Delete`` from Bob of an id on
    his own server that we never had is remembered as a tombstone, so that a ``Create``
    delivered late cannot bring it back."""
    added = set(await Tombstone.all().values_list("uri", flat=True)) - tombstones
    if activity["type"] == "Delete":
        assert all(urlsplit(uri).hostname == "remote.example" for uri in added), added
        before = {**before, "Tombstone": before["Tombstone"] + len(added)}
    assert await domain_rows() == before


@FUZZ
@given(activity=activities)
async def test_unsigned_arbitrary_json_is_always_a_4xx_and_stores_nothing(
    client: Client, alice: Actor, activity: dict[str, Any]
) -> None:
    response = await client.post(
        "/inbox", data=json.dumps(activity), headers={"Content-Type": AS2, "Host": "test.example"}
    )
    assert 400 <= response.status < 500
    assert (await response.json())["status"] == response.status
    assert await ReceivedActivity.all().count() == 0


@FUZZ
@given(activity=signed_activities)
@example(activity={"type": "Announce", "actor": BOB, "object": "https://elsewhere.example/n/1"})
@example(activity={"type": "Create", "actor": BOB, "object": "https://remote.example/n/1"})
@example(activity={"type": "Delete", "actor": BOB, "object": [{"id": "https://remote.example"}]})
async def test_signed_arbitrary_json_is_202_or_a_4xx_and_processing_never_crashes_or_writes(
    client: Client, alice: Actor, bob: RemoteActor, activity: dict[str, Any]
) -> None:
    before = await domain_rows()
    tombstones = set(await Tombstone.all().values_list("uri", flat=True))
    activity = {**activity, "id": f"https://remote.example/activities/{ids.new_id()}"}
    status, answer = await post_signed(client, bob, encode(activity))
    assert status == 202 or 400 <= status < 500, answer
    app = client.app
    await drain(app[JOBS], app[SETTINGS], queues=["inbox"])
    # Only a peer we could not reach may leave a job to retry (these hosts do not resolve);
    # anything else left behind means a handler raised.
    left = await Job.filter(queue="inbox").values_list("last_error", flat=True)
    assert [e for e in left if "fetch failed (connection)" not in str(e)] == []
    await Job.filter(queue="inbox").delete()
    await assert_nothing_written(activity, before, tombstones)


class RefusingFetcher:
    """Every fetch refused as the real Fetcher refuses a blocked or private host."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def get_json(self, url: str, *, signed: bool = True) -> dict[str, Any]:
        raise FetchError("blocked_domain", "fuzzing never fetches", url=url)


@pytest.fixture
async def services(client: Client) -> InboxServices:
    app = client.app
    return InboxServices(
        publisher=app[PUBLISHER],
        fetcher=RefusingFetcher(app[SETTINGS]),  # type: ignore[arg-type]
        urls=app[URLS],
        settings=app[SETTINGS],
    )


@FUZZ
@given(activity=signed_activities | activities)
async def test_handlers_called_directly_never_raise_or_write_on_arbitrary_shapes(
    services: InboxServices, alice: Actor, bob: RemoteActor, activity: dict[str, Any]
) -> None:
    before = await domain_rows()
    tombstones = set(await Tombstone.all().values_list("uri", flat=True))
    activity = {**activity, "id": f"https://remote.example/activities/{ids.new_id()}"}
    job = Job(id=ids.new_id(), queue="inbox", payload={"activity": activity}, locked_by="fuzz")
    await process_job(job, services, HANDLERS)
    await assert_nothing_written(activity, before, tombstones)
