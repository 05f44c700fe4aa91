"""Report links: a signed-in person sees "Report" on someone else's profile and on each of their
posts (thread, profile, home and local timelines), and the link opens the report form about that
account or post. Nobody sees it on their own profile or posts, nor when signed out."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from node.models.social import Visibility
from node.services.accounts.accounts import person_actor
from node.services.social import notes
from node.urls import Urls
from tests.integration.web.conftest import SpyPublisher
from tests.integration.web.webforms import active_account, sign_in, submit, text_of

pytestmark = pytest.mark.usefixtures("orm")


async def test_report_links_on_others_posts_and_profiles_only(
    browser: TestClient,  # type: ignore[type-arg]
    urls: Urls,
    publisher: SpyPublisher,
) -> None:
    ana = await person_actor(await active_account(urls, "ana"))
    bob = await person_actor(await active_account(urls, "bob"))
    post = await notes.create_note(
        publisher, ana, content="Pan de pueblo a 2 €", language="es", visibility=Visibility.PUBLIC
    )
    own = await notes.create_note(
        publisher, bob, content="Tomates de la huerta", language="es", visibility=Visibility.PUBLIC
    )
    note_link = f'href="/report?note={post.id}"'
    account_link = f'href="/report?account={ana.id}"'

    # Signed out: no report links anywhere.
    for path in ("/@ana", f"/@ana/{post.id}", "/local"):
        page = await (await browser.get(path)).text()
        assert "/report?" not in page, path

    assert (await sign_in(browser, "bob")).status == 303
    followed = await submit(browser, "/@ana", {}, action="/@ana/follow")
    assert followed.status == 303
    for path in (f"/@ana/{post.id}", "/@ana", "/local", "/"):
        page = await (await browser.get(path)).text()
        assert page.count(note_link) == 1, path
        assert f'href="/report?note={own.id}"' not in page, path  # not on his own post
    profile = await (await browser.get("/@ana")).text()
    assert profile.count(account_link) == 1
    own_profile = await (await browser.get("/@bob")).text()
    assert "/report?" not in own_profile

    # The links open the form about that post and that account.
    form = await browser.get(f"/report?note={post.id}")
    assert form.status == 200
    assert "Pan de pueblo a 2 €" in text_of(await form.text())
    form = await browser.get(f"/report?account={ana.id}")
    assert form.status == 200
    assert "ana" in text_of(await form.text())
