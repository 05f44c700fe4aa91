"""A node (in-process app, workers off) and misbehaving remote servers, for delivery tests.

Import the fixtures into a test module (``from ...delivery_world import app, network``): they
override the suite's ``app`` so the node resolves ``*.test`` names to the fault peers and has
them on its private-address allow-list, with short HTTP timeouts so a slow peer times out in
about a second.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

import pytest
from aiohttp import web
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from federation.fetch import FETCHER, Limits
from federation.signatures import Failure, ResolvedKey, VerifiedSigner, verify_request
from node import clock
from node.appkeys import JOBS, PUBLISHER, SETTINGS, URLS
from node.config import Settings
from node.jobs.worker import drain
from node.main import create_app
from node.models.actors import Actor, ActorKind
from node.models.jobs import Job
from node.models.social import Follow, FollowState, Note, Visibility
from node.services.social.actors import create_local_actor
from node.services.social.notes import create_note
from tests.integration.federation.fault_peers import PeerNetwork, Received

PEER_HOSTS = ("one.test", "two.test", "slow.test", "reset.test")
TEST_LIMITS = Limits(connect=1.0, read=1.0, total=1.5)


@pytest.fixture
async def network() -> AsyncIterator[PeerNetwork]:
    net = PeerNetwork()
    for host in PEER_HOSTS:
        await net.add(host)
    net.add_down("down.test")
    yield net
    await net.close()


@pytest.fixture
def app(settings: Settings, network: PeerNetwork) -> web.Application:
    node_settings = settings.with_overrides(
        resolve=network.resolve(), allow_private_hosts=network.allow()
    )
    application = create_app(node_settings, run_workers=False)
    application[FETCHER].limits = TEST_LIMITS
    return application


async def local_user(app: web.Application, name: str = "alice") -> Actor:
    return await create_local_actor(app[URLS], kind=ActorKind.PERSON, username=name)


async def remote_actor(
    name: str, host: str, *, shared_inbox: bool = True, domain: str | None = None
) -> Actor:
    """A remote account on ``host`` whose inboxes are the fault peer's."""
    uri = f"http://{host}/users/{name}"
    return await Actor.create(
        uri=uri,
        username=name,
        domain=domain or host,
        local=False,
        inbox_url=uri + "/inbox",
        shared_inbox_url=f"http://{host}/inbox" if shared_inbox else None,
        followers_url=uri + "/followers",
    )


async def accepted_follow(follower: Actor, target: Actor) -> Follow:
    return await Follow.create(
        follower=follower,
        target=target,
        uri=f"{follower.uri}/follows/{target.id}",
        state=FollowState.ACCEPTED,
        accepted_at=clock.now(),
    )


async def post(
    app: web.Application,
    author: Actor,
    content: str = "Hola, mercado",
    *,
    visibility: Visibility = Visibility.PUBLIC,
    to: Sequence[Actor] = (),
) -> Note:
    return await create_note(
        app[PUBLISHER],
        author,
        content=content,
        language="es",
        visibility=visibility,
        to=list(to),
        urls=app[URLS],
    )


async def deliver_all(app: web.Application, *, within: float = 5.0) -> int:
    """Run delivery jobs until none is due within ``within`` seconds."""
    return await drain(
        app[JOBS], app[SETTINGS], queues=["deliver"], wait_for_scheduled_within=within
    )


async def deliver_once(app: web.Application) -> int:
    """Run each due delivery job once: retries are scheduled a minute later, as in production."""
    slow_retries = app[SETTINGS].with_overrides(retry_base_seconds=60.0)
    return await drain(app[JOBS], slow_retries, queues=["deliver"])


async def delivery_jobs() -> list[Job]:
    return await Job.filter(queue="deliver").order_by("id")


async def verify(received: Received, signer: Actor) -> VerifiedSigner | Failure:
    """Check a delivery's draft-cavage signature against ``signer``'s published key."""
    assert signer.public_key_pem is not None
    public_key = load_pem_public_key(signer.public_key_pem.encode())

    async def lookup(key_id: str) -> ResolvedKey | None:
        if key_id != signer.public_key_id:
            return None
        return ResolvedKey(signer.uri, public_key)  # type: ignore[arg-type]

    url = f"http://{received.headers['host']}{received.path}"
    return await verify_request("POST", url, received.headers, received.body, lookup)
