"""The composer's content warning and pictures: a post with a warning shows folded behind a
``<details>`` and federates ``summary`` + ``sensitive``; up to four pictures with alt text are
re-encoded without EXIF and federate as ``attachment`` with ``name`` = alt text, size and
blurhash. Bad uploads get a clear message on the form, the text is kept and nothing is stored.
Pictures received from other servers show in the post too."""

from __future__ import annotations

import io
from typing import Any

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient
from PIL import Image

from node.config import Settings
from node.models.peers import OutgoingActivity
from node.models.social import Note
from node.services.social import notes
from node.services.social.remote_content import RemoteNote
from node.urls import Urls
from tests.integration.web.webforms import active_account, csrf_in, sign_in, submit, text_of
from tests.support.fakes import remote_actor

pytestmark = pytest.mark.usefixtures("orm")

Client = TestClient  # type: ignore[type-arg]
GPS_TAG = 0x8825


def photo_with_gps(size: tuple[int, int] = (900, 600)) -> bytes:
    """A phone-like JPEG whose EXIF says where it was taken."""
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[GPS_TAG] = {2: (37.0, 15.0, 30.0), 4: (6.0, 56.0, 10.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def media_files(settings: Settings) -> list[str]:
    directory = settings.media_dir
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


async def compose(
    browser: Client, fields: dict[str, str], pictures: list[tuple[bytes, str, str, str]]
) -> tuple[int, str, str]:
    """Post the composer as a browser does (multipart); (status, Location, body)."""
    page = await browser.get("/compose")
    form = FormData()
    form.add_field("csrf", csrf_in(await page.text()))
    for key, value in {"language": "es", "visibility": "public", **fields}.items():
        form.add_field(key, value)
    for data, filename, content_type, alt in pictures:
        form.add_field("media", data, filename=filename, content_type=content_type)
        form.add_field("alt", alt)
    response = await browser.post("/compose", data=form, allow_redirects=False)
    return response.status, response.headers.get("Location", ""), await response.text()


async def created() -> list[dict[str, Any]]:
    rows = await OutgoingActivity.all().order_by("created_at", "id")
    return [r.body["object"] for r in rows if r.body["type"] == "Create"]


async def test_a_post_with_a_warning_and_pictures_federates_them_and_shows_them(
    browser: Client, urls: Urls, settings: Settings
) -> None:
    await active_account(urls, "ana")
    await sign_in(browser, "ana")
    composer = await (await browser.get("/")).text()
    assert 'enctype="multipart/form-data"' in composer
    assert 'for="f-summary"' in composer and 'for="f-media-1"' in composer
    assert 'for="f-alt-4"' in composer and 'for="f-media-5"' not in composer

    status, location, _ = await compose(
        browser,
        {"content": "Nueva hornada de **pan**", "summary": "Comida (foto)"},
        [
            (photo_with_gps(), "hogaza.jpg", "image/jpeg", "Hogaza de pan sobre tabla"),
            (photo_with_gps((400, 400)), "", "application/octet-stream", "ignored: no file"),
            (photo_with_gps((300, 500)), "bollos.jpg", "image/jpeg", ""),
        ],
    )
    assert status == 303, location
    note = await Note.get(id=int(location.rsplit("#note-", 1)[1]))
    assert note.summary == "Comida (foto)" and note.sensitive
    first, second = note.attachments
    assert first["description"] == "Hogaza de pan sobre tabla" and second["description"] == ""
    assert (first["width"], first["height"]) == (900, 600)
    assert first["media_type"] == "image/webp" and first["blurhash"]
    assert sorted(media_files(settings)) == sorted([first["file"], second["file"]])

    # The stored file is a clean WebP: no EXIF, so no GPS position.
    served = await browser.get(f"/media/{first['file']}")
    assert served.status == 200 and served.content_type == "image/webp"
    with Image.open(io.BytesIO(await served.read())) as stored:
        assert stored.format == "WEBP"
        assert not stored.getexif() and "exif" not in stored.info

    [document] = await created()
    assert document["summary"] == "Comida (foto)" and document["sensitive"] is True
    picture = document["attachment"][0]
    assert picture["type"] in ("Image", "Document")
    assert picture["name"] == picture["summary"] == "Hogaza de pan sobre tabla"
    assert picture["mediaType"] == "image/webp"
    assert picture["url"] == urls.media(first["file"])
    assert (picture["width"], picture["height"]) == (900, 600) and picture["blurhash"]
    assert "file" not in picture and len(document["attachment"]) == 2

    # On the pages the text and pictures are folded behind the warning.
    for path in ("/", f"/@ana/{note.id}", "/local"):
        page = await (await browser.get(path)).text()
        card = page[page.index(f'id="note-{note.id}"') :].split("</article>")[0]
        folded = card[card.index("<details") : card.index("</details>")]
        assert "Comida (foto)" in folded and "<strong>pan</strong>" in folded
        assert f'src="/media/{first["file"]}" alt="Hogaza de pan sobre tabla"' in folded

    # Deleting the post removes its pictures too.
    deleted = await submit(browser, f"/notes/{note.id}/delete", {})
    assert deleted.status == 303
    assert media_files(settings) == []


@pytest.mark.parametrize(
    ("pictures", "status", "message"),
    [
        (
            [(b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
              "foto.png", "image/png", "")],
            422, "This file is not a picture we can use",
        ),
        (
            [(b"<html><body>hola</body></html>", "foto.jpg", "image/jpeg", "")],
            422, "This file is not a picture we can use",
        ),
        ([(b"\xff\xd8\xff" + bytes(10 * 2**20 + 16), "big.jpg", "image/jpeg", "")],
         413, "at most 10 MB"),
        ([(photo_with_gps((40, 40)), f"{n}.jpg", "image/jpeg", "") for n in range(5)],
         422, "at most 4 pictures"),
        ([(photo_with_gps((40, 40)), "a.jpg", "image/jpeg", "x" * 1501)],
         422, "at most 1500 characters"),
    ],
    ids=["svg", "html", "too-big", "five", "long-alt"],
)  # fmt: skip
async def test_bad_pictures_are_refused_on_the_form_and_nothing_is_stored(
    browser: Client,
    urls: Urls,
    settings: Settings,
    pictures: list[tuple[bytes, str, str, str]],
    status: int,
    message: str,
) -> None:
    await active_account(urls, "ana")
    await sign_in(browser, "ana")
    # A good picture first: a later bad one must not leave it behind.
    good = (photo_with_gps((60, 60)), "ok.jpg", "image/jpeg", "Bien")
    got, _, body = await compose(
        browser, {"content": "Mi texto se queda", "summary": "Aviso"}, [good, *pictures][:6]
    )
    assert got == status
    assert message in text_of(body)
    assert "Mi texto se queda</textarea>" in body and 'value="Aviso"' in body
    assert 'id="f-media-error"' in body and '<details class="composer__media" open>' in body
    assert await Note.all().count() == 0
    assert media_files(settings) == []
    assert await created() == []


async def test_pictures_and_warnings_from_other_servers_show_in_the_post(
    browser: Client, urls: Urls
) -> None:
    joao = await remote_actor("joao")
    note = await notes.store_remote_note(
        joao,
        RemoteNote(
            uri="https://faro.example/users/joao/statuses/1",
            content_html="<p>Sardinhas frescas</p>",
            language="pt",
            summary="Peixe",
            sensitive=True,
            attachments=[
                {"url": "https://faro.example/media/s.jpg", "media_type": "image/jpeg",
                 "description": "Sardinhas na grelha", "width": 800, "height": 600},
                {"url": "https://faro.example/media/v.mp4", "media_type": "video/mp4",
                 "description": "Vídeo do mercado"},
            ],
        ),
    )  # fmt: skip
    assert note is not None
    page = await (await browser.get(f"/@joao@faro.example/{note.id}")).text()
    card = page[page.index(f'id="note-{note.id}"') :].split("</article>")[0]
    folded = card[card.index("<details") : card.index("</details>")]
    assert "Peixe" in folded and "Sardinhas frescas" in folded
    assert 'src="https://faro.example/media/s.jpg" alt="Sardinhas na grelha"' in folded
    assert 'width="800" height="600"' in folded
    assert 'href="https://faro.example/media/v.mp4"' in folded and "Vídeo do mercado" in folded
