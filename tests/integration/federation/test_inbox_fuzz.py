"""Property-based fuzzing of the inbox: arbitrary JSON shapes and types never cause a 5xx, an
unhandled exception or a write.

Two levels: through HTTP (unsigned and signed by a known actor, then the real queue), and the
processing handlers called directly — the only place the signature and origin checks are
bypassed, so the handlers themselves are shown to be safe with shapes ``authorize`` would refuse.
"""

from __future__ import annotations

import json
from typing import Any

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
from node.models.actors import Actor, ActorKind
from node.models.jobs import Job
from node.models.moderation import Report
from node.models.peers import OutgoingActivity, ReceivedActivity
from node.models.social import Announce, Block, Follow, Like, Note, NoteAddressee, Tombstone
from node.services.actors import create_local_actor
from node.urls import Urls
from tests.integration.federation.inbox_material import AS2, RemoteActor, encode, post_signed

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


@pytest.fixture
async def alice(client: Client, urls: Urls) -> Actor:
    return await create_local_actor(urls, kind=ActorKind.PERSON, username="alice")


@pytest.fixture
async def bob(client: Client) -> RemoteActor:
    remote = RemoteActor(uri=BOB)
    await remote.store()
    return remote


async def domain_rows() -> dict[str, int]:
    """Rows an activity could have written, by table."""
    models = (Note, NoteAddressee, Follow, Like, Announce, Block, Tombstone, Report)
    counts = {m.__name__: await m.all().count() for m in models}
    counts["OutgoingActivity"] = await OutgoingActivity.all().count()
    counts["remote actors"] = await Actor.filter(local=False).count()
    return counts


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
async def test_signed_arbitrary_json_is_202_or_a_4xx_and_processing_never_crashes_or_writes(
    client: Client, alice: Actor, bob: RemoteActor, activity: dict[str, Any]
) -> None:
    before = await domain_rows()
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
    assert await domain_rows() == before


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
    activity = {**activity, "id": f"https://remote.example/activities/{ids.new_id()}"}
    job = Job(id=ids.new_id(), queue="inbox", payload={"activity": activity}, locked_by="fuzz")
    await process_job(job, services, HANDLERS)
    assert await domain_rows() == before
