"""``GET /agreements/{id}``: the FEP-0837 ``Agreement`` of an order our node minted.

An order is private to its two parties, so the document answers only a *signed* GET whose
verified signer is the buyer's or the seller's actor; anyone else, signed or not, gets 404 —
never 403, which would confirm the order exists (as Mastodon answers for private statuses).
Browsers are sent to the order's page whatever the id: the web page itself shows the order
only to a signed-in party, so the redirect tells nobody whether the order exists.
"""

from __future__ import annotations

from aiohttp import web

from federation.convert.agreement import AGREEMENT_CONTEXT, agreement
from federation.http.negotiation import as2_response, dump, html_redirect, wants_html
from federation.http.objects import PRIVATE_CACHE, signed_viewer
from node.appkeys import URLS
from node.ids import MAX_ID
from node.models.orders import Order
from node.services.market.orders import agreement_uri, order_page_path


async def get_agreement(request: web.Request) -> web.StreamResponse:
    number = int(request.match_info["id"])
    if number > MAX_ID:
        raise web.HTTPNotFound(text="No such agreement.")
    if wants_html(request):
        return html_redirect(order_page_path(number))
    order = await Order.get_or_none(uri=agreement_uri(request.app[URLS], number)).select_related(
        "listing"
    )
    viewer = await signed_viewer(request) if order is not None else None
    parties = (order.buyer_id, order.seller_id) if order is not None else ()  # type: ignore[attr-defined]
    if order is None or viewer is None or viewer.id not in parties:
        raise web.HTTPNotFound(text="No such agreement.")
    document = {"@context": AGREEMENT_CONTEXT, **agreement(order, order.listing)}
    return as2_response(dump(document), cache=PRIVATE_CACHE)


def setup(app: web.Application) -> None:
    app.router.add_get(r"/agreements/{id:\d{1,19}}", get_agreement)
