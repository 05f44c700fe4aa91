"""The marketplace: shops, listings, their photos, received listings and search.

Modules: ``taxonomy`` (the fixed categories), ``fields`` (validating what a seller types),
``shops``, ``listings`` (write, state changes, delete), ``photos``, ``remote`` (listings other
servers send), ``mercado`` (the city market group), ``search`` and ``search_schema``.
"""
