"""Fixtures for the HTML pages: a browser-like client (cookies, Secure cookies on our https test
origin), a spy on the publisher port, and reading the mails the node sent."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiohttp import CookieJar, web
from aiohttp.test_utils import TestClient

from node.appkeys import JOBS, PUBLISHER
from node.config import Settings
from node.jobs.worker import drain
from node.main import create_app
from node.services.mail import MAIL_DIR, QUEUE
from tests.support.fakes import RecordingPublisher
from tests.support.ports import free_port

# What a browser sends with every request (the tests read English pages).
BROWSER_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en",
}


@pytest.fixture
def registrations() -> str:
    """The node's RUTA_REGISTRATIONS; a test picks another with ``parametrize``."""
    return "approval"


@pytest.fixture
def app(settings: Settings, registrations: str) -> web.Application:
    return create_app(settings.with_overrides(registrations=registrations), run_workers=False)


class SpyPublisher(RecordingPublisher):
    """Records every call and passes it on to the real publisher when the node has one."""

    def __init__(self, real: Any) -> None:
        super().__init__()
        self.real = real

    async def _record(self, name: str, obj: Any) -> None:
        await super()._record(name, obj)
        if self.real is not None:
            await getattr(self.real, name)(obj)


@pytest.fixture
def publisher(app: web.Application) -> SpyPublisher:
    spy = SpyPublisher(app.get(PUBLISHER))
    app[PUBLISHER] = spy
    return spy


@pytest.fixture
async def browser(app: web.Application, publisher: SpyPublisher, aiohttp_client: Any) -> TestClient:  # type: ignore[type-arg]
    """A client that keeps cookies like a browser, including the Secure ones the https node sets
    (the test server itself speaks plain http on loopback). It prefers English, as tests read
    the English text; tests of other languages say so."""
    port = free_port()
    jar = CookieJar(unsafe=True, treat_as_secure_origin=[f"http://127.0.0.1:{port}"])
    client: TestClient = await aiohttp_client(  # type: ignore[type-arg]
        app, server_kwargs={"port": port}, cookie_jar=jar, headers=BROWSER_HEADERS
    )
    return client


Mails = Callable[[], Awaitable[list[EmailMessage]]]


@pytest.fixture
def sent_mails(app: web.Application, settings: Settings) -> Mails:
    """Run the mail queue, then return every mail written so far (file backend), oldest first."""

    async def read() -> list[EmailMessage]:
        await drain(app[JOBS], settings, queues=[QUEUE])
        directory = settings.data_dir / MAIL_DIR
        paths = sorted(directory.glob("*.eml")) if directory.exists() else []
        return [
            message_from_bytes(p.read_bytes(), policy=policy.default)  # type: ignore[misc]
            for p in paths
        ]

    return read
