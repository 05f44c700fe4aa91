"""The outbound side of federation, wired onto the application: the one HTTP client
(``FETCHER``), local signing keys (``KEYRING``), remote keys for signature checks
(``REMOTE_KEYS``) and the ``ActorResolver`` port (``node.appkeys.RESOLVER``).

The objects exist from ``setup`` on, so other parts can capture them while registering; the
HTTP session is opened at start-up and closed at shutdown (one session per process).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from federation.fetch import FETCHER, Fetcher
from federation.keyring import KEYRING, Keyring
from federation.remote.actors import REMOTE_KEYS, RemoteKeys
from federation.remote.resolver import Resolver
from node.appkeys import RESOLVER, SETTINGS, URLS
from node.services.moderation.domain_blocks import is_blocked


def setup(app: web.Application) -> None:
    """Create the Fetcher, Keyring, remote key cache and Resolver; open the session at start."""
    keyring = Keyring(app[URLS])
    fetcher = Fetcher(app[SETTINGS], instance_key=keyring.instance_key, is_blocked=is_blocked)
    app[KEYRING] = keyring
    app[FETCHER] = fetcher
    app[REMOTE_KEYS] = RemoteKeys(fetcher)
    app[RESOLVER] = Resolver(fetcher, app[URLS])
    app.cleanup_ctx.append(_http_session)


async def _http_session(app: web.Application) -> AsyncIterator[None]:
    await app[FETCHER].start()
    yield
    await app[FETCHER].close()
