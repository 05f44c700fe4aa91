"""Declaring API operations once: the route, its handler and its OpenAPI description together,
so the document at ``/api/openapi.json`` cannot drift from what the server does."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from node.errors import FieldError, ValidationFailed

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Operation:
    """One API operation. ``path`` uses aiohttp syntax (``/api/v1/notes/{id}``)."""

    method: str
    path: str
    handler: Handler
    summary: str
    tag: str
    description: str = ""
    auth: bool = True
    request: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    errors: tuple[int, ...] = ()
    query: type[BaseModel] | None = None
    path_params: dict[str, str] = field(default_factory=dict)  # name -> description
    # A multipart/form-data body (uploads): its text fields; ``upload`` names the file part.
    form: type[BaseModel] | None = None
    upload: str | None = None


async def read_json(request: web.Request, model: type[M]) -> M:
    """Parse and validate a JSON body; bad input becomes a 4xx a person can act on."""
    if request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType(
            text="Send the body as JSON (Content-Type: application/json)."
        )
    try:
        data = json.loads(await request.read() or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise web.HTTPBadRequest(text=f"The body is not valid JSON: {exc}.") from None
    except RecursionError:
        raise web.HTTPBadRequest(text="The body is nested too deeply.") from None
    return validate(model, data)


def read_query(request: web.Request, model: type[M]) -> M:
    return validate(model, dict(request.query))


def validate(model: type[M], data: Any) -> M:
    where = _nul_at(data)
    if where is not None:
        # PostgreSQL text cannot hold NUL: refuse it here rather than fail at the write.
        raise ValidationFailed.on(where or "body", "Text may not contain NUL characters.")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = [
            FieldError(".".join(str(p) for p in err["loc"]) or "body", _message(err))
            for err in exc.errors(include_url=False)
        ]
        summary = "; ".join(f"{e.field}: {e.message}" for e in errors[:3])
        raise ValidationFailed(f"Some fields are not valid: {summary}.", errors) from None


def _nul_at(data: Any, path: str = "") -> str | None:
    """The dotted path of the first string (value or key) holding a NUL character, if any."""
    if isinstance(data, str):
        return path if "\x00" in data else None
    if isinstance(data, dict):
        for key, value in data.items():
            here = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return here
            found = _nul_at(value, here)
            if found is not None:
                return found
    if isinstance(data, list):
        for index, value in enumerate(data):
            found = _nul_at(value, f"{path}.{index}" if path else str(index))
            if found is not None:
                return found
    return None


def _message(err: Any) -> str:
    msg = str(err.get("msg", "is not valid"))
    return msg[:1].upper() + msg[1:]


def respond(body: BaseModel | list[Any], status: int = 200) -> web.Response:
    if isinstance(body, BaseModel):
        text = body.model_dump_json(by_alias=True)
    else:
        text = json.dumps(
            [
                b.model_dump(mode="json", by_alias=True) if isinstance(b, BaseModel) else b
                for b in body
            ]
        )
    return web.Response(text=text, status=status, content_type="application/json")
