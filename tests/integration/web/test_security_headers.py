"""Every response carries the security headers, errors included: an error page or problem made
by the error middleware is as exposed to framing and sniffing as any page."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

pytestmark = pytest.mark.usefixtures("orm")

JSON = {"Accept": "application/json"}


def assert_locked_down(response: ClientResponse) -> None:
    headers = response.headers
    assert headers.get("X-Content-Type-Options") == "nosniff"
    assert "frame-ancestors 'none'" in headers.get("Content-Security-Policy", "")
    assert "script-src 'self'" in headers.get("Content-Security-Policy", "")
    assert headers.get("X-Frame-Options") == "DENY"
    assert headers.get("Referrer-Policy") == "strict-origin-when-cross-origin"


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "content_type"),
    [
        ("GET", "/no-such-page", {}, 404, "text/html"),
        ("GET", "/no-such-page", {"headers": JSON}, 404, "application/problem+json"),
        ("GET", "/settings/language", {}, 405, "text/html"),
        ("POST", "/sign-in", {"data": {"login": "ana"}}, 403, "text/html"),  # CSRF refusal
        ("GET", "/api/v1/me", {}, 401, "application/problem+json"),
        ("POST", "/api/v1/notes", {"headers": {"Authorization": "Bearer x"}}, 401,
         "application/problem+json"),
        ("GET", "/api/v1/no-such-thing", {}, 404, "application/problem+json"),
        ("GET", "/", {}, 200, "text/html"),
    ],
)  # fmt: skip
async def test_every_response_carries_the_security_headers(
    browser: TestClient,  # type: ignore[type-arg]
    method: str,
    path: str,
    kwargs: dict[str, Any],
    status: int,
    content_type: str,
) -> None:
    response = await browser.request(method, path, allow_redirects=False, **kwargs)
    assert response.status == status
    assert response.content_type == content_type
    assert_locked_down(response)


async def test_a_redirect_carries_the_security_headers(
    browser: TestClient,  # type: ignore[type-arg]
) -> None:
    response = await browser.get("/settings", allow_redirects=False)
    assert response.status in (302, 303)
    assert_locked_down(response)
