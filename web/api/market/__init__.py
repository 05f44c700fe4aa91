"""``/api/v1`` for the market: shops, listings and their photos, orders."""
