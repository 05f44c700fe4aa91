"""``ruta peers``: the network peers of ``RUTA_NETWORK_PEERS`` and the follows of their market
groups (``node.services.network.peering``)."""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from node import db
from node.cli.common import open_migrated, prepare
from node.config import Settings


async def cmd_peers_list(
    args: argparse.Namespace, settings: Settings, env: Mapping[str, str]
) -> int:
    from node.services.network.peering import peer_statuses
    from node.urls import Urls

    await open_migrated(prepare(settings))
    try:
        statuses = await peer_statuses(Urls(settings), settings)
    finally:
        await db.close()
    if not statuses:
        print("no peers (set RUTA_NETWORK_PEERS)")
    for peer in statuses:
        line = f"{peer.host:<32} {peer.state:<12} {peer.group or '-'}"
        print(line + (f"  {peer.detail}" if peer.detail else ""))
    return 0


async def cmd_peers_sync(
    args: argparse.Namespace, settings: Settings, env: Mapping[str, str]
) -> int:
    from node.services.network.peering import configured_peers, request_sync

    await open_migrated(prepare(settings))
    try:
        await request_sync()
    finally:
        await db.close()
    print(
        f"{len(configured_peers(settings))} peer(s) configured; "
        "the node's workers follow, retry and unfollow them now (see `ruta peers list`)"
    )
    return 0
