"""Orders and saved listings: a buyer asks a seller for a quantity of a listing, and members
keep listings they want to find again.

An order is stored on both sides when buyer and seller live on different servers: the buyer's
node keeps the one it sent (``Offer{Agreement}``), the seller's node the one it received, each
with the agreement's id as ``uri``. Only the seller's node decides; the buyer's node learns the
decision from its ``Accept`` or ``Reject``.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from node.models.accounts import Account
from node.models.actors import Actor
from node.models.base import id_field, url_field
from node.models.market import Listing


class OrderState(StrEnum):
    PENDING = "pending"  # waiting for the seller
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CANCELLED = "cancelled"  # withdrawn by the buyer before the seller decided


class Order(Model):
    """A buyer's request for a quantity of a listing and the seller's answer."""

    id = id_field()
    uri = url_field(unique=True)  # the Agreement's id (minted by the buyer's node)
    offer_uri = url_field(null=True, unique=True)  # the Offer activity that carried it
    listing: fields.ForeignKeyRelation[Listing] = fields.ForeignKeyField(
        "ruta.Listing", related_name="orders", on_delete=fields.CASCADE
    )
    buyer: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "ruta.Actor", related_name="orders_placed", on_delete=fields.CASCADE
    )
    seller: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "ruta.Actor", related_name="orders_received", on_delete=fields.CASCADE
    )
    quantity = fields.IntField()
    # The price when the order was made, so a later price change does not rewrite what the
    # buyer agreed to. ``None``: the listing had no price (on request) or the order predates it.
    unit_price_cents = fields.BigIntField(null=True)
    currency = fields.CharField(max_length=3, default="EUR", db_default="EUR")
    message = fields.TextField(default="")  # plain text from the buyer
    state = fields.CharEnumField(OrderState, max_length=10, default=OrderState.PENDING)
    decided_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "market_order"
        indexes = (("buyer_id", "created_at"), ("seller_id", "created_at"))


class SavedListing(Model):
    """A listing a member keeps to find again (a bookmark)."""

    id = id_field()
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "ruta.Account", related_name="saved_listings", on_delete=fields.CASCADE
    )
    listing: fields.ForeignKeyRelation[Listing] = fields.ForeignKeyField(
        "ruta.Listing", related_name="saved_by", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "saved_listing"
        unique_together = (("account", "listing"),)
