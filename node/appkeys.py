"""Every typed key stored on the aiohttp application, in one place."""

from __future__ import annotations

from aiohttp import web

from node.config import Settings
from node.jobs.registry import Registry
from node.jobs.worker import Worker
from node.ports import ActorResolver, MarketPublisher, OrderPublisher, Publisher
from node.urls import Urls

SETTINGS = web.AppKey("settings", Settings)
URLS = web.AppKey("urls", Urls)
JOBS = web.AppKey("jobs", Registry)
# The in-process worker of ``ruta serve``/``ruta worker``; None when workers are off (tests).
WORKER: web.AppKey[Worker | None] = web.AppKey("worker")
# Implementations of node.ports, set by the federation adapter at start-up.
PUBLISHER: web.AppKey[Publisher] = web.AppKey("publisher")
RESOLVER: web.AppKey[ActorResolver] = web.AppKey("resolver")
MARKET_PUBLISHER: web.AppKey[MarketPublisher] = web.AppKey("market_publisher")
ORDER_PUBLISHER: web.AppKey[OrderPublisher] = web.AppKey("order_publisher")
