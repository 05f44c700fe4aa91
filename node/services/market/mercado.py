"""The city market group ``@mercado@<node>``: a ``Group`` actor that shares every local listing
with its followers (other nodes' instance actors, Mastodon users), FEP-1b12 style.

It accepts every follow at once (it is public). It re-shares each listing's ``Create``, and
then its ``Update``s (edits, sales) and its ``Delete`` (``federation.publish_market``); other
nodes store what it shares (``federation.inbox.handlers.group_share``) and follow it by
themselves when configured as peers (``node.services.network.peering``)."""

from __future__ import annotations

from node.models.actors import Actor, ActorKind
from node.services.social.actors import create_local_actor
from node.urls import Urls

MARKET_GROUP = "mercado"


async def market_group(urls: Urls) -> Actor | None:
    return await Actor.get_or_none(uri=urls.actor(ActorKind.GROUP, MARKET_GROUP), local=True)


async def ensure_market_group(urls: Urls) -> Actor:
    """The group, created with its keys on first start (``mercado`` is a reserved username)."""
    found = await market_group(urls)
    if found is not None:
        return found
    return await create_local_actor(
        urls,
        kind=ActorKind.GROUP,
        username=MARKET_GROUP,
        display_name=f"Mercado · {urls.domain}",
        summary="<p>Lo que se vende y se busca en la ciudad. #Mercadillo</p>",
    )
