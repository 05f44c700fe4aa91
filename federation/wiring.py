"""Wiring the federation adapter onto the node's application (see the package docstring).

A module of its own, not the package's ``__init__``: every submodule of ``federation`` runs the
package's ``__init__`` first, so wiring there could only work with imports hidden inside the
function.
"""

from __future__ import annotations

from aiohttp import web

from federation import client, inbox, serving
from federation.delivery import wiring as delivery


def setup(app: web.Application) -> None:
    """Register federation routes, clients and job queues on the node's application."""
    client.setup(app)
    serving.setup(app)
    delivery.setup(app)
    inbox.setup(app)
