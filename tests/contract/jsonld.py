"""JSON-LD expansion with the contexts every peer bundles (Fedify's preloaded set, from the
peers kit), never the network: a term our documents use that no context defines would vanish in
expansion, which is how Fedify and bovine would read it."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from tests.support.peers import KIT

PRELOADED = KIT / "contexts" / "preloaded_contexts.json"


@cache
def _contexts() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(PRELOADED.read_text())
    return loaded


def available() -> bool:
    return PRELOADED.is_file()


def _loader(url: str, options: Any = None) -> dict[str, Any]:
    contexts = _contexts()
    if url not in contexts:
        raise ValueError(f"context {url} is not bundled with peers: they would have to fetch it")
    return {"contextUrl": None, "documentUrl": url, "document": contexts[url]}


def expand(document: dict[str, Any]) -> list[dict[str, Any]]:
    from pyld import jsonld

    expanded: list[dict[str, Any]] = jsonld.expand(document, {"documentLoader": _loader})
    return expanded
