"""A remote actor document (AS2 JSON) → the fields of our ``Actor`` row.

Read tolerantly (``federation.vocab``), checked strictly where trust depends on it: the key's
``owner`` must be the actor, key ids live on the actor's host, an actor without an inbox is
useless to us. HTML (``summary``, profile field values) goes through the one sanitiser.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from federation import vocab
from federation.signatures import resolved_key_from_document
from node.config import normalise_host, split_host_port
from node.errors import ValidationFailed
from node.models.actors import ActorKind
from node.models.base import URL_MAX
from node.services.text import sanitize_remote_html

_KINDS = {kind.value: kind for kind in ActorKind}
MAX_PROFILE_FIELDS = 16
_NAME_MAX = 255
_SUMMARY_MAX = 10_000  # characters of HTML kept before sanitising
_FIELD_VALUE_MAX = 2048


class InvalidActor(ValueError):
    """The document is not an actor we can store and talk to."""


@dataclass(frozen=True)
class RemoteActorFields:
    """What we keep of a remote actor, in the names of ``node.models.actors.Actor``."""

    uri: str
    kind: ActorKind
    username: str
    domain: str
    inbox_url: str
    display_name: str = ""
    summary: str = ""  # sanitised HTML
    url: str | None = None
    icon_url: str | None = None
    header_url: str | None = None
    profile_fields: list[dict[str, str]] = field(default_factory=list)
    manually_approves_followers: bool = False
    discoverable: bool = False
    indexable: bool = False
    shared_inbox_url: str | None = None
    outbox_url: str | None = None
    followers_url: str | None = None
    following_url: str | None = None
    featured_url: str | None = None
    public_key_id: str | None = None
    public_key_pem: str | None = None
    ed25519_key_id: str | None = None
    ed25519_multibase: str | None = None
    published: datetime | None = None

    def model_fields(self) -> dict[str, Any]:
        """Keyword arguments for ``Actor.create`` / attribute updates."""
        return asdict(self)


def ap_to_actor_fields(doc: Mapping[str, Any]) -> RemoteActorFields:
    """Map an actor document to :class:`RemoteActorFields`. Raises :class:`InvalidActor`."""
    uri = _url(doc.get("id"))
    if uri is None:
        raise InvalidActor("the actor has no usable http(s) id")
    kind = _KINDS.get(vocab.type_of(doc) or "")
    if kind is None:
        raise InvalidActor(f"{vocab.type_of(doc)!r} is not an actor type")
    inbox = _url(doc.get("inbox"))
    if inbox is None:
        raise InvalidActor("the actor has no inbox")
    key_id, key_pem = _public_key(doc, uri)
    ed_key_id, ed_multibase = _multikey(doc, uri)
    endpoints = doc.get("endpoints")
    return RemoteActorFields(
        uri=uri,
        kind=kind,
        username=_username(doc, uri),
        domain=domain_of(uri),
        inbox_url=inbox,
        display_name=(vocab.text(doc.get("name")) or "").strip()[:_NAME_MAX],
        summary=_html(vocab.text(doc.get("summary")) or "", _SUMMARY_MAX),
        url=_first_url(doc.get("url")),
        icon_url=_image_url(doc.get("icon")),
        header_url=_image_url(doc.get("image")),
        profile_fields=_profile_fields(doc.get("attachment")),
        manually_approves_followers=doc.get("manuallyApprovesFollowers") is True,
        # Absent means no (FEP-268d, Mastodon's reading for remote accounts).
        discoverable=doc.get("discoverable") is True,
        indexable=doc.get("indexable") is True,
        shared_inbox_url=_url(endpoints.get("sharedInbox"))
        if isinstance(endpoints, Mapping)
        else None,
        outbox_url=_url(doc.get("outbox")),
        followers_url=_url(doc.get("followers")),
        following_url=_url(doc.get("following")),
        featured_url=_url(doc.get("featured")),
        public_key_id=key_id,
        public_key_pem=key_pem,
        ed25519_key_id=ed_key_id,
        ed25519_multibase=ed_multibase,
        published=_datetime(doc.get("published")),
    )


def domain_of(uri: str) -> str:
    """``host[:port]`` of an actor id, normalised as ``Actor.domain`` stores it."""
    authority = vocab.host_of(uri) or ""
    host, port = split_host_port(authority)
    host = host if authority.startswith("[") else normalise_host(host)
    shown = f"[{host}]" if authority.startswith("[") else host
    return f"{shown}:{port}" if port else shown


def _public_key(doc: Mapping[str, Any], uri: str) -> tuple[str | None, str | None]:
    """The RSA ``publicKey`` the actor owns. A key naming another owner, or living on another
    host, is refused: it could make someone else's key id resolve to this actor."""
    entries = [k for k in vocab.as_list(doc.get("publicKey")) if isinstance(k, Mapping)]
    if not entries:
        return None, None
    for entry in entries:
        key_id, owner, pem = entry.get("id"), entry.get("owner"), entry.get("publicKeyPem")
        if not isinstance(key_id, str) or not isinstance(pem, str):
            continue
        if owner != uri:
            raise InvalidActor(f"the key {key_id} belongs to {owner!r}, not to {uri}")
        if not vocab.same_origin(key_id, uri) or len(key_id) > URL_MAX:
            raise InvalidActor(f"the key {key_id} is not on the actor's host")
        try:
            resolved_key_from_document(entry)
        except ValueError as exc:
            raise InvalidActor(f"the key {key_id} is unusable: {exc}") from None
        return key_id, pem
    raise InvalidActor("the actor's publicKey has no id and PEM")


def _multikey(doc: Mapping[str, Any], uri: str) -> tuple[str | None, str | None]:
    """The first Ed25519 Multikey in ``assertionMethod`` that the actor controls (FEP-521a)."""
    for entry in vocab.as_list(doc.get("assertionMethod")):
        if not isinstance(entry, Mapping) or not vocab.has_type(entry, "Multikey"):
            continue
        key_id, multibase = entry.get("id"), entry.get("publicKeyMultibase")
        if (
            entry.get("controller") != uri
            or not isinstance(key_id, str)
            or not vocab.same_origin(key_id, uri)
            or len(key_id) > URL_MAX
            or not isinstance(multibase, str)
            or not multibase.startswith("z6Mk")
            or len(multibase) > 255
        ):
            continue
        try:
            resolved_key_from_document(entry)
        except ValueError:
            continue
        return key_id, multibase
    return None, None


def _username(doc: Mapping[str, Any], uri: str) -> str:
    name = doc.get("preferredUsername")
    if isinstance(name, str) and _plausible_username(name):
        return name
    # No (usable) preferredUsername: the last path segment, as a readable fallback.
    segment = uri.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    if _plausible_username(segment):
        return segment
    raise InvalidActor("the actor has no usable preferredUsername")


def _plausible_username(name: str) -> bool:
    return 0 < len(name) <= _NAME_MAX and not any(c.isspace() or c in "@/?#" for c in name)


def _url(value: Any) -> str | None:
    if not isinstance(value, str) or len(value) > URL_MAX:
        return None
    return value if vocab.host_of(value) is not None else None


def _first_url(value: Any) -> str | None:
    """``url`` may be a string, a Link, or a list of them; the first usable http(s) one."""
    for item in vocab.as_list(value):
        if isinstance(item, Mapping):
            item = item.get("href") or item.get("url")
        if (found := _url(item)) is not None:
            return found
    return None


def _image_url(value: Any) -> str | None:
    for item in vocab.as_list(value):
        found = _first_url(item.get("url")) if isinstance(item, Mapping) else _url(item)
        if found is not None:
            return found
    return None


def _profile_fields(value: Any) -> list[dict[str, str]]:
    fields: list[dict[str, str]] = []
    for item in vocab.as_list(value):
        if len(fields) >= MAX_PROFILE_FIELDS:
            break
        if not vocab.has_type(item, "PropertyValue"):
            continue
        name, text = item.get("name"), item.get("value")
        if isinstance(name, str) and isinstance(text, str):
            fields.append(
                {"name": name.strip()[:_NAME_MAX], "value": _html(text, _FIELD_VALUE_MAX)}
            )
    return fields


def _html(markup: str, limit: int) -> str:
    try:
        return sanitize_remote_html(markup[:limit])
    except ValidationFailed:
        return ""


def _datetime(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        # In UTC, as stored: year 1 with a positive offset cannot be (and would poison the row).
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
