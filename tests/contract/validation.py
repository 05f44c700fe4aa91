"""Validating documents against schemas/objects/*.schema.json (JSON Schema 2020-12)."""

from __future__ import annotations

from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

import schemas


@cache
def _registry() -> Registry[Any]:
    resources = [
        (document["$id"], Resource.from_contents(document))
        for document in schemas.object_schemas().values()
    ]
    return Registry().with_resources(resources)


@cache
def validator(schema_name: str) -> Draft202012Validator:
    document = schemas.object_schemas()[schema_name]
    return Draft202012Validator(
        document, registry=_registry(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def errors(schema_name: str, document: Any) -> list[str]:
    """Every violation, as ``path: message`` lines (empty when the document is valid)."""
    found = sorted(validator(schema_name).iter_errors(document), key=lambda e: list(e.path))
    return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in found]


def assert_valid(schema_name: str, document: Any) -> None:
    problems = errors(schema_name, document)
    assert not problems, f"{schema_name} violated:\n" + "\n".join(problems)
