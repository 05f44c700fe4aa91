"""An actor's collections: ``outbox``, ``followers``, ``following`` (paged) and ``featured``.

``GET …/outbox`` is an ``OrderedCollection`` with ``totalItems`` and a link to its ``first``
page; pages (``?page=true``, then ``max_id``/``min_id`` cursors as Mastodon pages) are
``OrderedCollectionPage``s with ``partOf``, ``orderedItems`` newest first, and ``next``/``prev``
exactly when older/newer items exist. Ids are time-ordered (node.ids), so the row id is the cursor.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from tortoise.queryset import QuerySet

from federation.http.actors import ACTOR_ROUTE, actor_uri_of, find_local_actor
from federation.http.negotiation import as2_response, dump
from federation.vocab import AS_CONTEXT, Json, compact
from node.models.actors import Actor
from node.models.peers import OutgoingActivity
from node.models.social import Follow, FollowState

PAGE_SIZE = 20
_MAX_CURSOR = 2**63 - 1


@dataclass(frozen=True)
class _Source:
    """Where one collection's items come from: a query per actor, and each row's item."""

    query: Callable[[Actor], QuerySet[Any]]
    items: Callable[[QuerySet[Any]], Awaitable[list[tuple[int, Any]]]]


async def _activities(qs: QuerySet[Any]) -> list[tuple[int, Any]]:
    return [(row.id, row.body) for row in await qs]


async def _followers(qs: QuerySet[Any]) -> list[tuple[int, Any]]:
    return [(int(i), str(u)) for i, u in await qs.values_list("id", "follower__uri")]


async def _following(qs: QuerySet[Any]) -> list[tuple[int, Any]]:
    return [(int(i), str(u)) for i, u in await qs.values_list("id", "target__uri")]


_SOURCES: dict[str, _Source] = {
    # Only activities marked public: unlisted, followers-only and direct ones stay out.
    "outbox": _Source(
        lambda actor: OutgoingActivity.filter(actor_id=actor.id, public=True), _activities
    ),
    "followers": _Source(
        lambda actor: Follow.filter(target_id=actor.id, state=FollowState.ACCEPTED), _followers
    ),
    "following": _Source(
        lambda actor: Follow.filter(follower_id=actor.id, state=FollowState.ACCEPTED), _following
    ),
}


def _cursor(request: web.Request, name: str) -> int | None:
    raw = request.query.get(name)
    if raw is None:
        return None
    if not raw.isdigit() or int(raw) > _MAX_CURSOR:
        raise web.HTTPBadRequest(text=f"{name} must be a non-negative integer.")
    return int(raw)


def _page_url(collection: str, **params: int | str) -> str:
    return collection + "?" + urlencode({"page": "true", **{k: str(v) for k, v in params.items()}})


async def get_collection(request: web.Request) -> web.StreamResponse:
    name = request.match_info["collection"]
    actor = await find_local_actor(actor_uri_of(request))
    if isinstance(actor, web.Response):
        raise web.HTTPGone(text="This actor was deleted.")
    collection_id = f"{actor.uri}/{name}"
    if name == "featured":
        return _respond(_empty_collection(collection_id))
    source = _SOURCES[name]
    base = source.query(actor)
    if "page" not in request.query:
        total = await base.count()
        document = {
            "@context": AS_CONTEXT,
            "id": collection_id,
            "type": "OrderedCollection",
            "totalItems": total,
            "first": _page_url(collection_id),
        }
        return _respond(document)
    max_id, min_id = _cursor(request, "max_id"), _cursor(request, "min_id")
    if min_id is not None:
        rows = await source.items(base.filter(id__gt=min_id).order_by("id").limit(PAGE_SIZE))
        rows.reverse()
        page_id = _page_url(collection_id, min_id=min_id)
    elif max_id is not None:
        rows = await source.items(base.filter(id__lt=max_id).order_by("-id").limit(PAGE_SIZE))
        page_id = _page_url(collection_id, max_id=max_id)
    else:
        rows = await source.items(base.order_by("-id").limit(PAGE_SIZE))
        page_id = _page_url(collection_id)
    newest, oldest = (rows[0][0], rows[-1][0]) if rows else (0, 0)
    has_older = bool(rows) and await base.filter(id__lt=oldest).exists()
    has_newer = bool(rows) and await base.filter(id__gt=newest).exists()
    document = compact(
        [
            ("@context", AS_CONTEXT),
            ("id", page_id),
            ("type", "OrderedCollectionPage"),
            ("partOf", collection_id),
            ("next", _page_url(collection_id, max_id=oldest) if has_older else None),
            ("prev", _page_url(collection_id, min_id=newest) if has_newer else None),
            ("orderedItems", [item for _, item in rows]),
        ]
    )
    return _respond(document)


def _empty_collection(collection_id: str) -> Json:
    # Pinned posts come later; an empty collection is what Mastodon expects meanwhile.
    return {
        "@context": AS_CONTEXT,
        "id": collection_id,
        "type": "OrderedCollection",
        "totalItems": 0,
        "orderedItems": [],
    }


def _respond(document: Json) -> web.Response:
    return as2_response(dump(document), vary=False, cache="public, max-age=60")


def setup(app: web.Application) -> None:
    pattern = "/{collection:outbox|followers|following|featured}"
    app.router.add_get("/actor" + pattern, get_collection)
    app.router.add_get(ACTOR_ROUTE + pattern, get_collection)
