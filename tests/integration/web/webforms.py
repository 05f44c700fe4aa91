"""Driving the HTML forms as a browser does: read the page, keep its CSRF token, post the form."""

from __future__ import annotations

import html
import re
from email.message import EmailMessage
from typing import Any

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from node.models.accounts import Account
from node.services.accounts import accounts
from node.urls import Urls

PASSWORD = "a long password"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_in(page: str) -> str:
    match = _CSRF.search(page)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


async def submit(
    client: TestClient,  # type: ignore[type-arg]
    page_path: str,
    data: dict[str, str],
    *,
    action: str | None = None,
    headers: dict[str, str] | None = None,
) -> ClientResponse:
    """Open ``page_path``, then post ``data`` with that page's CSRF token (no redirects followed)."""
    page = await client.get(page_path, headers=headers)
    token = csrf_in(await page.text())
    return await client.post(
        action or page_path.split("?")[0],
        data={"csrf": token, **data},
        headers=headers,
        allow_redirects=False,
    )


def text_of(page: str) -> str:
    """Visible text, roughly: tags dropped, entities decoded, spaces collapsed."""
    without_tags = re.sub(r"<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", html.unescape(without_tags))


def link_in(mail: EmailMessage, path: str) -> str:
    body = mail.get_body(("plain",))
    assert body is not None
    match = re.search(r"https?://\S+" + re.escape(path) + r"\S+", body.get_content())
    assert match, f"no {path} link in the mail"
    return match.group(0)


async def active_account(urls: Urls, username: str = "ana", **kw: Any) -> Account:
    """An account that may sign in at once (as an administrator creates them)."""
    return await accounts.create_account(
        urls, username=username, email=f"{username}@example.org", password=PASSWORD, **kw
    )


async def sign_in(
    client: TestClient,  # type: ignore[type-arg]
    login: str = "ana",
    password: str = PASSWORD,
    **headers: str,
) -> ClientResponse:
    return await submit(
        client, "/sign-in", {"login": login, "password": password}, headers=headers or None
    )
