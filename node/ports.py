"""What the domain needs from the adapters, declared as protocols (DESIGN.md "Dependency
direction"). Federation implements them; ``node.main`` wires the implementations in; services
receive them as arguments, so a service never imports federation.
"""

from __future__ import annotations

from typing import Protocol

from node.models.actors import Actor
from node.models.market import Listing
from node.models.moderation import Report
from node.models.orders import Order
from node.models.social import Announce, Block, Follow, Like, Note


class Publisher(Protocol):
    """Turns domain changes into federated activities.

    Every method is called **inside the transaction of the change** and only writes rows (the
    activity and one delivery job per distinct remote inbox, shared inboxes preferred); it never
    does network I/O. So a change and its deliveries commit together or not at all (SECURITY.md
    "Data"). Recipients that are local need no delivery: timelines read the database directly.
    """

    async def note_created(self, note: Note) -> None:
        """``Create{Note}`` to its audience: followers, mentioned actors, the replied-to author."""

    async def note_updated(self, note: Note) -> None:
        """``Update{Note}`` with the new ``updated`` time, to the same audience as the Create."""

    async def note_deleted(self, note: Note) -> None:
        """``Delete{Tombstone}`` to the same audience. Called before the row is removed."""

    async def follow_requested(self, follow: Follow) -> None:
        """``Follow`` to a remote target."""

    async def follow_undone(self, follow: Follow) -> None:
        """``Undo{Follow}`` to a remote target. Called before the row is removed."""

    async def follow_accepted(self, follow: Follow) -> None:
        """``Accept{Follow}`` (embedding the Follow) to a remote follower."""

    async def follow_rejected(self, follow: Follow) -> None:
        """``Reject{Follow}`` (embedding the Follow) to a remote follower."""

    async def liked(self, like: Like) -> None:
        """``Like`` to the note's remote author."""

    async def unliked(self, like: Like) -> None:
        """``Undo{Like}``. Called before the row is removed."""

    async def announced(self, announce: Announce) -> None:
        """``Announce`` to the booster's followers and the note's author."""

    async def unannounced(self, announce: Announce) -> None:
        """``Undo{Announce}``. Called before the row is removed."""

    async def blocked(self, block: Block) -> None:
        """``Block`` to a remote target (Mastodon honours it as a hint)."""

    async def unblocked(self, block: Block) -> None:
        """``Undo{Block}``. Called before the row is removed."""

    async def actor_updated(self, actor: Actor) -> None:
        """``Update{Person|Organization|Group}`` to the actor's followers."""

    async def actor_deleted(self, actor: Actor) -> None:
        """``Delete{actor}`` to every server that knows the actor."""

    async def report_forwarded(self, report: Report) -> None:
        """``Flag`` from the instance actor to the reported actor's server."""


class MarketPublisher(Protocol):
    """Turns marketplace changes into federated activities; the same contract as ``Publisher``
    (called inside the change's transaction, rows only, no network I/O). Kept apart so the
    social ``Publisher`` and its fakes need not know about listings."""

    async def listing_published(self, listing: Listing) -> None:
        """``Create{Note}`` with FEP-0837 terms to the seller's followers; the city market
        group announces it."""

    async def listing_updated(self, listing: Listing) -> None:
        """``Update{Note}`` with a new ``updated`` (an edit or a state change)."""

    async def listing_deleted(self, listing: Listing) -> None:
        """``Delete{Tombstone}``. Called before the row is removed."""


class OrderPublisher(Protocol):
    """Turns order requests and decisions into FEP-0837 activities (the ``Publisher`` contract:
    called inside the change's transaction, rows only). Only orders between a local and a
    remote actor travel; the implementation ignores the rest."""

    async def order_offered(self, order: Order) -> None:
        """``Offer{Agreement}`` from the local buyer to the remote seller."""

    async def order_accepted(self, order: Order, listing: Listing) -> None:
        """``Accept`` to the remote buyer, and ``Update`` of the listing (its new
        ``availableQuantity``) to the seller's followers and the buyer."""

    async def order_declined(self, order: Order) -> None:
        """``Reject`` to the remote buyer."""

    async def order_cancelled(self, order: Order) -> None:
        """``Undo{Offer}`` from the local buyer to the remote seller (a withdrawn order)."""


class ActorResolver(Protocol):
    """Finds an actor by a handle or URL, fetching and caching remote ones.

    Does network I/O: call it **outside** transactions.
    """

    async def resolve(self, reference: str) -> Actor:
        """``@user@host``, ``user@host`` or an actor URL → the stored ``Actor``.

        Local handles resolve without network. Raises ``node.errors.NotFound`` when nobody answers
        to it, ``ValidationFailed`` when the reference is malformed, ``PermissionDenied`` when
        the host is blocked.
        """
        ...
