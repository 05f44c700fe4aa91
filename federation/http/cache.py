"""Rendered actor and WebFinger documents kept in memory (DESIGN.md "Runtime").

They are the most fetched documents of a node (every signature check by every peer fetches the
key) and change rarely, so a hit must cost no more than a dictionary lookup: no database query,
no JSON encoding.

Freshness: saving or deleting a local ``Actor`` row in this process drops its entries at once
(a tortoise ``post_save``/``post_delete`` signal). Other processes of the same node (several
``ruta serve`` behind one database) and bulk ``QuerySet.update`` calls do not fire it, so every
entry also expires after ``ttl`` seconds: a profile edit reaches peers within a minute at worst
(Mastodon itself sends ``Cache-Control: max-age=180`` on actors).
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from tortoise.signals import post_delete, post_save

from node import clock
from node.models.actors import Actor


@dataclass(frozen=True)
class _Entry:
    body: bytes
    owner: str  # the actor URI whose change invalidates it
    expires: float


class DocumentCache:
    """Bytes by key (a request path, a WebFinger resource), dropped by owner actor URI."""

    def __init__(self, *, ttl: float = 60.0, max_entries: int = 4096) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        _LIVE_CACHES.add(self)

    def get(self, key: str) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.expires < clock.monotonic():
            del self._entries[key]
            return None
        return entry.body

    def put(self, key: str, body: bytes, *, owner: str) -> None:
        self._entries[key] = _Entry(body, owner, clock.monotonic() + self.ttl)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def invalidate(self, owner: str) -> None:
        """Forget every document rendered from the actor ``owner``."""
        for key in [k for k, e in self._entries.items() if e.owner == owner]:
            del self._entries[key]

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


DOCUMENTS: web.AppKey[DocumentCache] = web.AppKey("federation_documents", DocumentCache)

# Every cache of this process (one per application; tests build many). Weak, so a finished
# application's cache goes away with it.
_LIVE_CACHES: weakref.WeakSet[DocumentCache] = weakref.WeakSet()


@post_save(Actor)
async def _actor_saved(sender: type[Actor], instance: Actor, *args: Any) -> None:
    if instance.local:
        for cache in list(_LIVE_CACHES):
            cache.invalidate(instance.uri)


@post_delete(Actor)
async def _actor_deleted(sender: type[Actor], instance: Actor, *args: Any) -> None:
    await _actor_saved(sender, instance)
