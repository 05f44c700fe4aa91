"""ActivityStreams 2.0 read as plain JSON, tolerantly.

We never run JSON-LD expansion on the request path (slow, and bovine's loader caches unreachable
contexts as empty forever). Instead every incoming document is read through these accessors,
which accept the shapes real servers send: a value or a list, an id string or an embedded object,
``Public`` spelled three ways (bovine-herd sends ``as:Public``), ``cc`` as a string.

They never raise on odd input; callers decide what is required and answer 400 when it is missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
SECURITY_CONTEXT = "https://w3id.org/security/v1"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
PUBLIC_ALIASES = frozenset({PUBLIC, "as:Public", "Public"})

# Content types a fetched or posted document may carry (SECURITY.md "Inbound federation").
AS2_MEDIA_TYPES = (
    "application/activity+json",
    'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
)
ACCEPT_AS2 = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"'

Json = dict[str, Any]


def is_as2_content_type(value: str | None) -> bool:
    """``application/activity+json``, or ``application/ld+json`` with the AS2 profile."""
    if not value:
        return False
    media, _, params = value.partition(";")
    media = media.strip().lower()
    if media == "application/activity+json":
        return True
    if media != "application/ld+json":
        return False
    for param in params.split(";"):
        name, _, val = param.strip().partition("=")
        if name.strip().lower() == "profile":
            profiles = val.strip().strip('"').split()
            return "https://www.w3.org/ns/activitystreams" in profiles
    return False


def as_list(value: Any) -> list[Any]:
    """A value or a list of values as a list; None as []."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def id_of(value: Any) -> str | None:
    """The id of a reference: the string itself, or an embedded object's ``id`` (or ``href``)."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, Mapping):
        ref = value.get("id") or value.get("href")
        return ref if isinstance(ref, str) and ref else None
    return None


def ids_of(value: Any) -> list[str]:
    """Every id in a reference or a list of references (objects without ids are skipped)."""
    return [i for i in (id_of(v) for v in as_list(value)) if i]


def first_id(value: Any) -> str | None:
    ids = ids_of(value)
    return ids[0] if ids else None


def type_of(value: Any) -> str | None:
    """The (first) ``type`` of an object; None for strings and untyped objects."""
    if not isinstance(value, Mapping):
        return None
    kind = value.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if isinstance(k, str)), None)
    return kind if isinstance(kind, str) else None


def has_type(value: Any, *names: str) -> bool:
    if not isinstance(value, Mapping):
        return False
    return any(k in names for k in as_list(value.get("type")) if isinstance(k, str))


def text(value: Any, max_length: int | None = None) -> str | None:
    """A string field, or None if absent or not a string."""
    if not isinstance(value, str):
        return None
    return value[:max_length] if max_length is not None else value


def language_map(obj: Mapping[str, Any], field: str) -> tuple[str | None, str | None]:
    """``(language, text)`` from ``<field>Map`` (first key wins, as in Mastodon) or ``field``."""
    mapping = obj.get(field + "Map")
    if isinstance(mapping, Mapping):
        for lang, value in mapping.items():
            if isinstance(lang, str) and isinstance(value, str):
                return lang, value
    value = obj.get(field)
    return None, value if isinstance(value, str) else None


def addressees(obj: Mapping[str, Any]) -> set[str]:
    """Everyone in ``to``, ``cc``, ``bto``, ``bcc`` and ``audience``, with Public normalised."""
    out: set[str] = set()
    for field in ("to", "cc", "bto", "bcc", "audience"):
        for ref in ids_of(obj.get(field)):
            out.add(PUBLIC if ref in PUBLIC_ALIASES else ref)
    return out


def is_public(obj: Mapping[str, Any]) -> bool:
    return PUBLIC in addressees(obj)


def host_of(url: str | None) -> str | None:
    """The lower-cased ``host[:port]`` of an http(s) URL, or None."""
    from urllib.parse import urlsplit

    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    try:
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname.lower().rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}[parts.scheme]
    return f"{host}:{port}" if port and port != default else host


def same_origin(a: str | None, b: str | None) -> bool:
    """Both URLs are on the same host[:port] (how SECURITY.md's origin checks compare ids)."""
    ha, hb = host_of(a), host_of(b)
    return ha is not None and ha == hb


def depth(value: Any, limit: int) -> int:
    """Nesting depth of a JSON value, counting no further than ``limit + 1`` (cheap bound check)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    deepest = 0
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > limit:
            return deepest
        if isinstance(item, Mapping):
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
    return deepest


def compact(entries: Iterable[tuple[str, Any]]) -> Json:
    """A dict without the None values (building outgoing JSON without empty fields)."""
    return {k: v for k, v in entries if v is not None}
