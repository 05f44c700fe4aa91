"""The market pages (``/mercado/...``): listings, search, shops, the composer, orders, saved
listings and feeds. ``routes`` wires them; the rest are one module per page or concern."""
