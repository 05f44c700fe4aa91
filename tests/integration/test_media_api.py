"""``/api/v1/media`` as phone apps use Mastodon's: upload a picture with its alt text, change
the description, attach up to four to a note with ``media_ids``. The federated ``Create`` carries
them with ``name`` = description; someone else's upload, bad files and a fifth picture are
refused with a message and nothing is stored; uploads never attached go after a day."""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import FormData, web
from aiohttp.test_utils import TestClient
from PIL import Image

from node import clock
from node.appkeys import JOBS
from node.config import Settings
from node.errors import ValidationFailed
from node.jobs.worker import drain
from node.main import create_app
from node.models.jobs import Job
from node.models.media import NoteMedia
from node.models.peers import OutgoingActivity
from node.models.social import Note, Visibility
from node.services.social import media_uploads, notes
from node.services.social.note_media import MediaUpload
from node.urls import Urls
from tests.support.fakes import RecordingPublisher, api_user, with_ports

Client = TestClient  # type: ignore[type-arg]


@pytest.fixture
def app(settings: Settings) -> web.Application:
    return with_ports(create_app(settings, run_workers=False))


def phone_photo(size: tuple[int, int] = (1200, 900)) -> bytes:
    """A JPEG whose EXIF says which phone took it and where."""
    image = Image.new("RGB", size, (30, 140, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {2: (37.0, 15.0, 30.0), 4: (6.0, 56.0, 10.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


async def upload(
    client: Client, auth: dict[str, str], data: bytes, description: str = "",
    name: str = "photo.jpg", content_type: str = "image/jpeg",
) -> Any:  # fmt: skip
    form = FormData()
    form.add_field("file", data, filename=name, content_type=content_type)
    form.add_field("description", description)
    return await client.post("/api/v1/media", data=form, headers=auth)


async def post_note(client: Client, auth: dict[str, str], media_ids: list[str]) -> Any:
    body = {"content": "Mis empanadas", "language": "es", "media_ids": media_ids}
    return await client.post("/api/v1/notes", json=body, headers=auth)


def media_files(settings: Settings) -> list[str]:
    directory = settings.media_dir
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


async def sent(kind: str) -> list[dict[str, Any]]:
    rows = await OutgoingActivity.all().order_by("created_at", "id")
    return [r.body for r in rows if r.body["type"] == kind]


async def test_upload_describe_attach_and_the_create_carries_the_alt_text(
    client: Client, urls: Urls, settings: Settings
) -> None:
    _, auth = await api_user(urls, "ana")
    response = await upload(client, auth, phone_photo(), "Empanadas en una bandeja")
    assert response.status == 200, await response.text()
    media = await response.json()
    assert media["type"] == "image" and isinstance(media["id"], str)
    assert media["description"] == "Empanadas en una bandeja"
    assert media["meta"] == {"width": 1200, "height": 900}
    assert media["blurhash"] and media["preview_url"]
    served = await client.get(media["url"].removeprefix(urls.base))
    assert served.status == 200 and served.content_type == "image/webp"
    assert not Image.open(io.BytesIO(await served.read())).getexif()  # no GPS, no phone maker

    changed = await client.put(
        f"/api/v1/media/{media['id']}", json={"description": "Seis empanadas"}, headers=auth
    )
    assert changed.status == 200
    assert (await changed.json())["description"] == "Seis empanadas"
    as_form = await client.put(  # how many Mastodon apps send it
        f"/api/v1/media/{media['id']}", data={"description": "Seis empanadas de carne"},
        headers=auth,
    )  # fmt: skip
    assert as_form.status == 200
    assert (await as_form.json())["description"] == "Seis empanadas de carne"
    second = await (await upload(client, auth, phone_photo((600, 800)), "Horno")).json()

    created = await post_note(client, auth, [second["id"], media["id"]])
    assert created.status == 201, await created.text()
    note = await created.json()
    assert [a["description"] for a in note["attachments"]] == ["Horno", "Seis empanadas de carne"]
    assert all("file" not in a for a in note["attachments"])
    [create] = await sent("Create")
    attachment = create["object"]["attachment"]
    assert [a["name"] for a in attachment] == ["Horno", "Seis empanadas de carne"]
    assert [a["url"] for a in attachment] == [second["url"], media["url"]]
    assert attachment[1]["mediaType"] == "image/webp"
    assert (attachment[1]["width"], attachment[1]["height"]) == (1200, 900)

    # Attached once: the same id cannot go into another post.
    again = await post_note(client, auth, [media["id"]])
    assert again.status == 422
    assert "not one of your uploads waiting for a post" in (await again.json())["detail"]
    # A description changed after posting edits the post: an Update goes out with the new list.
    later = await client.put(
        f"/api/v1/media/{media['id']}", json={"description": "Empanadas recién horneadas"},
        headers=auth,
    )  # fmt: skip
    assert later.status == 200
    assert (await later.json())["description"] == "Empanadas recién horneadas"
    [update] = await sent("Update")
    assert [a["name"] for a in update["object"]["attachment"]] == [
        "Horno",
        "Empanadas recién horneadas",
    ]
    stored = await Note.get(id=int(note["id"]))
    assert stored.attachments[1]["description"] == "Empanadas recién horneadas"
    assert stored.edited_at is not None


async def test_someone_elses_media_cannot_be_attached_nor_described(
    client: Client, urls: Urls
) -> None:
    _, ana = await api_user(urls, "ana")
    _, bob = await api_user(urls, "bob")
    bobs = await (await upload(client, bob, phone_photo(), "El gato de Bob")).json()
    refused = await post_note(client, ana, [bobs["id"]])
    assert refused.status == 422
    assert refused.content_type == "application/problem+json"
    problem = await refused.json()
    assert problem["errors"][0]["field"] == "media_ids"
    assert f"Media {bobs['id']} cannot be attached" in problem["detail"]
    assert await Note.all().count() == 0
    described = await client.put(
        f"/api/v1/media/{bobs['id']}", json={"description": "mío"}, headers=ana
    )
    assert described.status == 404
    row = await NoteMedia.get(id=int(bobs["id"]))
    assert row.entry["description"] == "El gato de Bob" and row.note_id is None  # type: ignore[attr-defined]
    unknown = await post_note(client, ana, ["not-a-number"])
    assert unknown.status == 422
    assert (await client.post("/api/v1/media", data=FormData())).status == 401


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "a.jpg",
         "image/jpeg"),
        (b"<html><body><script>alert(1)</script></body></html>", "a.png", "image/png"),
        (b"GIF89a<script>alert(1)</script>", "a.gif", "image/gif"),
        (b"just some words", "notes.txt", "text/plain"),
    ],
)  # fmt: skip
async def test_files_that_are_not_pictures_are_refused_and_nothing_is_kept(
    client: Client, urls: Urls, settings: Settings, data: bytes, name: str, content_type: str
) -> None:
    _, auth = await api_user(urls, "ana")
    response = await upload(client, auth, data, "x", name, content_type)
    assert response.status == 422
    assert response.content_type == "application/problem+json"
    problem = await response.json()
    assert problem["errors"][0]["field"] == "file"
    assert problem["detail"]
    assert await NoteMedia.all().count() == 0
    assert media_files(settings) == []


async def test_too_large_empty_or_badly_described_uploads_are_refused(
    client: Client, urls: Urls, settings: Settings
) -> None:
    _, auth = await api_user(urls, "ana")
    huge = await upload(client, auth, b"\xff" * (11 * 1024 * 1024))
    assert huge.status == 413
    assert "10 MB" in (await huge.json())["detail"]
    empty = await upload(client, auth, b"")
    assert empty.status == 422
    assert "`file` part" in (await empty.json())["detail"]
    long_alt = await upload(client, auth, phone_photo(), "a" * 1501)
    assert long_alt.status == 422
    assert (await long_alt.json())["errors"][0]["field"] == "description"
    assert await NoteMedia.all().count() == 0
    assert media_files(settings) == []


async def test_uploads_waiting_for_a_post_are_capped(
    client: Client, urls: Urls, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(media_uploads, "MAX_WAITING", 2)
    _, auth = await api_user(urls, "ana")
    ids = [(await (await upload(client, auth, phone_photo((200, 200)))).json())["id"] for _ in "ab"]
    third = await upload(client, auth, phone_photo((200, 200)))
    assert third.status == 422
    assert "2 pictures waiting for a post" in (await third.json())["detail"]
    assert (await post_note(client, auth, ids)).status == 201
    assert (await upload(client, auth, phone_photo((200, 200)))).status == 200


async def test_a_post_carries_at_most_four_pictures(
    client: Client, urls: Urls, settings: Settings
) -> None:
    _, auth = await api_user(urls, "ana")
    ids = [
        (await (await upload(client, auth, phone_photo((300, 200)), f"Foto {n}")).json())["id"]
        for n in range(5)
    ]
    refused = await post_note(client, auth, ids)
    assert refused.status == 422
    assert (await refused.json())["errors"][0]["field"] == "media_ids"
    assert await Note.all().count() == 0
    assert await NoteMedia.filter(note_id__isnull=True).count() == 5
    accepted = await post_note(client, auth, ids[:4])
    assert accepted.status == 201
    assert len((await accepted.json())["attachments"]) == 4
    assert await NoteMedia.filter(note_id__isnull=True).count() == 1


async def test_uploads_not_attached_within_a_day_are_removed_with_their_files(
    app: web.Application, client: Client, urls: Urls, settings: Settings
) -> None:
    _, auth = await api_user(urls, "ana")
    old = await (await upload(client, auth, phone_photo(), "Olvidada")).json()
    used = await (await upload(client, auth, phone_photo(), "Publicada")).json()
    fresh = await (await upload(client, auth, phone_photo(), "Recién subida")).json()
    assert (await post_note(client, auth, [used["id"]])).status == 201
    two_days_ago = clock.now() - timedelta(days=2)
    await NoteMedia.filter(id__in=[int(old["id"]), int(used["id"])]).update(created_at=two_days_ago)
    old_file = (await NoteMedia.get(id=int(old["id"]))).file
    assert old_file in media_files(settings)

    await media_uploads.plan_cleanup()
    await media_uploads.plan_cleanup()  # planning twice still queues one run
    assert await Job.filter(queue=media_uploads.QUEUE).count() == 1
    assert await drain(app[JOBS], settings, queues=[media_uploads.QUEUE]) == 1

    assert not await NoteMedia.filter(id=int(old["id"])).exists()
    assert old_file not in media_files(settings)
    assert (await client.get(old["url"].removeprefix(urls.base))).status == 404
    assert await NoteMedia.filter(id__in=[int(used["id"]), int(fresh["id"])]).count() == 2
    assert (await client.get(used["url"].removeprefix(urls.base))).status == 200
    # The run queued the next one, an hour later.
    [following] = await Job.filter(queue=media_uploads.QUEUE)
    assert following.next_attempt_at > clock.now() + timedelta(minutes=50)


async def test_an_edit_keeps_reorders_adds_and_removes_pictures_with_media_ids(
    client: Client, urls: Urls, settings: Settings
) -> None:
    _, ana = await api_user(urls, "ana")
    _, bob = await api_user(urls, "bob")
    first, second = [
        (await (await upload(client, ana, phone_photo((400, 300)), alt)).json())["id"]
        for alt in ("Masa", "Relleno")
    ]
    note = await (await post_note(client, ana, [first, second])).json()
    second_file = (await NoteMedia.get(id=int(second))).file
    third = await (await upload(client, ana, phone_photo((300, 400)), "Al horno")).json()

    # Text only: the pictures stay.
    plain = await client.patch(
        f"/api/v1/notes/{note['id']}", json={"content": "Mis empanadas caseras"}, headers=ana
    )
    assert plain.status == 200
    assert [a["id"] for a in (await plain.json())["attachments"]] == [first, second]

    edited = await client.patch(
        f"/api/v1/notes/{note['id']}",
        json={"content": "Mis empanadas caseras", "media_ids": [third["id"], first]},
        headers=ana,
    )
    assert edited.status == 200, await edited.text()
    shown = (await edited.json())["attachments"]
    assert [(a["id"], a["description"]) for a in shown] == [(third["id"], "Al horno"),
                                                            (first, "Masa")]  # fmt: skip
    assert second_file not in media_files(settings)  # left out: removed with its row
    assert not await NoteMedia.filter(id=int(second)).exists()
    update = (await sent("Update"))[-1]
    assert [a["name"] for a in update["object"]["attachment"]] == ["Al horno", "Masa"]

    # The media reads back as the post shows it; someone else's answers 404.
    got = await client.get(f"/api/v1/media/{third['id']}", headers=ana)
    assert got.status == 200 and (await got.json())["description"] == "Al horno"
    assert (await client.get(f"/api/v1/media/{third['id']}", headers=bob)).status == 404
    assert (await client.get(f"/api/v1/media/{second}", headers=ana)).status == 404

    # Refused, nothing changes: a removed picture, someone else's upload, five pictures.
    bobs = await (await upload(client, bob, phone_photo(), "El gato de Bob")).json()
    extra = [
        (await (await upload(client, ana, phone_photo((200, 200)), f"{n}")).json())["id"]
        for n in range(3)
    ]
    for media_ids in ([first, second], [first, bobs["id"]], [third["id"], first, *extra]):
        refused = await client.patch(
            f"/api/v1/notes/{note['id']}",
            json={"content": "Otra cosa", "media_ids": media_ids},
            headers=ana,
        )
        assert refused.status == 422, media_ids
        assert (await refused.json())["errors"][0]["field"] == "media_ids"
    stored = await Note.get(id=int(note["id"]))
    assert stored.content_source == "Mis empanadas caseras"
    assert [a["id"] for a in stored.attachments] == [third["id"], first]
    assert await NoteMedia.filter(id__in=[int(i) for i in extra], note_id__isnull=True).count() == 3
    # Bob cannot edit Ana's pictures away.
    other = await client.patch(
        f"/api/v1/notes/{note['id']}", json={"content": "x", "media_ids": []}, headers=bob
    )
    assert other.status == 403
    # An empty list removes them all.
    emptied = await client.patch(
        f"/api/v1/notes/{note['id']}", json={"content": "Sin fotos", "media_ids": []}, headers=ana
    )
    assert emptied.status == 200 and (await emptied.json())["attachments"] == []
    assert await NoteMedia.filter(note_id=int(note["id"])).count() == 0


async def test_a_post_losing_the_race_for_an_upload_leaves_the_winners_file(
    client: Client, urls: Urls, settings: Settings
) -> None:
    ana, auth = await api_user(urls, "ana")
    media = await (await upload(client, auth, phone_photo(), "Empanadas")).json()
    # Both posts found the upload waiting; the first one commits first.
    rows = await media_uploads.rows_to_attach(ana, [media["id"]])
    assert (await post_note(client, auth, [media["id"]])).status == 201
    with pytest.raises(ValidationFailed, match="attached to another post meanwhile"):
        await notes.create_note(
            RecordingPublisher(), ana, content="Otra", language="es",
            visibility=Visibility.PUBLIC, media=[MediaUpload(phone_photo((300, 300)), "Nueva")],
            media_dir=settings.media_dir, media_rows=rows, urls=urls,
        )  # fmt: skip
    winner = await NoteMedia.get(id=int(media["id"]))
    assert media_files(settings) == [winner.file]  # its file stays; the loser's new one is gone
    assert (await client.get(media["url"].removeprefix(urls.base))).status == 200
    assert await Note.all().count() == 1


async def test_an_edit_describes_pictures_with_media_attributes_as_mastodon_apps_do(
    client: Client, urls: Urls
) -> None:
    _, ana = await api_user(urls, "ana")
    first = (await (await upload(client, ana, phone_photo((400, 300)), "Masa")).json())["id"]
    note = await (await post_note(client, ana, [first])).json()
    added = (await (await upload(client, ana, phone_photo((300, 400)), "")).json())["id"]

    edited = await client.patch(
        f"/api/v1/notes/{note['id']}",
        json={"content": "Mis empanadas", "media_ids": [first, added],
              "media_attributes": [{"id": first, "description": "Masa  estirada\n"},
                                   {"id": added, "description": "Empanadas al horno"}]},
        headers=ana,
    )  # fmt: skip
    assert edited.status == 200, await edited.text()
    shown = [a["description"] for a in (await edited.json())["attachments"]]
    assert shown == ["Masa estirada", "Empanadas al horno"]  # one line of plain text each
    update = (await sent("Update"))[-1]
    assert [a["name"] for a in update["object"]["attachment"]] == shown
    got = await client.get(f"/api/v1/media/{added}", headers=ana)
    assert (await got.json())["description"] == "Empanadas al horno"

    # Without media_ids: the pictures stay, described anew.
    alone = await client.patch(
        f"/api/v1/notes/{note['id']}",
        json={"content": "Mis empanadas",
              "media_attributes": [{"id": added, "description": "Seis empanadas"}]},
        headers=ana,
    )  # fmt: skip
    assert [a["description"] for a in (await alone.json())["attachments"]] == [
        "Masa estirada",
        "Seis empanadas",
    ]
    # A picture the post will not have cannot be described; nothing changes.
    refused = await client.patch(
        f"/api/v1/notes/{note['id']}",
        json={"content": "Otra cosa", "media_ids": [first],
              "media_attributes": [{"id": added, "description": "x"}]},
        headers=ana,
    )  # fmt: skip
    assert refused.status == 422
    problem = await refused.json()
    assert problem["errors"][0]["field"] == "media_attributes"
    assert f"Media {added} is not a picture of this post" in problem["detail"]
    stored = await Note.get(id=int(note["id"]))
    assert stored.content_source == "Mis empanadas" and len(stored.attachments) == 2


async def test_parallel_uploads_stop_at_the_cap_of_waiting_pictures(
    client: Client, urls: Urls, settings: Settings
) -> None:
    _, auth = await api_user(urls, "ana")
    photo = phone_photo((64, 64))
    responses = await asyncio.gather(*(upload(client, auth, photo) for _ in range(40)))
    statuses = [r.status for r in responses]
    assert statuses.count(200) == media_uploads.MAX_WAITING
    assert statuses.count(422) == 40 - media_uploads.MAX_WAITING
    assert await NoteMedia.filter(note_id__isnull=True).count() == media_uploads.MAX_WAITING
    # The refused ones left no file behind.
    assert len(media_files(settings)) == media_uploads.MAX_WAITING
