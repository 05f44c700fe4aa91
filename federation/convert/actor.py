"""Local actors as ActivityPub documents (FEDERATION.md §5.0 rules 9–11, §5.1).

One function for every kind: a person (``Person``), a shop (``Organization``), a city group
(``Group``) and the node itself (``Application`` at ``/actor``, FEP-2677/FEP-d556). The shape is
Mastodon's (``spec/activitypub.md``) plus the FEP-2c59 ``webfinger`` property and an Ed25519
Multikey in ``assertionMethod`` (FEP-521a).
"""

from __future__ import annotations

import mimetypes
from typing import Any

from federation.vocab import AS_CONTEXT, SECURITY_CONTEXT, Json, compact
from node import clock
from node.models.actors import Actor, ActorKind
from node.urls import Urls

CID_CONTEXT = "https://www.w3.org/ns/cid/v1"
WEBFINGER_CONTEXT = "https://purl.archive.org/socialweb/webfinger"

# Extension terms of the actor document, in one inline map (FEDERATION.md §5.0 rule 2). ``sc:``
# only for PropertyValue/value: that exact spelling is what Mastodon matches profile fields on.
ACTOR_TERMS: dict[str, Any] = {
    "sc": "http://schema.org#",
    "PropertyValue": "sc:PropertyValue",
    "value": "sc:value",
    "toot": "http://joinmastodon.org/ns#",
    "discoverable": "toot:discoverable",
    "indexable": "toot:indexable",
    "featured": {"@id": "toot:featured", "@type": "@id"},
    "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
}

# Every context above is bundled with Fedify (peers/contexts), so no peer has to fetch one.
ACTOR_CONTEXT: list[Any] = [
    AS_CONTEXT,
    SECURITY_CONTEXT,
    CID_CONTEXT,
    WEBFINGER_CONTEXT,
    ACTOR_TERMS,
]


def actor_to_ap(actor: Actor, urls: Urls) -> Json:
    """The AS2 document of a local actor, exactly the fields of FEDERATION.md §5.1.

    Reads only the row itself (no relations), so it never touches the database.
    """
    uri = actor.uri
    published = actor.published or actor.created_at
    return compact(
        [
            ("@context", ACTOR_CONTEXT),
            ("id", uri),
            ("type", actor.kind.value),
            ("preferredUsername", actor.username),
            ("webfinger", f"{actor.username}@{urls.domain}"),
            ("name", actor.display_name or actor.username),
            ("summary", actor.summary or ""),
            ("url", actor.url or _profile_url(actor, urls)),
            ("inbox", actor.inbox_url or uri + "/inbox"),
            ("outbox", actor.outbox_url or uri + "/outbox"),
            ("followers", actor.followers_url or uri + "/followers"),
            ("following", actor.following_url or uri + "/following"),
            ("featured", actor.featured_url or uri + "/featured"),
            ("endpoints", {"sharedInbox": actor.shared_inbox_url or urls.shared_inbox()}),
            ("manuallyApprovesFollowers", actor.manually_approves_followers),
            ("discoverable", actor.discoverable),
            ("indexable", actor.indexable),
            ("icon", _image(actor.icon_url)),
            ("image", _image(actor.header_url)),
            ("attachment", profile_fields_to_ap(actor.profile_fields)),
            ("publicKey", _public_key(actor)),
            ("assertionMethod", _assertion_method(actor)),
            ("published", clock.isoformat(published) if published else None),
        ]
    )


def actor_tombstone(actor: Actor) -> Json:
    """What a deleted local actor's id answers (with 410): a ``Tombstone`` of its former type."""
    return compact(
        [
            ("@context", AS_CONTEXT),
            ("id", actor.uri),
            ("type", "Tombstone"),
            ("formerType", actor.kind.value),
            ("deleted", clock.isoformat(actor.gone_at) if actor.gone_at else None),
        ]
    )


def profile_fields_to_ap(fields: Any) -> list[Json]:
    """Profile fields ``[{"name", "value"}]`` as Mastodon ``PropertyValue`` attachments.

    Values are stored already sanitised (HTML, e.g. a ``rel="me"`` link); malformed entries
    are skipped rather than sent.
    """
    out: list[Json] = []
    if not isinstance(fields, list):
        return out
    for item in fields:
        if not isinstance(item, dict):
            continue
        name, value = item.get("name"), item.get("value")
        if isinstance(name, str) and name and isinstance(value, str):
            out.append({"type": "PropertyValue", "name": name, "value": value})
    return out


def _profile_url(actor: Actor, urls: Urls) -> str:
    if actor.kind is ActorKind.APPLICATION:
        return urls.base + "/"
    return urls.profile_page(actor.username)


def _image(url: str | None) -> Json | None:
    if not url:
        return None
    media_type, _ = mimetypes.guess_type(url.split("?", 1)[0])
    return compact([("type", "Image"), ("mediaType", media_type), ("url", url)])


def _public_key(actor: Actor) -> Json | None:
    if not actor.public_key_pem:
        return None
    return {
        "id": actor.public_key_id or actor.uri + "#main-key",
        "owner": actor.uri,
        "publicKeyPem": actor.public_key_pem,
    }


def _assertion_method(actor: Actor) -> list[Json] | None:
    if not actor.ed25519_multibase:
        return None
    return [
        {
            "id": actor.ed25519_key_id or actor.uri + "#ed25519-key",
            "type": "Multikey",
            "controller": actor.uri,
            "publicKeyMultibase": actor.ed25519_multibase,
        }
    ]
