"""Profiles: local and remote pages, editing one's own (bio in markdown, fields), avatar and
header uploads (re-encoded, EXIF gone, bad files refused with nothing stored), role badges,
finding @user@host, following and unfollowing, and the followers and following lists."""

from __future__ import annotations

import io
import json

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient
from PIL import Image

from node import clock
from node.config import Settings
from node.models.accounts import Account, Role
from node.models.actors import Actor
from node.models.social import Follow, FollowState, Note, Visibility
from node.services.accounts.accounts import person_actor
from node.services.images import MAX_UPLOAD_BYTES
from node.urls import Urls
from tests.integration.web.conftest import SpyPublisher
from tests.integration.web.webforms import active_account, csrf_in, sign_in, submit, text_of
from tests.support.fakes import remote_actor

pytestmark = pytest.mark.usefixtures("orm")


def photo_with_gps(size: tuple[int, int] = (1200, 900)) -> bytes:
    """A phone-like JPEG whose EXIF tells where it was taken."""
    picture = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (37.0, 16.0, 12.0)  # GPSLatitudeRef, GPSLatitude
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif)
    data = out.getvalue()
    assert b"PhoneMaker" in data
    return data


async def upload(
    browser: TestClient, purpose: str, data: bytes, filename: str, content_type: str,  # type: ignore[type-arg]
    *, with_token: bool = True,
) -> tuple[int, str]:  # fmt: skip
    form = FormData()
    if with_token:
        page = await browser.get("/settings/profile")
        form.add_field("csrf", csrf_in(await page.text()))
    form.add_field("picture", data, filename=filename, content_type=content_type)
    response = await browser.post(f"/settings/profile/{purpose}", data=form, allow_redirects=False)
    return response.status, await response.text()


def media_files(settings: Settings) -> list[str]:
    directory = settings.media_dir
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


async def test_a_local_profile_shows_name_bio_fields_badge_and_posts(
    browser: TestClient,
    urls: Urls,
    publisher: SpyPublisher,  # type: ignore[type-arg]
) -> None:
    account = await active_account(urls, "ana", display_name="Ana García")
    account.role = Role.MENTOR
    await account.save()
    await sign_in(browser)
    response = await submit(browser, "/settings/profile", {
        "display_name": "Ana García · Panadería",
        "bio": "Panadera en **La Palma**. <script>alert(1)</script> Visita https://pan.example",
        "field_name_0": "Horario", "field_value_0": "Lun–Vie 8–14",
        "field_name_1": "Web", "field_value_1": "https://pan.example",
    })  # fmt: skip
    assert response.status == 303 and response.headers["Location"] == "/@ana"
    actor = await person_actor(account)
    assert "<script" not in actor.summary and "<strong>La Palma</strong>" in actor.summary
    assert actor.summary_source is not None and actor.summary_source.startswith("Panadera")
    assert publisher.names() == ["actor_updated"]
    assert (await Account.get(id=account.id)).display_name == "Ana García · Panadería"

    browser.session.cookie_jar.clear()  # anyone may read a profile
    page = await (await browser.get("/@ana")).text()
    text = text_of(page)
    assert "Ana García · Panadería" in text and "@ana@test.example" in text
    assert "Mentor" in text
    assert "<strong>La Palma</strong>" in page
    assert "<script>alert" not in page  # raw HTML in markdown shows as text, never runs
    assert "Horario" in text and "Lun–Vie 8–14" in text
    assert 'href="https://pan.example"' in page
    # The edit form gives back the markdown as written.
    await sign_in(browser)
    form = await (await browser.get("/settings/profile")).text()
    assert "Panadera en **La Palma**." in form


async def test_profile_fields_and_bio_are_checked(
    browser: TestClient,
    urls: Urls,
    publisher: SpyPublisher,  # type: ignore[type-arg]
) -> None:
    account = await active_account(urls, "ana")
    await sign_in(browser)
    response = await submit(
        browser, "/settings/profile", {"display_name": "Ana", "bio": "x" * 1001}
    )
    assert response.status == 422
    assert "at most 1000 characters" in text_of(await response.text())
    response = await submit(browser, "/settings/profile",
                            {"display_name": "Ana", "field_name_0": "Sin valor"})  # fmt: skip
    assert response.status == 422
    assert (await person_actor(account)).profile_fields == []
    assert publisher.names() == []


async def test_an_avatar_upload_is_reencoded_without_exif_and_federated_as_icon(
    browser: TestClient,
    urls: Urls,
    settings: Settings,
    publisher: SpyPublisher,  # type: ignore[type-arg]
) -> None:
    account = await active_account(urls, "ana")
    await sign_in(browser)
    status, _ = await upload(browser, "avatar", photo_with_gps(), "IMG_0001.jpg", "image/jpeg")
    assert status == 303
    actor = await person_actor(account)
    assert actor.icon_url is not None and actor.icon_url.startswith(urls.media("avatar-"))
    [name] = media_files(settings)
    stored = (settings.media_dir / name).read_bytes()
    assert b"PhoneMaker" not in stored
    with Image.open(io.BytesIO(stored)) as picture:
        assert picture.format == "WEBP"
        assert picture.size == (400, 400)
        assert not picture.getexif()
    served = await browser.get(f"/media/{name}")
    assert served.status == 200
    assert served.content_type == "image/webp"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert await served.read() == stored
    # Other servers see it as the actor's icon.
    document = await browser.get("/users/ana", headers={"Accept": "application/activity+json"})
    icon = json.loads(await document.text())["icon"]
    assert icon == {"type": "Image", "mediaType": "image/webp", "url": actor.icon_url}
    assert "actor_updated" in publisher.names()
    # And it shows on the profile.
    assert f'src="/media/{name}"' in await (await browser.get("/@ana")).text()

    status, _ = await upload(browser, "header", photo_with_gps((3000, 2000)), "h.jpg", "image/jpeg")
    assert status == 303
    actor = await person_actor(account)
    header = json.loads(await (await browser.get(
        "/users/ana", headers={"Accept": "application/activity+json"})).text())["image"]  # fmt: skip
    assert header["url"] == actor.header_url
    with Image.open(settings.media_dir / actor.header_url.rsplit("/", 1)[1]) as picture:
        assert picture.size == (1500, 500)
    # Removing the avatar deletes its file and the icon.
    response = await submit(browser, "/settings/profile", {"picture": "avatar"},
                            action="/settings/profile/remove-picture")  # fmt: skip
    assert response.status == 303
    assert (await person_actor(account)).icon_url is None
    assert name not in media_files(settings)


@pytest.mark.parametrize(
    ("data", "filename", "content_type"),
    [
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
            "a.svg",
            "image/svg+xml",
        ),
        (b"<!doctype html><script>alert(1)</script>", "photo.png", "image/png"),
        (b"\x89PNG\r\n\x1a\n" + b"not really a png" * 10, "photo.png", "image/png"),
        (b"", "empty.jpg", "image/jpeg"),
    ],
    ids=["svg", "html-as-png", "broken-png", "empty"],
)
async def test_files_posing_as_images_are_refused_with_a_message_and_nothing_stored(
    browser: TestClient, urls: Urls, settings: Settings, publisher: SpyPublisher,  # type: ignore[type-arg]
    data: bytes, filename: str, content_type: str,
) -> None:  # fmt: skip
    account = await active_account(urls, "ana")
    await sign_in(browser)
    status, page = await upload(browser, "avatar", data, filename, content_type)
    assert status == 422
    message = "Choose a picture" if not data else "not a picture we can use"
    assert message in text_of(page)
    assert 'role="alert"' in page
    assert media_files(settings) == []
    assert (await person_actor(account)).icon_url is None
    assert publisher.names() == []


async def test_too_large_uploads_are_refused_and_nothing_is_stored(
    browser: TestClient,
    urls: Urls,
    settings: Settings,  # type: ignore[type-arg]
) -> None:
    account = await active_account(urls, "ana")
    await sign_in(browser)
    status, page = await upload(browser, "avatar", b"\xff\xd8" + b"0" * (MAX_UPLOAD_BYTES + 1),
                                "huge.jpg", "image/jpeg")  # fmt: skip
    assert status == 413
    assert "larger than 8 MB" in text_of(page)
    status, page = await upload(browser, "avatar", b"0" * (MAX_UPLOAD_BYTES + 200_000),
                                "huger.jpg", "image/jpeg")  # fmt: skip
    assert status == 413
    assert "too large" in text_of(page)
    # A small file that decodes to a huge picture (a decompression bomb).
    bomb = io.BytesIO()
    Image.new("1", (9000, 9000)).save(bomb, "PNG")
    assert len(bomb.getvalue()) < 100_000
    status, page = await upload(browser, "avatar", bomb.getvalue(), "bomb.png", "image/png")
    assert status == 422
    assert "too many pixels" in text_of(page)
    assert media_files(settings) == []
    assert (await person_actor(account)).icon_url is None


async def test_an_upload_without_the_csrf_token_is_refused(
    browser: TestClient,
    urls: Urls,
    settings: Settings,  # type: ignore[type-arg]
) -> None:
    await active_account(urls, "ana")
    await sign_in(browser)
    status, _ = await upload(browser, "avatar", photo_with_gps(), "a.jpg", "image/jpeg",
                             with_token=False)  # fmt: skip
    assert status == 403
    assert media_files(settings) == []
    forged = await browser.post("/settings/profile", data={"display_name": "Hacked"},
                                allow_redirects=False)  # fmt: skip
    assert forged.status == 403
    assert (await Account.get(username="ana")).display_name == ""


async def test_editing_needs_a_signed_in_person_and_only_touches_their_own_profile(
    browser: TestClient,
    urls: Urls,  # type: ignore[type-arg]
) -> None:
    bob = await active_account(urls, "bob", display_name="Bob")
    response = await browser.get("/settings/profile", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"].startswith("/sign-in")
    await active_account(urls, "ana")
    await sign_in(browser)
    # There is no field naming whose profile: the form always edits the signed-in person's.
    await submit(browser, "/settings/profile", {"display_name": "Ana", "username": "bob"})
    assert (await person_actor(bob)).display_name == "Bob"
    assert (await Account.get(id=bob.id)).display_name == "Bob"


async def test_a_remote_profile_found_by_handle_can_be_followed_and_unfollowed(
    browser: TestClient,
    urls: Urls,
    publisher: SpyPublisher,  # type: ignore[type-arg]
) -> None:
    account = await active_account(urls, "ana")
    joao = await remote_actor("joao", "faro.example")
    joao.summary = "<p>Sapateiro em Faro</p>"
    joao.icon_url = "https://faro.example/media/joao.png"
    joao.fetched_at = clock.now()
    await joao.save()
    await Note.create(uri="https://faro.example/notes/1", author=joao, content_html="<p>Olá Faro</p>",
                      language="pt", published=clock.now(), visibility=Visibility.PUBLIC)  # fmt: skip
    await Note.create(uri="https://faro.example/notes/2", author=joao, published=clock.now(),
                      content_html="<p>Só seguidores</p>", visibility=Visibility.FOLLOWERS)  # fmt: skip
    await sign_in(browser)
    found = await browser.get("/search?q=@joao@faro.example", allow_redirects=False)
    assert found.status == 303 and found.headers["Location"] == "/@joao@faro.example"
    page = await (await browser.get("/@joao@faro.example")).text()
    text = text_of(page)
    assert "Sapateiro em Faro" in text and "Olá Faro" in text
    assert "Só seguidores" not in text
    assert "This account is on another server." in text
    assert 'src="https://faro.example/media/joao.png"' in page

    response = await submit(browser, "/@joao@faro.example", {},
                            action="/@joao@faro.example/follow")  # fmt: skip
    assert response.status == 303
    me = await person_actor(account)
    row = await Follow.get(follower_id=me.id, target_id=joao.id)
    assert row.state is FollowState.PENDING
    assert publisher.names() == ["follow_requested"]
    page = text_of(await (await browser.get("/@joao@faro.example")).text())
    assert "Cancel request" in page and "Your request waits for approval." in page
    response = await submit(browser, "/@joao@faro.example", {},
                            action="/@joao@faro.example/unfollow")  # fmt: skip
    assert response.status == 303
    assert not await Follow.exists(follower_id=me.id, target_id=joao.id)
    assert publisher.names() == ["follow_requested", "follow_undone"]


async def test_search_explains_addresses_it_cannot_use(
    browser: TestClient,
    urls: Urls,  # type: ignore[type-arg]
) -> None:
    await active_account(urls, "ana")
    await active_account(urls, "bob")
    await sign_in(browser)
    found = await browser.get("/search?q=@bob", allow_redirects=False)
    assert found.status == 303 and found.headers["Location"] == "/@bob"
    response = await browser.get("/search?q=@@not a handle")
    assert response.status == 422
    assert "Enter an address such as @ana@city.example." in text_of(await response.text())
    response = await browser.get("/search?q=@nadie")
    assert response.status == 422
    assert "Nobody answers to this address" in text_of(await response.text())
    assert (await browser.get("/@nadie")).status == 404
    assert (await browser.get("/@someone@unknown.example")).status == 404


async def test_followers_and_following_lists(
    browser: TestClient,
    urls: Urls,
    publisher: SpyPublisher,  # type: ignore[type-arg]
) -> None:
    await active_account(urls, "ana", display_name="Ana")
    await active_account(urls, "bob", display_name="Bob Builder")
    joao = await remote_actor("joao", "faro.example")
    ana = await Actor.get(local_username="ana")
    await Follow.create(follower=joao, target=ana, uri="https://faro.example/f/1",
                        state=FollowState.ACCEPTED)  # fmt: skip
    await sign_in(browser, "bob")
    await submit(browser, "/@ana", {}, action="/@ana/follow")
    followers = text_of(await (await browser.get("/@ana/followers")).text())
    assert "Bob Builder" in followers and "@joao@faro.example" in followers
    assert "2 followers" in followers
    following = text_of(await (await browser.get("/@bob/following")).text())
    assert "@ana@test.example" in following
    remote = text_of(await (await browser.get("/@joao@faro.example/following")).text())
    assert "Only the accounts this city's node knows about are listed." in remote
    assert "@ana@test.example" in remote


async def test_a_person_can_choose_to_approve_each_follower_and_peers_are_told(
    browser: TestClient,
    urls: Urls,
    publisher: SpyPublisher,  # type: ignore[type-arg]
) -> None:
    account = await active_account(urls, "ana")
    await sign_in(browser)
    page = await (await browser.get("/settings/profile")).text()
    assert (
        'name="manually_approves_followers"' in page
        and "checked" not in page.split('name="manually_approves_followers"')[1].split(">")[0]
    )
    form = {"display_name": "Ana", "manually_approves_followers": "1"}
    response = await submit(browser, "/settings/profile", form)
    assert response.status in (200, 303)
    assert (await person_actor(account)).manually_approves_followers is True
    assert publisher.names() == ["actor_updated"]
    # Unticked, the browser sends nothing for the box: followers are accepted again at once.
    await submit(browser, "/settings/profile", {"display_name": "Ana"})
    assert (await person_actor(account)).manually_approves_followers is False
