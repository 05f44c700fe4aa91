"""``/api/v1/notes`` through HTTP: status codes, problem+json errors, who may read and change."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from node.config import Settings
from node.main import create_app
from node.models.social import Note, Tombstone
from node.urls import Urls
from tests.support.fakes import api_user, with_ports


@pytest.fixture
def app(settings: Settings) -> web.Application:
    return with_ports(create_app(settings, run_workers=False))


async def post_note(client: TestClient, headers: dict[str, str], **body: Any) -> Any:
    payload = {"content": "hola", "language": "es", **body}
    return await client.post("/api/v1/notes", json=payload, headers=headers)


async def test_posting_a_note_answers_201_with_the_rendered_note(
    client: TestClient, urls: Urls
) -> None:
    ana, auth = await api_user(urls, "ana")
    response = await post_note(
        client, auth, content="**Pan** #Pan <script>x</script>", visibility="public"
    )
    assert response.status == 201
    body = await response.json()
    assert isinstance(body["id"], str)
    assert body["uri"] == urls.note(int(body["id"]))
    assert "<strong>Pan</strong>" in body["content"]
    assert "<script" not in body["content"]
    assert body["source"].startswith("**Pan**")
    assert body["author"]["acct"] == "ana@test.example"
    assert body["author"]["id"] == str(ana.id)
    assert body["visibility"] == "public"
    assert body["language"] == "es"
    assert {"type": "Hashtag", "name": "#pan", "href": urls.tag("pan")} in body["tags"]
    assert (body["liked"], body["like_count"]) == (False, 0)
    assert await Note.filter(id=int(body["id"])).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"content": ""}, "content"),
        ({"content": "x" * 5001}, "content"),
        ({"language": "de"}, "language"),
        ({"visibility": "secret"}, "visibility"),
        ({"visibility": "direct"}, "to"),
        ({"to": ["@nadie@test.example"]}, "to"),
        ({"in_reply_to": "12345"}, "in_reply_to"),
        ({"content": 5}, "content"),
        ({"to": "not a list"}, "to"),
    ],
)
async def test_bad_notes_are_422_with_field_errors_and_store_nothing(
    client: TestClient, urls: Urls, body: dict[str, Any], field: str
) -> None:
    _, auth = await api_user(urls, "ana")
    response = await post_note(client, auth, **body)
    assert response.status == 422
    assert response.content_type == "application/problem+json"
    problem = await response.json()
    assert problem["status"] == 422
    assert field in [e["field"] for e in problem["errors"]]
    assert await Note.all().count() == 0


async def test_malformed_bodies_are_4xx_problems(client: TestClient, urls: Urls) -> None:
    _, auth = await api_user(urls, "ana")
    not_json = await client.post("/api/v1/notes", data=b"{nope", headers={**auth, "Content-Type": "application/json"})  # fmt: skip
    assert not_json.status == 400
    wrong_type = await client.post("/api/v1/notes", data=b"content=hola", headers={**auth, "Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert wrong_type.status == 415
    assert await Note.all().count() == 0


async def test_writing_needs_a_token(client: TestClient) -> None:
    for method, path in [
        ("POST", "/api/v1/notes"),
        ("PATCH", "/api/v1/notes/1"),
        ("DELETE", "/api/v1/notes/1"),
        ("POST", "/api/v1/notes/1/like"),
        ("POST", "/api/v1/notes/1/announce"),
    ]:
        response = await client.request(method, path, json={"content": "x", "language": "es"})
        assert response.status == 401, (method, path)
        assert response.content_type == "application/problem+json"


async def test_who_may_read_a_note_over_the_api(client: TestClient, urls: Urls) -> None:
    _, ana = await api_user(urls, "ana")
    _, pep = await api_user(urls, "pep")
    _, eva = await api_user(urls, "eva")
    public = await (await post_note(client, ana, visibility="public")).json()
    direct = await (await post_note(client, ana, content="hola @pep", visibility="direct")).json()
    for note_id, headers, status in [
        (public["id"], {}, 200),
        (public["id"], eva, 200),
        (direct["id"], ana, 200),
        (direct["id"], pep, 200),
        (direct["id"], eva, 404),
        (direct["id"], {}, 404),
        ("999999", ana, 404),
        ("not-an-id", ana, 404),
        ("9" * 30, ana, 404),
    ]:
        response = await client.get(f"/api/v1/notes/{note_id}", headers=headers)
        assert response.status == status, (note_id, headers, status)
        if status == 404:
            body = await response.json()
            assert body["detail"] == "No such note, or it is not visible to you."
            assert "hola" not in await response.text()
    bad_token = await client.get(
        f"/api/v1/notes/{public['id']}", headers={"Authorization": "Bearer ruta_wrong"}
    )
    assert bad_token.status == 401
    seen_by_pep = await (await client.get(f"/api/v1/notes/{direct['id']}", headers=pep)).json()
    assert seen_by_pep["source"] is None  # the markdown is the author's


async def test_editing_others_notes_is_403_and_hidden_ones_404(
    client: TestClient, urls: Urls
) -> None:
    _, ana = await api_user(urls, "ana")
    _, pep = await api_user(urls, "pep")
    public = await (await post_note(client, ana, content="original")).json()
    hidden = await (await post_note(client, ana, visibility="followers")).json()
    path = f"/api/v1/notes/{public['id']}"
    forbidden = await client.patch(path, json={"content": "mío"}, headers=pep)
    assert forbidden.status == 403
    assert forbidden.content_type == "application/problem+json"
    assert (await client.delete(path, headers=pep)).status == 403
    hidden_path = f"/api/v1/notes/{hidden['id']}"
    assert (await client.patch(hidden_path, json={"content": "x"}, headers=pep)).status == 404
    assert (await client.delete(hidden_path, headers=pep)).status == 404
    stored = await Note.get(id=int(public["id"]))
    assert stored.content_source == "original"

    edited = await client.patch(path, json={"content": "editada", "language": "pt"}, headers=ana)
    assert edited.status == 200
    body = await edited.json()
    assert body["content"] == "<p>editada</p>"
    assert body["language"] == "pt"
    assert body["edited_at"] is not None
    invalid = await client.patch(path, json={"content": ""}, headers=ana)
    assert invalid.status == 422


async def test_deleting_ones_note_is_204_then_404_and_tombstoned(
    client: TestClient, urls: Urls
) -> None:
    _, ana = await api_user(urls, "ana")
    note = await (await post_note(client, ana)).json()
    path = f"/api/v1/notes/{note['id']}"
    assert (await client.delete(path, headers=ana)).status == 204
    assert (await client.get(path, headers=ana)).status == 404
    assert (await client.delete(path, headers=ana)).status == 404
    assert await Tombstone.filter(uri=note["uri"]).exists()


async def test_likes_and_announces_are_idempotent_and_show_the_state(
    client: TestClient, urls: Urls
) -> None:
    _, ana = await api_user(urls, "ana")
    _, pep = await api_user(urls, "pep")
    note = await (await post_note(client, ana)).json()
    like = f"/api/v1/notes/{note['id']}/like"
    for _ in range(2):
        response = await client.post(like, headers=pep)
        assert response.status == 200
        body = await response.json()
        assert (body["liked"], body["like_count"]) == (True, 1)
    shared = await (await client.post(f"/api/v1/notes/{note['id']}/announce", headers=pep)).json()
    assert (shared["announced"], shared["announce_count"]) == (True, 1)
    seen_by_ana = await (await client.get(f"/api/v1/notes/{note['id']}", headers=ana)).json()
    assert (seen_by_ana["liked"], seen_by_ana["like_count"]) == (False, 1)
    undone = await (await client.delete(like, headers=pep)).json()
    assert (undone["liked"], undone["like_count"]) == (False, 0)
    again = await client.delete(like, headers=pep)
    assert again.status == 200


async def test_reactions_to_invisible_notes_are_404_and_private_shares_403(
    client: TestClient, urls: Urls
) -> None:
    _, ana = await api_user(urls, "ana")
    _, pep = await api_user(urls, "pep")
    hidden = await (await post_note(client, ana, visibility="followers")).json()
    assert (await client.post(f"/api/v1/notes/{hidden['id']}/like", headers=pep)).status == 404
    assert (await client.post(f"/api/v1/notes/{hidden['id']}/announce", headers=pep)).status == 404
    own = await client.post(f"/api/v1/notes/{hidden['id']}/announce", headers=ana)
    assert own.status == 403


async def test_the_context_of_a_note_is_its_visible_thread(client: TestClient, urls: Urls) -> None:
    _, ana = await api_user(urls, "ana")
    _, pep = await api_user(urls, "pep")
    root = await (await post_note(client, ana, content="raíz")).json()
    reply = await (await post_note(client, pep, content="respuesta", in_reply_to=root["id"])).json()
    assert reply["in_reply_to_id"] == root["id"]
    await post_note(client, pep, content="privada", in_reply_to=reply["id"], visibility="followers")
    response = await client.get(f"/api/v1/notes/{reply['id']}/context")
    assert response.status == 200
    thread = await response.json()
    assert [n["content"] for n in thread["ancestors"]] == ["<p>raíz</p>"]
    assert thread["note"]["id"] == reply["id"]
    assert thread["descendants"] == []  # anonymous: the followers-only answer is hidden
    mine = await (await client.get(f"/api/v1/notes/{reply['id']}/context", headers=pep)).json()
    assert [n["content"] for n in mine["descendants"]] == ["<p>privada</p>"]
    root_count = await (await client.get(f"/api/v1/notes/{root['id']}")).json()
    assert root_count["reply_count"] == 1


async def test_a_content_warning_is_written_changed_and_removed_over_the_api(
    client: TestClient, urls: Urls
) -> None:
    _, auth = await api_user(urls, "ana")
    response = await post_note(client, auth, content="Final de la serie", summary="Spoilers")
    assert response.status == 201
    body = await response.json()
    assert (body["summary"], body["sensitive"]) == ("Spoilers", True)
    path = f"/api/v1/notes/{body['id']}"
    kept = await client.patch(path, json={"content": "Final de la serie (editado)"}, headers=auth)
    assert (await kept.json())["summary"] == "Spoilers"  # absent: unchanged
    removed = await client.patch(path, json={"content": "Sin avisos", "summary": ""}, headers=auth)
    assert ((await removed.json())["summary"], (await removed.json())["sensitive"]) == (None, False)
    too_long = await post_note(client, auth, summary="x" * 501)
    assert too_long.status == 422
    assert "summary" in [e["field"] for e in (await too_long.json())["errors"]]
    plain = await post_note(client, auth, content="Foto de un plato", sensitive=True)
    assert ((await plain.json())["summary"], (await plain.json())["sensitive"]) == (None, True)
