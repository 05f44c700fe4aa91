"""The one outbound HTTP client of the node (SECURITY.md "Outbound requests").

Every request another server sees from us goes through :class:`Fetcher`: one aiohttp
``ClientSession`` per process, created in a ``cleanup_ctx`` (``federation.client``), with

- the private-address guard at connect time, also after each redirect (``federation.ssrf``);
- http(s) only, at most 3 redirects (followed here, hop by hop, so each hop is checked and
  re-signed), connect 5 s / read 10 s / 30 s in total, bodies capped at 1 MiB;
- blocked domains refused before any connection;
- GETs signed by the instance actor (draft-cavage, as Mastodon), so servers with authorized
  fetch (bovine-herd, Mastodon in secure mode) answer;
- for ActivityPub documents: an AS2 content type and ``id`` equal to the final URL.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, NoReturn, TypeVar
from urllib.parse import quote, urljoin

import aiohttp
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from yarl import URL

from federation import vocab
from federation.signatures import SigningKey, sign_request
from federation.ssrf import AddressPolicy, BlockedAddress, GuardedConnector, StaticResolver
from node import __version__, clock
from node.config import Settings

MAX_DOCUMENT_BYTES = 1024 * 1024
# How much of a delivery answer we keep for the logs and the job's last_error.
_EXCERPT_BYTES = 1024
_EXCERPT_CHARS = 300
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_MAX_JSON_DEPTH = 64
_JRD_TYPES = ("application/jrd+json", "application/json")
_E = TypeVar("_E", bound=BaseException)

# Returns the instance actor's key, for signed GETs.
KeyProvider = Callable[[], Awaitable[SigningKey]]
# True when a (normalised or raw) host is on the domain block list.
BlockCheck = Callable[[str], Awaitable[bool]]


@dataclass(frozen=True, slots=True)
class Limits:
    """Timeouts and caps. The defaults are SECURITY.md's; tests shorten them."""

    connect: float = 5.0
    read: float = 10.0
    total: float = 30.0
    max_bytes: int = MAX_DOCUMENT_BYTES
    max_redirects: int = 3


class FetchError(Exception):
    """An outbound request that did not yield what was asked for.

    ``reason`` is a short machine word: ``private_address``, ``timeout``, ``connection``,
    ``too_large``, ``content_type``, ``id_mismatch``, ``status``, ``json``, ``blocked_domain``,
    ``invalid_url``, ``redirects``, ``not_actor``. ``status`` is set for ``status``.
    """

    def __init__(
        self, reason: str, message: str, *, url: str | None = None, status: int | None = None
    ) -> None:
        super().__init__(f"{reason}: {message}" + (f" ({url})" if url else ""))
        self.reason = reason
        self.url = url
        self.status = status


@dataclass(frozen=True, slots=True)
class PostResult:
    """What a delivery POST got back. Never an exception for an HTTP status."""

    status: int
    retry_after: float | None  # seconds, from Retry-After (delta-seconds or an HTTP date)
    body_excerpt: str


@dataclass(frozen=True, slots=True)
class Response:
    """A GET's answer after redirects: the final URL, status, content type and capped body."""

    url: str
    status: int
    content_type: str
    body: bytes


class Fetcher:
    """The node's outbound HTTP client. ``await start()`` before use, ``await close()`` after."""

    def __init__(
        self,
        settings: Settings,
        *,
        instance_key: KeyProvider | None = None,
        is_blocked: BlockCheck | None = None,
        limits: Limits | None = None,
    ) -> None:
        self.settings = settings
        self.limits = limits or Limits()
        self._instance_key = instance_key
        self._is_blocked = is_blocked
        self._policy = AddressPolicy(settings.allow_private_hosts)
        self._session: aiohttp.ClientSession | None = None
        self._user_agent = f"Ruta/{__version__} (+{settings.base_url})"

    async def start(self) -> None:
        if self._session is not None:
            return
        connector = GuardedConnector(
            self._policy,
            resolver=StaticResolver(self.settings.resolve),
            limit=100,
            ttl_dns_cache=60,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(
                total=self.limits.total,
                sock_connect=self.limits.connect,
                sock_read=self.limits.read,
            ),
            cookie_jar=aiohttp.DummyCookieJar(),  # no state carried between servers
            headers={"User-Agent": self._user_agent},
            trust_env=False,  # no proxy from the environment: the guard must see the peer
            auto_decompress=True,  # the byte cap applies to the decompressed body
        )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> Fetcher:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError("Fetcher used before start() or after close()")
        return self._session

    # --- GET ---------------------------------------------------------------------------------

    async def get(
        self, url: str, *, signed: bool = True, accept: str = vocab.ACCEPT_AS2
    ) -> Response:
        """GET ``url``, following at most ``max_redirects`` redirects, every hop guarded.

        Signed by the instance actor when ``signed`` (and the Fetcher has its key). Raises
        :class:`FetchError` on network failures, the guard, blocked domains and oversized
        bodies; any HTTP status is returned.
        """
        key = await self._instance_key() if signed and self._instance_key is not None else None
        current = _absolute(url)
        try:
            async with asyncio.timeout(self.limits.total):
                for _hop in range(self.limits.max_redirects + 1):
                    await self._check_destination(current)
                    headers = {"Accept": accept}
                    if key is not None:
                        headers.update(sign_request("GET", current, None, *key))
                    async with self.session.get(
                        URL(current, encoded=True), headers=headers, allow_redirects=False
                    ) as response:
                        location = response.headers.get("Location")
                        if response.status in _REDIRECTS and location:
                            current = _absolute(urljoin(current, location))
                            continue
                        body = await self._read_capped(response, current)
                        return Response(
                            url=current,
                            status=response.status,
                            content_type=response.headers.get("Content-Type", ""),
                            body=body,
                        )
        except FetchError:
            raise
        except Exception as exc:
            _raise_network_error(exc, current)
        raise FetchError(
            "redirects", f"more than {self.limits.max_redirects} redirects", url=current
        )

    async def get_json(self, url: str, *, signed: bool = True) -> dict[str, Any]:
        """An ActivityPub document: signed GET, AS2 content type, ``id`` == final URL, ≤ 1 MiB.

        A fragment in ``url`` (``…#main-key``) is not sent; the document's id must equal the
        URL without it.
        """
        response = await self.get(url.split("#", 1)[0], signed=signed)
        if not 200 <= response.status < 300:
            raise FetchError(
                "status", f"HTTP {response.status}", url=response.url, status=response.status
            )
        if not vocab.is_as2_content_type(response.content_type):
            raise FetchError(
                "content_type", f"not an ActivityPub document: {response.content_type!r}",
                url=response.url,
            )  # fmt: skip
        document = _parse_json_object(response)
        if not isinstance(document.get("id"), str) or not same_url(document["id"], response.url):
            raise FetchError(
                "id_mismatch", f"document id {document.get('id')!r} is not its URL",
                url=response.url,
            )  # fmt: skip
        return document

    async def webfinger(self, user: str, host: str) -> str:
        """The actor URL of ``acct:user@host``: the ``rel=self`` link with an AS2 type.

        Asked over http for loopback, ``localhost`` and ``.test`` hosts (tests and demo
        networks), https otherwise. Unsigned, as WebFinger is public.
        """
        if (
            not user
            or any(c in user for c in "/?#@ ")
            or not host
            or any(c in host for c in "/?#@ ")
        ):
            raise FetchError("invalid_url", f"not a handle: {user}@{host}")
        scheme = "http" if _is_test_host(host) else "https"
        resource = quote(f"acct:{user}@{host}", safe=":@")
        url = f"{scheme}://{host}/.well-known/webfinger?resource={resource}"
        response = await self.get(url, signed=False, accept=", ".join(_JRD_TYPES))
        if not 200 <= response.status < 300:
            raise FetchError(
                "status", f"HTTP {response.status}", url=response.url, status=response.status
            )
        media = response.content_type.split(";", 1)[0].strip().lower()
        if media not in _JRD_TYPES:
            raise FetchError(
                "content_type", f"not a JRD document: {response.content_type!r}", url=response.url
            )
        links = _parse_json_object(response).get("links")
        for link in links if isinstance(links, list) else []:
            if not isinstance(link, dict) or link.get("rel") != "self":
                continue
            href = link.get("href")
            if (
                isinstance(href, str)
                and href.startswith(("https://", "http://"))
                and vocab.is_as2_content_type(link.get("type"))
            ):
                return href
        raise FetchError("not_actor", f"no ActivityPub actor for {user}@{host}", url=response.url)

    # --- POST --------------------------------------------------------------------------------

    async def post_signed(
        self, url: str, body: bytes, *, key_id: str, private_key: rsa.RSAPrivateKey
    ) -> PostResult:
        """Deliver ``body`` to an inbox, signed afresh (draft-cavage with Digest).

        Never raises on an HTTP status: the caller's retry policy reads ``status`` and
        ``retry_after``. Raises :class:`FetchError` on network failures, timeouts, the guard and
        blocked domains. Redirects are not followed (a 3xx is returned as it is).
        """
        target = _absolute(url)
        await self._check_destination(target)
        headers = sign_request("POST", target, body, key_id, private_key)
        headers["Content-Type"] = vocab.AS2_MEDIA_TYPES[0]
        headers["Accept"] = vocab.ACCEPT_AS2
        try:
            async with (
                asyncio.timeout(self.limits.total),
                self.session.post(
                    URL(target, encoded=True), data=body, headers=headers, allow_redirects=False
                ) as response,
            ):
                excerpt = await response.content.read(_EXCERPT_BYTES)
                return PostResult(
                    status=response.status,
                    retry_after=parse_retry_after(response.headers.get("Retry-After")),
                    body_excerpt=excerpt.decode("utf-8", "replace").strip()[:_EXCERPT_CHARS],
                )
        except FetchError:
            raise
        except Exception as exc:
            _raise_network_error(exc, target)

    # --- internals ---------------------------------------------------------------------------

    async def _check_destination(self, url: str) -> None:
        parsed = URL(url)
        if parsed.scheme not in ("http", "https") or not parsed.raw_host:
            raise FetchError("invalid_url", "only http(s) URLs with a host", url=url)
        if self._is_blocked is not None and await self._is_blocked(parsed.raw_host):
            raise FetchError("blocked_domain", f"{parsed.raw_host} is blocked", url=url)

    async def _read_capped(self, response: aiohttp.ClientResponse, url: str) -> bytes:
        cap = self.limits.max_bytes
        if response.content_length is not None and response.content_length > cap:
            raise FetchError("too_large", f"{response.content_length} bytes > {cap}", url=url)
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.content.iter_chunked(64 * 1024):
            size += len(chunk)
            if size > cap:
                raise FetchError("too_large", f"more than {cap} bytes", url=url)
            chunks.append(chunk)
        return b"".join(chunks)


FETCHER: web.AppKey[Fetcher] = web.AppKey("fetcher", Fetcher)


def same_url(a: str, b: str) -> bool:
    """Both name the same resource: scheme, host, port (default ports filled in), path, query."""
    try:
        ua, ub = URL(a), URL(b)
    except (ValueError, TypeError):
        return False
    if not ua.absolute or not ub.absolute:
        return False
    return (ua.scheme, ua.raw_host, ua.port, ua.raw_path, ua.raw_query_string) == (
        ub.scheme,
        ub.raw_host,
        ub.port,
        ub.raw_path,
        ub.raw_query_string,
    )


def parse_retry_after(value: str | None) -> float | None:
    """``Retry-After`` in seconds from now: delta-seconds or an HTTP date; None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment.tzinfo is None:
        return None
    return max(0.0, (moment - clock.now()).total_seconds())


def _absolute(url: str) -> str:
    """``url`` normalised as it will be sent (IDNA host, percent-encoding), without fragment."""
    try:
        parsed = URL(url)
    except (ValueError, TypeError):
        raise FetchError("invalid_url", "unparseable URL", url=url) from None
    if parsed.scheme not in ("http", "https") or not parsed.raw_host:
        raise FetchError("invalid_url", "only http(s) URLs with a host", url=url)
    return str(parsed.with_fragment(None))


def _is_test_host(host: str) -> bool:
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    name = name.strip("[]").rstrip(".").lower()
    if name in ("localhost", "127.0.0.1", "::1") or name.endswith((".localhost", ".test")):
        return True
    return name.startswith("127.")


def _parse_json_object(response: Response) -> dict[str, Any]:
    try:
        document = json.loads(response.body)
    except (ValueError, RecursionError):
        raise FetchError("json", "body is not JSON", url=response.url) from None
    if not isinstance(document, dict):
        raise FetchError("json", "body is not a JSON object", url=response.url)
    if vocab.depth(document, _MAX_JSON_DEPTH) > _MAX_JSON_DEPTH:
        raise FetchError("json", "JSON nested too deeply", url=response.url)
    return document


def _raise_network_error(exc: BaseException, url: str) -> NoReturn:
    """Map what aiohttp and asyncio raise to one :class:`FetchError`."""
    blocked = _find_cause(exc, BlockedAddress)
    if blocked is not None:
        raise FetchError("private_address", str(blocked), url=url) from exc
    if isinstance(exc, TimeoutError):  # asyncio.timeout and aiohttp's timeouts both
        raise FetchError("timeout", "timed out", url=url) from exc
    if isinstance(exc, aiohttp.InvalidURL):
        raise FetchError("invalid_url", str(exc), url=url) from exc
    if isinstance(exc, aiohttp.ClientError | OSError):
        raise FetchError("connection", f"{type(exc).__name__}: {exc}", url=url) from exc
    raise exc


def _find_cause(exc: BaseException, kind: type[_E]) -> _E | None:
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, kind):
            return current
        stack.extend([current.__cause__, current.__context__, getattr(current, "os_error", None)])
    return None
