"""Builds the OpenAPI 3.1 document from the declared operations (``web/api/routing.Operation``)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from node import __version__
from web.api.routing import Operation

_PARAM = re.compile(r"\{(\w+)(?::[^}]+)?\}")
_REF = "#/components/schemas/{model}"

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "An RFC 9457 problem: what went wrong, in words a person can act on.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "For invalid input: one entry per field at fault.",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
    "additionalProperties": True,
}

_ERROR_TEXT = {
    400: "The request is malformed.",
    401: "No valid bearer token was sent.",
    403: "The token's account may not do this.",
    404: "It does not exist, or is not visible to you.",
    409: "It conflicts with the current state.",
    413: "The body is too large.",
    415: "The body must be JSON.",
    422: "Some fields are not valid; see `errors`.",
    429: "Too many requests; wait for `Retry-After` seconds.",
    503: "The node is busy or its database unreachable; retry later.",
}


def openapi_path(path: str) -> str:
    """aiohttp ``/notes/{id:\\d+}`` → OpenAPI ``/notes/{id}``."""
    return _PARAM.sub(lambda m: "{" + m.group(1) + "}", path)


def build_document(operations: list[Operation], server_url: str) -> dict[str, Any]:
    schemas: dict[str, Any] = {"Problem": PROBLEM_SCHEMA}
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        paths.setdefault(openapi_path(op.path), {})[op.method.lower()] = _operation(op, schemas)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Ruta node API",
            "version": __version__,
            "description": (
                "The JSON API of one Ruta city node. Authenticate with `Authorization: Bearer "
                "<token>` (create one with `ruta token create USERNAME`). Errors are "
                "`application/problem+json` (RFC 9457). Ids are strings."
            ),
        },
        "servers": [{"url": server_url}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas,
        },
        "paths": paths,
    }


def _schema_ref(model: type[BaseModel], schemas: dict[str, Any]) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template=_REF, mode="serialization", by_alias=True)
    for name, sub in schema.pop("$defs", {}).items():
        schemas[name] = sub
    schemas[model.__name__] = schema
    return {"$ref": _REF.format(model=model.__name__)}


def _input_ref(model: type[BaseModel], schemas: dict[str, Any]) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template=_REF, mode="validation", by_alias=True)
    for name, sub in schema.pop("$defs", {}).items():
        schemas[name] = sub
    schemas[model.__name__] = schema
    return {"$ref": _REF.format(model=model.__name__)}


def _form_body(op: Operation, form: type[BaseModel]) -> dict[str, Any]:
    """A multipart upload: the form's text fields plus the binary file part."""
    schema = form.model_json_schema(mode="validation")
    properties = {
        name: {k: v for k, v in prop.items() if k != "title"}
        for name, prop in schema.get("properties", {}).items()
    }
    required = list(schema.get("required", []))
    if op.upload:
        properties[op.upload] = {"type": "string", "contentMediaType": "application/octet-stream"}
        required.append(op.upload)
    return {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {"type": "object", "properties": properties, "required": required}
            }
        },
    }


def _operation(op: Operation, schemas: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "operationId": op.handler.__name__,
        "summary": op.summary,
        "tags": [op.tag],
    }
    if op.description:
        out["description"] = op.description
    params: list[dict[str, Any]] = []
    for name in _PARAM.findall(op.path):
        params.append(
            {
                "name": name,
                "in": "path",
                "required": True,
                "description": op.path_params.get(name, ""),
                "schema": {"type": "string"},
            }
        )
    if op.query is not None:
        qschema = op.query.model_json_schema(mode="validation")
        required = set(qschema.get("required", []))
        for name, prop in qschema.get("properties", {}).items():
            params.append(
                {
                    "name": name,
                    "in": "query",
                    "required": name in required,
                    "description": prop.get("description", ""),
                    "schema": {k: v for k, v in prop.items() if k not in ("title", "description")},
                }
            )
    if params:
        out["parameters"] = params
    if op.form is not None:
        out["requestBody"] = _form_body(op, op.form)
    if op.request is not None:
        out["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _input_ref(op.request, schemas)}},
        }
    responses: dict[str, Any] = {}
    if op.response is not None:
        responses[str(op.status)] = {
            "description": op.summary,
            "content": {"application/json": {"schema": _schema_ref(op.response, schemas)}},
        }
    else:
        responses[str(op.status)] = {"description": op.summary}
    errors = set(op.errors) | {503}
    if op.auth:
        errors.add(401)
    if op.request is not None or op.form is not None:
        errors |= {400, 413, 415, 422}
    if op.query is not None:
        errors.add(422)
    for status in sorted(errors):
        responses[str(status)] = {
            "description": _ERROR_TEXT.get(status, "Error"),
            "content": {
                "application/problem+json": {"schema": {"$ref": _REF.format(model="Problem")}}
            },
        }
    out["responses"] = responses
    if op.auth:
        out["security"] = [{"bearer": []}]
    return out
