"""The ports a request handler acts with (publishers, the actor resolver), read from the app.

The composition root (``node.main``) puts them on the application once federation has started;
until then a request that needs one gets a 503 it can retry, never a KeyError.
"""

from __future__ import annotations

from typing import TypeVar

from aiohttp import web

from node.appkeys import MARKET_PUBLISHER, ORDER_PUBLISHER, PUBLISHER, RESOLVER
from node.errors import Unavailable
from node.ports import ActorResolver, MarketPublisher, OrderPublisher, Publisher

T = TypeVar("T")


def _port(request: web.Request, key: web.AppKey[T]) -> T:
    found = request.app.get(key)
    if found is None:
        raise Unavailable("Federation is not ready on this node yet; try again shortly.")
    return found


def publisher(request: web.Request) -> Publisher:
    return _port(request, PUBLISHER)


def resolver(request: web.Request) -> ActorResolver:
    return _port(request, RESOLVER)


def market_publisher(request: web.Request) -> MarketPublisher:
    return _port(request, MARKET_PUBLISHER)


def order_publisher(request: web.Request) -> OrderPublisher:
    return _port(request, ORDER_PUBLISHER)
