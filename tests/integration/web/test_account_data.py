"""A person's own data: the export ZIP, and deleting the account for good (federated)."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from aiohttp.test_utils import TestClient

from node import clock
from node.models.accounts import Account, ApiToken
from node.models.actors import Actor, ActorKey
from node.models.moderation import Report
from node.models.social import Follow, FollowState, Like, Note, Tombstone, Visibility
from node.models.web import WebSession
from node.services.accounts.accounts import person_actor
from node.services.accounts.tokens import create_token
from node.urls import Urls
from tests.integration.web.conftest import SpyPublisher
from tests.integration.web.webforms import PASSWORD, active_account, sign_in, submit, text_of
from tests.support.fakes import remote_actor

pytestmark = pytest.mark.usefixtures("orm")


async def _note(author: Actor, urls: Urls, text: str, **kw: object) -> Note:
    note = await Note.create(
        uri=urls.note(0) + text.replace(" ", "-"),
        author=author,
        local=author.local,
        content_html=f"<p>{text}</p>",
        content_source=text,
        language="es",
        published=clock.now(),
        visibility=kw.pop("visibility", Visibility.PUBLIC),
        **kw,
    )
    return note


async def _ana_with_content(urls: Urls) -> tuple[Account, Actor, Actor]:
    account = await active_account(urls, display_name="Ana García")
    ana = await person_actor(account)
    faro = await remote_actor("joao", "faro.example")
    await _note(ana, urls, "Pan de pueblo, 2 €")
    await _note(ana, urls, "Solo para seguidores", visibility=Visibility.FOLLOWERS)
    await Follow.create(follower=ana, target=faro, uri="https://test.example/f/1",
                        state=FollowState.ACCEPTED)  # fmt: skip
    await Follow.create(follower=faro, target=ana, uri="https://faro.example/f/2",
                        state=FollowState.ACCEPTED)  # fmt: skip
    await Report.create(reporter=ana, target=faro, comment="Spam", object_uris=["https://x/1"])
    return account, ana, faro


async def test_the_export_is_one_zip_with_profile_posts_follows_and_reports_as_json_and_csv(
    browser: TestClient,
    urls: Urls,  # type: ignore[type-arg]
) -> None:
    await _ana_with_content(urls)
    await sign_in(browser)
    response = await submit(browser, "/settings", {}, action="/settings/export")
    assert response.status == 200
    assert response.content_type == "application/zip"
    assert "attachment;" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(await response.read()))
    names = set(archive.namelist())
    for table in ("posts", "following", "followers", "reports"):
        assert {f"{table}.json", f"{table}.csv"} <= names
    profile = json.loads(archive.read("profile.json"))
    assert profile["account"]["username"] == "ana"
    assert profile["account"]["email"] == "ana@example.org"
    assert "password_hash" not in json.dumps(profile)
    assert profile["actor"]["handle"] == "ana@test.example"
    posts = json.loads(archive.read("posts.json"))
    assert sorted(p["content_source"] for p in posts) == [
        "Pan de pueblo, 2 €",
        "Solo para seguidores",
    ]
    rows = list(csv.DictReader(io.StringIO(archive.read("posts.csv").decode("utf-8-sig"))))
    assert {r["content_source"] for r in rows} == {"Pan de pueblo, 2 €", "Solo para seguidores"}
    assert json.loads(archive.read("following.json"))[0]["handle"] == "joao@faro.example"
    assert json.loads(archive.read("followers.json"))[0]["id"] == "https://faro.example/users/joao"
    (report,) = json.loads(archive.read("reports.json"))
    assert report["comment"] == "Spam"
    assert report["target"] == "https://faro.example/users/joao"


async def test_export_needs_a_signed_in_person(browser: TestClient) -> None:  # type: ignore[type-arg]
    response = await submit(browser, "/", {}, action="/settings/export")
    assert response.status == 303
    assert response.headers["Location"] == "/sign-in"


async def test_deleting_the_account_removes_local_data_and_federates_a_delete(
    browser: TestClient,
    urls: Urls,
    publisher: SpyPublisher,  # type: ignore[type-arg]
) -> None:
    account, ana, faro = await _ana_with_content(urls)
    others_note = await _note(faro, urls, "Olá de Faro", like_count=1)
    await Like.create(actor=ana, note=others_note, uri="https://test.example/likes/1")
    await create_token(account, "phone")
    await sign_in(browser)
    response = await submit(browser, "/settings/delete", {"password": PASSWORD})
    assert response.status == 303
    assert response.headers["Location"] == "/?notice=account_deleted"

    # Federated: Delete{Person} queued inside the deletion's transaction, for Ana's actor.
    (call,) = [c for c in publisher.calls if c.name == "actor_deleted"]
    assert call.obj.uri == ana.uri
    assert call.in_transaction
    assert not await Account.filter(id=account.id).exists()
    assert await WebSession.all().count() == 0
    assert await ApiToken.all().count() == 0
    assert await Note.filter(author_id=ana.id).count() == 0
    assert await Tombstone.filter(former_type="Note").count() == 2
    assert await Follow.all().count() == 0
    assert await Like.all().count() == 0
    assert (await Note.get(id=others_note.id)).like_count == 0
    # The stub keeps the keys that sign the Delete, and nothing personal.
    stub = await Actor.get(id=ana.id)
    assert stub.gone_at is not None
    assert stub.display_name == ""
    assert stub.account_id is None  # type: ignore[attr-defined]
    assert await ActorKey.filter(actor_id=ana.id).exists()
    # Reports she filed stay with the moderators.
    assert await Report.filter(reporter_id=ana.id).count() == 1
    # Signed out, and the home page says goodbye.
    home = await browser.get(response.headers["Location"])
    assert "Your account is deleted." in text_of(await home.text())
    assert 'action="/sign-out"' not in await home.text()


async def test_a_wrong_password_deletes_nothing(
    browser: TestClient,
    urls: Urls,
    publisher: SpyPublisher,  # type: ignore[type-arg]
) -> None:
    account, ana, _ = await _ana_with_content(urls)
    await sign_in(browser)
    response = await submit(browser, "/settings/delete", {"password": "not my password"})
    assert response.status == 422
    assert "The password is not right." in text_of(await response.text())
    assert await Account.filter(id=account.id).exists()
    assert await Note.filter(author_id=ana.id).count() == 2
    assert publisher.calls == []
