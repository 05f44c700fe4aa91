"""``GET`` of local actors: ``/users/{name}``, ``/actors/{name}``, ``/groups/{name}`` and the
instance actor ``/actor``.

Never behind a signature requirement: peers fetch actors to verify our signatures (and Fedify
signs those fetches with the key's ``#main-key`` fragment in ``@target-uri``, which no strict
verifier accepts), so requiring one would deadlock key exchange.
"""

from __future__ import annotations

from aiohttp import web

from federation.convert.actor import actor_to_ap, actor_tombstone
from federation.http.cache import DOCUMENTS
from federation.http.negotiation import as2_response, dump, html_redirect, wants_html
from node.appkeys import URLS
from node.models.actors import Actor

# Peers may keep an actor document this long (Mastodon sends the same).
ACTOR_CACHE_CONTROL = "public, max-age=180"

# Every local actor id but the instance actor's: ``/{prefix}/{username}``.
ACTOR_ROUTE = "/{prefix:users|actors|groups}/{username}"


async def find_local_actor(uri: str) -> Actor | web.Response:
    """The live local actor whose id is ``uri``, or the answer to give instead: a 410 with a
    ``Tombstone`` when it was deleted. Raises 404 when there is none.

    (A response, not an exception: the error middleware turns raised errors into problem
    documents, and a deleted id must answer with its Tombstone.)
    """
    actor = await Actor.get_or_none(uri=uri, local=True)
    if actor is None:
        raise web.HTTPNotFound(text="No such actor.")
    if actor.gone_at is not None:
        return as2_response(dump(actor_tombstone(actor)), status=410)
    return actor


def actor_uri_of(request: web.Request) -> str:
    """The id an actor route answers for (``/users/ana/outbox`` → ``…/users/ana``)."""
    urls = request.app[URLS]
    prefix = request.match_info.get("prefix")
    if prefix is None:
        return urls.instance_actor()
    return f"{urls.base}/{prefix}/{request.match_info['username']}"


async def get_actor(request: web.Request) -> web.StreamResponse:
    urls = request.app[URLS]
    if wants_html(request):
        username = request.match_info.get("username")
        return html_redirect(urls.profile_page(username) if username else urls.base + "/")
    uri = actor_uri_of(request)
    cache = request.app[DOCUMENTS]
    body = cache.get(uri)
    if body is None:
        actor = await find_local_actor(uri)
        if isinstance(actor, web.Response):
            return actor
        body = dump(actor_to_ap(actor, urls))
        cache.put(uri, body, owner=actor.uri)
    return as2_response(body, cache=ACTOR_CACHE_CONTROL)


def setup(app: web.Application) -> None:
    # Person ids live under /users, shops and services under /actors, groups under /groups
    # (node.urls); an id is looked up whole, so a person under /groups/ is simply not found.
    app.router.add_get("/actor", get_actor)
    app.router.add_get(ACTOR_ROUTE, get_actor)
