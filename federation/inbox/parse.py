"""Reading an inbox POST body into an activity we may accept, before anything is verified.

Pure functions, no I/O: they run on every request before the signature check, so junk is refused
cheaply (SECURITY.md "Inbound federation": body ≤ 1 MiB, JSON depth bounded, every field
type-checked, 400/415 for malformed input, never 500). Everything accepted here must also be
storable as JSON on both databases: PostgreSQL's ``jsonb`` refuses NUL characters, lone UTF-16
surrogates and non-finite numbers, so those are refused here rather than failing at the insert.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from federation import vocab
from federation.vocab import Json

# SECURITY.md: inbox bodies are capped at 1 MiB (the same cap as node.main.MAX_BODY).
MAX_BODY = 1024 * 1024
# Real activities nest 4-6 levels (Create > Note > attachment > focalPoint); Fedify's with proofs
# and LD signatures about 8. Mastodon's JSON-LD processing gives up far earlier than 32.
MAX_DEPTH = 32
# Mastodon refuses longer URIs too (node.models.base.URL_MAX).
MAX_URI = 2048
MAX_TYPE = 100

# What senders put on an inbox POST: AS2 (Mastodon, Fedify, bovine), JSON-LD, or plain JSON
# (some older servers). Anything else is not an activity.
_ACCEPTED_MEDIA = frozenset(
    {"application/activity+json", "application/ld+json", "application/json"}
)


@dataclass(frozen=True)
class Rejection:
    """Why a request is refused: the HTTP status and a short reason safe to show the sender."""

    status: int
    reason: str


@dataclass(frozen=True)
class ParsedActivity:
    """An activity whose shape we checked: the fields every later step relies on, and the body."""

    id: str
    type: str
    actor: str
    body: Json


def accepts_content_type(value: str | None) -> bool:
    """True for the media types an activity may be posted with (parameters are ignored)."""
    if not value:
        return False
    media = value.split(";", 1)[0].strip().lower()
    return media in _ACCEPTED_MEDIA


class _Unstorable(ValueError):
    pass


def _refuse_constant(name: str) -> Any:
    raise _Unstorable(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Unstorable("number out of range")
    return value


def _decode(body: bytes) -> Any:
    text = body.decode("utf-8")
    return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)


def _storable_text(value: str) -> bool:
    if "\x00" in value:
        return False
    # A lone surrogate (from a "\\udxxx" escape) cannot be encoded as UTF-8.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_tree(value: Any, max_depth: int = MAX_DEPTH) -> str | None:
    """Why a decoded JSON value cannot be accepted (too deep, unstorable text), or None."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if level > max_depth:
            return f"JSON is nested deeper than {max_depth} levels"
        if isinstance(item, str):
            if not _storable_text(item):
                return "JSON text contains NUL or unpaired surrogate characters"
        elif isinstance(item, Mapping):
            for key, child in item.items():
                if not _storable_text(key):
                    return "JSON text contains NUL or unpaired surrogate characters"
                stack.append((child, level + 1))
        elif isinstance(item, list):
            stack.extend((child, level + 1) for child in item)
    return None


def _uri(value: Any) -> str | None:
    if not isinstance(value, str) or len(value) > MAX_URI:
        return None
    return value if vocab.host_of(value) is not None else None


def parse_activity(body: bytes) -> ParsedActivity | Rejection:
    """The activity in ``body``, or why it is refused (always a 4xx).

    Requires a JSON object with an http(s) ``id``, a string ``type`` and an http(s) ``actor``
    (a string or an object with an ``id``).
    """
    if len(body) > MAX_BODY:
        return Rejection(413, "the body is larger than 1 MiB")
    if not body.strip():
        return Rejection(400, "the body is empty")
    try:
        data = _decode(body)
    except RecursionError:
        return Rejection(400, f"JSON is nested deeper than {MAX_DEPTH} levels")
    except (UnicodeDecodeError, ValueError):
        # ValueError covers JSONDecodeError, our own refusals and over-long integers.
        return Rejection(400, "the body is not valid JSON")
    if not isinstance(data, dict):
        return Rejection(400, "the body is not a JSON object")
    problem = check_tree(data)
    if problem is not None:
        return Rejection(400, problem)
    kind = vocab.type_of(data)
    if kind is None or not kind or len(kind) > MAX_TYPE:
        return Rejection(400, "the activity has no type")
    activity_id = _uri(data.get("id"))
    if activity_id is None:
        return Rejection(400, "the activity has no http(s) id")
    actor = _uri(vocab.first_id(data.get("actor")))
    if actor is None:
        return Rejection(400, "the activity has no http(s) actor")
    return ParsedActivity(id=activity_id, type=kind, actor=actor, body=data)
