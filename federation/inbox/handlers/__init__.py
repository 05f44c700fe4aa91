"""One handler per activity type. Each does its network I/O first, then applies the change in
``Inbound.commit()``; types not listed here are acknowledged and ignored."""

from __future__ import annotations

from collections.abc import Mapping

from federation.inbox.handlers.accept import handle_accept, handle_reject
from federation.inbox.handlers.announce import handle_announce
from federation.inbox.handlers.block import handle_block
from federation.inbox.handlers.create import handle_create
from federation.inbox.handlers.delete import handle_delete
from federation.inbox.handlers.flag import handle_flag
from federation.inbox.handlers.follow import handle_follow
from federation.inbox.handlers.like import handle_like
from federation.inbox.handlers.offer import handle_offer
from federation.inbox.handlers.undo import handle_undo
from federation.inbox.handlers.update import handle_update
from federation.inbox.process import Handler

HANDLERS: Mapping[str, Handler] = {
    "Follow": handle_follow,
    "Undo": handle_undo,
    "Accept": handle_accept,
    "Reject": handle_reject,
    "Create": handle_create,
    "Update": handle_update,
    "Delete": handle_delete,
    "Like": handle_like,
    "Announce": handle_announce,
    "Block": handle_block,
    "Flag": handle_flag,
    "Offer": handle_offer,
}
