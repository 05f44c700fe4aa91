"""Golden examples: our converters' output for fixed inputs, kept in schemas/examples/ours/.

The contract test compares what the converters produce today with these files, so any change of
our wire format shows up as a failing test and a diff to review. When the change is deliberate,
regenerate and commit the files:

    .venv/bin/python -m tests.contract.golden        # rewrites schemas/examples/ours/*.json
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519
from tortoise import Tortoise

import schemas
from federation.convert import activities
from federation.convert.actor import actor_to_ap
from federation.convert.note import note_to_ap
from node import clock
from node.config import Settings
from node.db import APP
from node.models import MODEL_MODULES
from node.models.actors import Actor, ActorKind
from node.models.social import Note, Visibility
from node.services.accounts.keys import ed25519_multibase
from node.urls import Urls
from tests.contract.golden_market import market_examples

SETTINGS = Settings(domain="lapalma.example", scheme="https", city_name="La Palma del Condado")
URLS = Urls(SETTINGS)
PUBLISHED = datetime(2025, 1, 10, 9, 0, tzinfo=UTC)
NOTE_PUBLISHED = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)
EDITED = datetime(2025, 6, 1, 9, 30, tzinfo=UTC)
NOTE_ID = 123456789012345678
REMOTE_BOB = "https://faro.example/users/bob"

# A fixed key pair (public halves only are needed): golden files must not change between runs.
RSA_PUBLIC_PEM = """-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAn8eHkRA30D9Z/rBNe6UQ
ORxxKs1qiOE1CUS/trBibi8N7hBeQ3KuONGaDECWLRbewFWPcyb9g7xni8P7wyxJ
xogV1bY9svqs6P4C739l+Fn8uHkGADrb89o9dNvUK+MUD3N4XJtipifeIHTX+REM
dcaray2qydrfGxTFaDXsJE4y3X3hcFDPbayOMj46pUWO1unSYB2j7vnazVOLi/ia
Ae9ZyXlO2hJkAuDTkQDttcSIhSgp/WXhkj2rFKiaOQbGzJvdsRVQVvx7FFJPV4Vu
QWyELHmyX4HRfNsZIXeeIVtBzNc+bRi9QbGZRyBeQUAV1rr3enFmWbpJCi/NVQor
KQIDAQAB
-----END PUBLIC KEY-----
"""
ED25519_MULTIBASE = ed25519_multibase(
    ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32))).public_key()
)


def local_actor(kind: ActorKind, username: str, **fields: Any) -> Actor:
    """An unsaved local actor row shaped exactly as node.services.social.actors creates them."""
    uri = URLS.actor(kind, username)
    defaults: dict[str, Any] = {
        "id": 1,
        "uri": uri,
        "kind": kind,
        "username": username,
        "domain": URLS.domain,
        "local": True,
        "local_username": username,
        "url": URLS.profile_page(username) if kind is not ActorKind.APPLICATION else URLS.base,
        "inbox_url": uri + "/inbox",
        "shared_inbox_url": URLS.shared_inbox(),
        "outbox_url": uri + "/outbox",
        "followers_url": uri + "/followers",
        "following_url": uri + "/following",
        "featured_url": uri + "/featured",
        "public_key_id": uri + "#main-key",
        "public_key_pem": RSA_PUBLIC_PEM,
        "ed25519_key_id": uri + "#ed25519-key",
        "ed25519_multibase": ED25519_MULTIBASE,
        "published": PUBLISHED,
    }
    defaults.update(fields)
    return Actor(**defaults)


def _relations_ready() -> None:
    # Rows with relations (a note's author) need the models' relations resolved; no database.
    if Note._meta.fields_map["author"].related_model is None:  # type: ignore[attr-defined]
        Tortoise.init_models(MODEL_MODULES, APP)


def saved(row: Actor) -> Actor:
    """Let an unsaved row stand in for a stored one as a relation (it never reaches a database)."""
    row._saved_in_db = True
    return row


def local_note(visibility: Visibility, **fields: Any) -> Note:
    _relations_ready()
    author = saved(person())
    values: dict[str, Any] = {
        "id": NOTE_ID,
        "uri": URLS.note(NOTE_ID),
        "url": URLS.note_page(author.username, NOTE_ID),
        "author": author,
        "local": True,
        "visibility": visibility,
        "language": "es",
        "published": NOTE_PUBLISHED,
    }
    values.update(fields)
    return Note(**values)


def public_note() -> Note:
    return local_note(
        Visibility.PUBLIC,
        content_html=(
            '<p><strong>Pan de campo 1 kg — 3,00 €</strong></p><p>Masa madre. <a href="'
            'https://lapalma.example/tags/pan" class="mention hashtag" rel="tag">#<span>pan'
            '</span></a> <span class="h-card"><a href="https://faro.example/@bob" class="u-url '
            'mention">@<span>bob</span></a></span></p>'
        ),
        content_source="**Pan de campo 1 kg — 3,00 €**\n\nMasa madre. #pan @bob@faro.example",
        in_reply_to_uri="https://faro.example/notes/1",
        tags=[
            {"type": "Hashtag", "name": "#pan", "href": "https://lapalma.example/tags/pan"},
            {"type": "Mention", "name": "@bob@faro.example", "href": REMOTE_BOB},
        ],
        attachments=[
            {
                "url": "https://lapalma.example/media/0193-1.webp",
                "media_type": "image/webp",
                "description": "Hogaza de pan sobre tabla",
                "width": 1200,
                "height": 900,
            }
        ],
    )


def direct_note() -> Note:
    return local_note(
        Visibility.DIRECT,
        content_html='<p><span class="h-card"><a href="https://faro.example/@bob">@bob</a></span> ¿Te quedan hogazas?</p>',
        tags=[{"type": "Mention", "name": "@bob@faro.example", "href": REMOTE_BOB}],
        edited_at=EDITED,
    )


def warned_note_with_pictures() -> Note:
    """A post written with a content warning and two pictures from the web composer."""
    return local_note(
        Visibility.PUBLIC,
        content_html="<p>Así quedó el escaparate después de la tormenta.</p>",
        content_source="Así quedó el escaparate después de la tormenta.",
        summary="Daños por la tormenta",
        sensitive=True,
        attachments=[
            {
                "url": "https://lapalma.example/media/note-Qm9sbG9zIGRlIG1hbnRlY2E.webp",
                "media_type": "image/webp",
                "description": "Cristal roto del escaparate, con el pan a salvo detrás",
                "width": 1600,
                "height": 1200,
                "blurhash": "LEHV6nWB2yk8pyo0adR*.7kCMdnj",
                "file": "note-Qm9sbG9zIGRlIG1hbnRlY2E.webp",
            },
            {
                "url": "https://lapalma.example/media/note-U2FyZGluYXMgZnJlc2Nhcw.webp",
                "media_type": "image/webp",
                "description": "",
                "width": 900,
                "height": 1200,
                "blurhash": "L6PZfSi_.AyE_3t7t7R**0o#DgR4",
                "file": "note-U2FyZGluYXMgZnJlc2Nhcw.webp",
            },
        ],
    )


def person() -> Actor:
    return local_actor(
        ActorKind.PERSON,
        "rocio",
        display_name="Rocío Márquez",
        summary="<p>Mentora de comercio local. #LaPalmaDelCondado</p>",
        icon_url="https://lapalma.example/media/rocio.webp",
        profile_fields=[
            {"name": "Especialidad", "value": "Comercio electrónico"},
            {"name": "Idiomas", "value": "es, pt, en"},
        ],
    )


def organization() -> Actor:
    return local_actor(
        ActorKind.ORGANIZATION,
        "panaderia-rocio",
        display_name="Panadería Rocío",
        summary="<p>Pan artesano en La Palma del Condado.</p>",
        icon_url="https://lapalma.example/media/logo.webp",
        header_url="https://lapalma.example/media/banner.webp",
        profile_fields=[
            {"name": "Dirección", "value": "C/ Real 12, 21700 La Palma del Condado"},
            {
                "name": "Web",
                "value": '<a href="https://panaderiarocio.example" rel="me">panaderiarocio.example</a>',
            },
        ],
    )


def instance() -> Actor:
    return local_actor(ActorKind.APPLICATION, "lapalma.example", display_name="lapalma.example")


ROCIO = URLS.actor(ActorKind.PERSON, "rocio")
FOLLOW_URI = ROCIO + "#follows/1"


def activity_uri(n: int) -> str:
    return URLS.activity(900000000000000000 + n)


def note_json(note: Note) -> dict[str, Any]:
    return note_to_ap(note, URLS)


def rocio_follows_bob() -> dict[str, Any]:
    return activities.follow(FOLLOW_URI, ROCIO, REMOTE_BOB)


def bob_follows_rocio() -> dict[str, Any]:
    # A received Follow as Accept/Reject embed it (ids on bob's server).
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": "https://faro.example/activities/follow-1",
        "type": "Follow",
        "actor": REMOTE_BOB,
        "object": ROCIO,
    }


def _like() -> dict[str, Any]:
    return activities.like(ROCIO + "#likes/1", ROCIO, "https://faro.example/notes/1", REMOTE_BOB)


def _announce() -> dict[str, Any]:
    return activities.announce(
        ROCIO + "#announces/1",
        ROCIO,
        "https://faro.example/notes/1",
        to=["https://www.w3.org/ns/activitystreams#Public"],
        cc=[ROCIO + "/followers", REMOTE_BOB],
        published=NOTE_PUBLISHED,
    )


def _block() -> dict[str, Any]:
    return activities.block(ROCIO + "#blocks/1", ROCIO, REMOTE_BOB)


def _edited_public_note() -> dict[str, Any]:
    return note_json(public_note_edited())


def public_note_edited() -> Note:
    note = public_note()
    note.edited_at = EDITED
    return note


# File name (without .json) -> how to build it. The prefix before the first "-" names the schema.
EXAMPLES: dict[str, Callable[[], dict[str, Any]]] = {
    "actor-person": lambda: actor_to_ap(person(), URLS),
    "actor-organization": lambda: actor_to_ap(organization(), URLS),
    "actor-application": lambda: actor_to_ap(instance(), URLS),
    "note-public": lambda: note_to_ap(public_note(), URLS),
    "note-followers": lambda: note_to_ap(
        local_note(Visibility.FOLLOWERS, content_html="<p>Solo seguidores</p>"), URLS
    ),
    "note-direct-edited": lambda: note_to_ap(direct_note(), URLS),
    "note-warning-pictures": lambda: note_to_ap(warned_note_with_pictures(), URLS),
    "create-note-public": lambda: activities.create(activity_uri(1), note_json(public_note())),
    "create-note-direct": lambda: activities.create(activity_uri(2), note_json(direct_note())),
    "update-note": lambda: activities.update_note(activity_uri(3), _edited_public_note()),
    "delete-note": lambda: activities.delete_note(
        activity_uri(4),
        ROCIO,
        URLS.note(NOTE_ID),
        to=["https://www.w3.org/ns/activitystreams#Public"],
        cc=[ROCIO + "/followers", REMOTE_BOB],
        deleted=EDITED,
    ),
    "follow": rocio_follows_bob,
    "undo-follow": lambda: activities.undo(activity_uri(5), ROCIO, rocio_follows_bob()),
    "accept-follow": lambda: activities.accept(activity_uri(6), ROCIO, bob_follows_rocio()),
    "reject-follow": lambda: activities.reject(activity_uri(7), ROCIO, bob_follows_rocio()),
    "like": _like,
    "undo-like": lambda: activities.undo(activity_uri(8), ROCIO, _like()),
    "announce": _announce,
    "undo-announce": lambda: activities.undo(activity_uri(9), ROCIO, _announce()),
    "block": _block,
    "undo-block": lambda: activities.undo(activity_uri(10), ROCIO, _block()),
    "update-actor": lambda: activities.update_actor(
        activity_uri(11),
        actor_to_ap(person(), URLS),
        followers=ROCIO + "/followers",
        published=EDITED,
    ),
    "delete-actor": lambda: _frozen_at(
        EDITED,
        lambda: activities.delete_actor(activity_uri(12), ROCIO, followers=ROCIO + "/followers"),
    ),
    "flag": lambda: activities.flag(
        activity_uri(13),
        URLS.instance_actor(),
        REMOTE_BOB,
        ["https://faro.example/notes/1"],
        "Spam: anuncios repetidos",
    ),
}


EXAMPLES.update(
    market_examples(
        URLS,
        organization,
        person,
        lambda: local_actor(ActorKind.GROUP, "mercado", id=4, display_name="Mercado"),
        activity_uri,
    )
)


def _frozen_at(moment: datetime, build_it: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    with clock.frozen(moment):
        return build_it()


def schema_for(example_name: str) -> str:
    """``create-note-public`` → ``create.schema.json``."""
    return example_name.split("-", 1)[0] + ".schema.json"


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def build() -> dict[str, str]:
    """Every golden example as the text of its file."""
    return {name: render(make()) for name, make in EXAMPLES.items()}


def write(directory: Path = schemas.OURS_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in build().items():
        path = directory / f"{name}.json"
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write():
        print(path.relative_to(schemas.DIRECTORY.parent))
    sys.exit(0)
