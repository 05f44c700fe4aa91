"""The wire contract: every document we serve or send validates against schemas/objects, the
golden examples are exactly what the converters produce, and our JSON-LD expands with the
contexts peers bundle."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from jsonschema import Draft202012Validator

import schemas
from federation import vocab
from node import clock
from node.models.actors import ActorKind
from node.services.accounts import accounts
from node.services.market.mercado import ensure_market_group
from node.services.social.actors import create_local_actor
from node.urls import Urls
from tests.contract import golden, jsonld
from tests.contract.validation import assert_valid, errors

AS = "https://www.w3.org/ns/activitystreams#"
SEC = "https://w3id.org/security#"
AS2 = "application/activity+json"


@pytest.mark.parametrize("name", sorted(schemas.object_schemas()))
def test_every_schema_is_valid_json_schema_2020_12(name: str) -> None:
    document = schemas.object_schemas()[name]
    Draft202012Validator.check_schema(document)
    assert document["$id"] == f"{schemas.SCHEMA_BASE}objects/{name}"


def test_golden_examples_are_what_the_converters_produce() -> None:
    expected = golden.build()
    on_disk = {p.stem: p.read_text(encoding="utf-8") for p in schemas.OURS_DIR.glob("*.json")}
    assert sorted(on_disk) == sorted(expected), (
        "golden files and examples differ; run `.venv/bin/python -m tests.contract.golden`"
    )
    for name, text in expected.items():
        assert on_disk[name] == text, (
            f"{name}.json drifted from the converter output. If the change is deliberate, "
            "regenerate with `.venv/bin/python -m tests.contract.golden` and review the diff."
        )


@pytest.mark.parametrize("name", sorted(golden.EXAMPLES))
def test_every_golden_example_validates_against_its_schema(name: str) -> None:
    document = json.loads((schemas.OURS_DIR / f"{name}.json").read_text(encoding="utf-8"))
    assert_valid(golden.schema_for(name), document)


def test_the_actor_schema_rejects_drift() -> None:
    actor = golden.EXAMPLES["actor-person"]()
    assert not errors("actor.schema.json", actor)
    assert errors("actor.schema.json", {**actor, "alsoKnownAs": []})  # an unlisted field
    assert errors("actor.schema.json", {**actor, "type": ["Person", "Service"]})  # rule 1
    missing_key = {k: v for k, v in actor.items() if k != "assertionMethod"}
    assert errors("actor.schema.json", missing_key)
    bad_key = {**actor, "publicKey": {**actor["publicKey"], "id": actor["id"] + "#key"}}
    assert errors("actor.schema.json", bad_key)


async def served(client: TestClient, path: str) -> dict[str, Any]:
    response = await client.get(path, headers={"Accept": AS2})
    assert response.status in (200, 410), await response.text()
    document: dict[str, Any] = json.loads(await response.read())
    return document


async def test_every_kind_of_served_actor_validates(client: TestClient, urls: Urls) -> None:
    account = await accounts.create_account(
        urls, username="ana", email="ana@example.org", password="a long password"
    )
    person = await accounts.person_actor(account)
    person.profile_fields = [{"name": "Web", "value": "<a href='https://ana.example'>ana</a>"}]
    person.icon_url = "https://test.example/media/a.png"
    await person.save()
    await create_local_actor(urls, kind=ActorKind.ORGANIZATION, username="tienda")
    await ensure_market_group(urls)  # the node creates it at start; this only finds it
    for path in ("/users/ana", "/actors/tienda", "/groups/mercado", "/actor"):
        assert_valid("actor.schema.json", await served(client, path))


async def test_the_tombstone_of_a_deleted_actor_validates(client: TestClient, urls: Urls) -> None:
    account = await accounts.create_account(
        urls, username="ana", email="ana@example.org", password="a long password"
    )
    person = await accounts.person_actor(account)
    person.gone_at = clock.now()
    await person.save()
    assert_valid("tombstone.schema.json", await served(client, "/users/ana"))


@pytest.mark.skipif(not jsonld.available(), reason="peers kit (bundled contexts) not present")
@pytest.mark.parametrize("name", ["actor-person", "actor-organization", "actor-application"])
def test_actor_documents_expand_with_only_bundled_contexts(name: str) -> None:
    document = golden.EXAMPLES[name]()
    [node] = jsonld.expand(document)
    # Every field we send survives expansion under the IRI peers read it by.
    for iri in (
        AS + "preferredUsername",
        AS + "name",
        AS + "summary",
        AS + "url",
        "http://www.w3.org/ns/ldp#inbox",
        AS + "outbox",
        AS + "followers",
        AS + "following",
        AS + "endpoints",
        AS + "manuallyApprovesFollowers",
        AS + "published",
        "http://joinmastodon.org/ns#featured",
        "http://joinmastodon.org/ns#discoverable",
        "http://joinmastodon.org/ns#indexable",
        "https://purl.archive.org/socialweb/webfinger#webfinger",
        SEC + "publicKey",
        SEC + "assertionMethod",
    ):
        assert iri in node, f"{iri} lost in expansion"
    [key] = node[SEC + "publicKey"]
    assert SEC + "publicKeyPem" in key and SEC + "owner" in key
    [multikey] = node[SEC + "assertionMethod"]
    assert multikey["@type"] == [SEC + "Multikey"]
    assert SEC + "publicKeyMultibase" in multikey and SEC + "controller" in multikey
    for field in node.get(AS + "attachment", []):
        assert field["@type"] == ["http://schema.org#PropertyValue"]
        assert "http://schema.org#value" in field


NOTE_EXAMPLES = sorted(n for n in golden.EXAMPLES if n.startswith("note-"))


@pytest.mark.parametrize("name", NOTE_EXAMPLES)
def test_notes_follow_the_federation_rules_schemas_cannot_express(name: str) -> None:
    note = golden.EXAMPLES[name]()
    # §5.0 rule 3: contentMap holds the same text, keyed by the language; content = first value.
    assert next(iter(note["contentMap"].values())) == note["content"]
    audience = set(note["to"]) | set(note.get("cc", []))
    mentions = {t["href"] for t in note.get("tag", []) if t["type"] == "Mention"}
    followers = note["attributedTo"] + "/followers"
    public = "https://www.w3.org/ns/activitystreams#Public"
    if name.startswith("note-direct"):
        # §5.9: a DM goes to its recipients only, each also a Mention.
        assert public not in audience and followers not in audience
        assert set(note["to"]) == mentions and note["to"]
    else:
        assert mentions <= audience  # mentioned actors are addressed (notifications)


@pytest.mark.skipif(not jsonld.available(), reason="peers kit (bundled contexts) not present")
@pytest.mark.parametrize("name", NOTE_EXAMPLES)
def test_note_documents_expand_with_only_bundled_contexts(name: str) -> None:
    note = golden.EXAMPLES[name]()
    [node] = jsonld.expand(note)
    for field in ("content", "attributedTo", "to", "published", "url"):
        assert AS + field in node, f"{field} lost in expansion"
    for tag in node.get(AS + "tag", []):
        assert tag["@type"][0] in (AS + "Hashtag", AS + "Mention")
    if "sensitive" in note:
        assert AS + "sensitive" in node


def test_our_context_document_is_valid_jsonld() -> None:
    from pyld import jsonld as pyld

    context = json.loads(schemas.CONTEXT_PATH.read_text(encoding="utf-8"))
    document = {"@context": context["@context"], "@id": "https://x.example/a", "city": "Lepe"}
    [node] = pyld.expand(document, {"documentLoader": lambda url, options=None: None})
    assert node[schemas.NAMESPACE + "city"] == [
        {"@value": "Lepe", "@type": "http://www.w3.org/2001/XMLSchema#string"}
    ]


INBOUND = sorted(schemas.INBOUND_DIR.glob("*/*.json"))


@pytest.mark.parametrize("path", INBOUND, ids=[f"{p.parent.name}/{p.stem}" for p in INBOUND])
def test_inbound_samples_are_origin_consistent_documents(path: Path) -> None:
    # The inbox tests replay these as genuine traffic: each must be a typed document whose
    # actor (and embedded object) lives on the sender's own origin, as SECURITY.md requires.
    document = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict) and document.get("type") and document.get("id")
    sender = vocab.id_of(document.get("actor")) or document["id"]
    assert vocab.same_origin(document["id"], sender)
    embedded = document.get("object")
    if isinstance(embedded, dict) and embedded.get("id"):
        assert vocab.same_origin(embedded["id"], vocab.id_of(embedded.get("actor")) or sender) or (
            document["type"] in ("Accept", "Reject")  # they embed the *other* side's Follow
        )


def test_there_are_inbound_samples_from_more_than_one_software() -> None:
    assert len({p.parent.name for p in INBOUND}) >= 2
