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
    return validate(model, data)


def read_query(request: web.Request, model: type[M]) -> M:
    return validate(model, dict(request.query))


def validate(model: type[M], data: Any) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = [
            FieldError(".".join(str(p) for p in err["loc"]) or "body", _message(err))
            for err in exc.errors(include_url=False)
        ]
        summary = "; ".join(f"{e.field}: {e.message}" for e in errors[:3])
        raise ValidationFailed(f"Some fields are not valid: {summary}.", errors) from None


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
