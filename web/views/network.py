"""The staff page of the network peers (``RUTA_NETWORK_PEERS``, ``node.services.network.peering``).

The list of peers comes from the node's configuration, so the page only shows it: each peer's
state, the date of the last attempt and how many listings came from it. "Retry now" asks the
workers for the same sync as ``ruta peers sync``.
"""

from __future__ import annotations

from aiohttp import web

from node.appkeys import SETTINGS, URLS
from node.services.market.network import listings_from
from node.services.moderation import moderation
from node.services.network import peering
from web.rendering import render
from web.sessions import require_account
from web.views.forms import see_other

PATH = "/moderation/network"


async def network_page(request: web.Request) -> web.Response:
    moderation.require_moderator(await require_account(request))
    settings = request.app[SETTINGS]
    peers = await peering.peer_statuses(request.app[URLS], settings)
    context = {
        "peers": peers,
        "listings": await listings_from([peer.host for peer in peers]),
        "retried": request.query.get("retried") == "1",
    }
    return await render(request, "moderation/network.html", context)


async def retry_now(request: web.Request) -> web.Response:
    moderation.require_moderator(await require_account(request))
    await peering.request_sync()
    return see_other(PATH + "?retried=1")


def setup(app: web.Application) -> None:
    app.router.add_get(PATH, network_page)
    app.router.add_post(PATH + "/retry", retry_now)
