"""``GET /listings/{id}``: a local listing at its id, as the §5.2 ``Note``.

Drafts are nobody's business (404); a deleted listing answers 410 with its ``Tombstone``.
Browsers asking for HTML are sent to the listing's page.
"""

from __future__ import annotations

from aiohttp import web

from federation.convert.listing import listing_to_ap
from federation.http.negotiation import as2_response, dump, html_redirect, wants_html
from federation.http.objects import PUBLIC_CACHE, tombstone_response
from node.appkeys import SETTINGS, URLS
from node.ids import MAX_ID
from node.models.market import Listing, ListingPhoto, ListingState
from node.models.social import Tombstone
from node.services.market.mercado import market_group


async def get_listing(request: web.Request) -> web.StreamResponse:
    urls = request.app[URLS]
    number = int(request.match_info["id"])
    uri = urls.absolute(f"/listings/{number}") if number <= MAX_ID else ""
    listing = await Listing.get_or_none(uri=uri, local=True).select_related("seller")
    if listing is None or listing.state is ListingState.DRAFT:
        tombstone = await Tombstone.get_or_none(uri=uri) if uri else None
        if tombstone is not None:
            return tombstone_response(uri, tombstone.former_type, tombstone.deleted_at)
        raise web.HTTPNotFound(text="No such listing.")
    if wants_html(request):
        return html_redirect(listing.url or uri)
    photos = await ListingPhoto.filter(listing_id=listing.id).order_by("position", "id")
    document = listing_to_ap(
        listing,
        listing.seller,
        photos,
        urls,
        group=await market_group(urls),
        default_language=request.app[SETTINGS].default_language,
    )
    return as2_response(dump(document), cache=PUBLIC_CACHE)


def setup(app: web.Application) -> None:
    app.router.add_get(r"/listings/{id:\d{1,19}}", get_listing)
