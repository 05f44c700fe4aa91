"""Ruta's wire contracts as data: the JSON-LD context of our own terms, JSON Schemas (2020-12)
of every object we send or serve, golden examples of our output and real samples from other
servers (``examples/inbound/<software>/``).

Importable so that the running node can serve ``context.jsonld`` and tests can find the rest;
nothing here imports a validator (jsonschema is a test dependency).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DIRECTORY = Path(__file__).resolve().parent
CONTEXT_PATH = DIRECTORY / "context.jsonld"
OBJECTS_DIR = DIRECTORY / "objects"
OURS_DIR = DIRECTORY / "examples" / "ours"
INBOUND_DIR = DIRECTORY / "examples" / "inbound"

# The IRI namespace of terms Ruta defines itself (context.jsonld) and the base of the schemas'
# ``$id``s. Identifiers only: nothing fetches them.
NAMESPACE = "https://w3id.org/ruta/ns#"
SCHEMA_BASE = "https://w3id.org/ruta/schemas/"


def load_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def object_schemas() -> dict[str, Any]:
    """Every schema under ``objects/`` by file name (``note.schema.json`` → its document)."""
    return {p.name: load_json(p) for p in sorted(OBJECTS_DIR.glob("*.schema.json"))}
