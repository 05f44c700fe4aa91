"""The marketplace: shops, listings (local and received) and their photos.

A shop's public face is an ``Actor`` of kind ``Organization`` (keys, inbox, followers and
WebFinger come with it); ``Shop`` only adds what a business has on top. A listing belongs to the
actor that publishes it (a shop, or a person listing on their own) and is stored the same way
whether it was written here or received from another server, so search never asks where it
comes from.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from node.models.accounts import Account
from node.models.actors import Actor
from node.models.base import id_field, url_field


class Shop(Model):
    """A business run by a member: its actor plus address, hours and contact details."""

    id = id_field()
    actor: fields.OneToOneRelation[Actor] = fields.OneToOneField(
        "ruta.Actor", related_name="shop", on_delete=fields.CASCADE
    )
    owner: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "ruta.Account", related_name="shops", on_delete=fields.CASCADE
    )
    address = fields.CharField(max_length=300, default="")
    opening_hours = fields.CharField(max_length=300, default="")
    phone = fields.CharField(max_length=40, default="")
    website = url_field(null=True)
    city = fields.CharField(max_length=100, default="")
    latitude = fields.FloatField(null=True)
    longitude = fields.FloatField(null=True)
    categories: fields.JSONField[Any] = fields.JSONField(default=list)  # taxonomy slugs
    languages: fields.JSONField[Any] = fields.JSONField(default=list)  # BCP-47 codes spoken
    verified_at = fields.DatetimeField(null=True)  # set by staff
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "shop"


class ListingKind(StrEnum):
    PRODUCT = "product"
    SERVICE = "service"


class ListingPurpose(StrEnum):
    """FEP-0837 ``purpose``: something offered, or something wanted."""

    OFFER = "offer"
    REQUEST = "request"


class PriceKind(StrEnum):
    FIXED = "fixed"
    FREE = "free"
    NEGOTIABLE = "negotiable"  # price_cents is the asking price
    ON_REQUEST = "on_request"  # no price shown


class Condition(StrEnum):
    NEW = "new"
    LIKE_NEW = "like_new"
    GOOD = "good"
    FAIR = "fair"
    FOR_PARTS = "for_parts"


class ListingState(StrEnum):
    DRAFT = "draft"  # only its seller sees it; never federated
    PUBLISHED = "published"
    RESERVED = "reserved"
    SOLD = "sold"
    CLOSED = "closed"


class Listing(Model):
    """A product or service offered or wanted, written here or received from another server."""

    id = id_field()
    uri = url_field(unique=True)
    url = url_field(null=True)  # the HTML page
    local = fields.BooleanField(default=True, db_index=True)
    seller: fields.ForeignKeyRelation[Actor] = fields.ForeignKeyField(
        "ruta.Actor", related_name="listings", on_delete=fields.CASCADE
    )
    shop: fields.ForeignKeyNullableRelation[Shop] = fields.ForeignKeyField(
        "ruta.Shop", related_name="listings", null=True, on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(ListingKind, max_length=10, default=ListingKind.PRODUCT)
    purpose = fields.CharEnumField(ListingPurpose, max_length=10, default=ListingPurpose.OFFER)
    title = fields.CharField(max_length=200)
    description_source = fields.TextField(null=True)  # the seller's markdown (local listings)
    description_html = fields.TextField(default="")  # always sanitised
    language = fields.CharField(max_length=16, null=True)
    price_cents = fields.BigIntField(null=True)
    currency = fields.CharField(max_length=3, default="EUR")
    price_kind = fields.CharEnumField(PriceKind, max_length=12, default=PriceKind.FIXED)
    quantity = fields.IntField(null=True)  # available units; None = not counted
    condition = fields.CharEnumField(Condition, max_length=10, null=True)
    category = fields.CharField(max_length=40, db_index=True)
    city = fields.CharField(max_length=100, default="")
    # The city folded as the search's words are (stemming.words_of, joined by spaces): the city
    # filter matches a prefix of it, so "la palma" finds "La Palma del Condado".
    city_key = fields.CharField(max_length=100, default="", db_default="")
    latitude = fields.FloatField(null=True)
    longitude = fields.FloatField(null=True)
    delivery: fields.JSONField[Any] = fields.JSONField(default=list)  # DeliveryOption values
    state = fields.CharEnumField(ListingState, max_length=10, default=ListingState.DRAFT)
    # Remote listings: their images as received ([{"url", "media_type", "description"...}]).
    remote_photos: fields.JSONField[Any] = fields.JSONField(default=list)
    tags: fields.JSONField[Any] = fields.JSONField(default=list)  # hashtag names, no "#"
    # The same hashtags normalised (node.services.hashtags.keys_text: " artesania lepe "), so
    # a tag page and the search's tag filter match #Artesanía and #artesania alike.
    hashtag_keys = fields.TextField(default="", db_default="")
    # Title, description, category, city and hashtags as words and their stems (folded, no
    # accents; node.services.market.stemming): what the full-text index of both backends reads.
    search_text = fields.TextField(default="")
    published = fields.DatetimeField(null=True, db_index=True)  # first published
    edited_at = fields.DatetimeField(null=True)  # last federated change (the wire `updated`)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    photos: fields.ReverseRelation[ListingPhoto]

    class Meta:
        table = "listing"
        # (state, city): the search form's list of cities reads this index only.
        indexes = (("state", "published"), ("seller_id", "published"), ("state", "city"))


class ListingPhoto(Model):
    """A photo of a local listing, re-encoded without metadata, with a small preview."""

    id = id_field()
    listing: fields.ForeignKeyRelation[Listing] = fields.ForeignKeyField(
        "ruta.Listing", related_name="photos", on_delete=fields.CASCADE
    )
    position = fields.IntField(default=0)
    file_name = fields.CharField(max_length=100)  # under the media dir
    preview_name = fields.CharField(max_length=100)
    media_type = fields.CharField(max_length=40)
    width = fields.IntField()
    height = fields.IntField()
    size = fields.IntField()
    alt_text = fields.CharField(max_length=1500, default="")
    blurhash = fields.CharField(max_length=100, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "listing_photo"
        indexes = (("listing_id", "position"),)
