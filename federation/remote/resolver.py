"""``Resolver``: the ``node.ports.ActorResolver`` the domain uses to find actors by handle or URL.

Local handles and URLs resolve from the database without network; remote handles go through
WebFinger and then the actor fetch; remote URLs straight to the actor fetch. Fetch failures
become the domain's errors, so services and the API never see transport details.
"""

from __future__ import annotations

import re

from federation import vocab
from federation.convert.remote_actor import domain_of
from federation.fetch import Fetcher, FetchError
from federation.remote.actors import fetch_actor, is_fresh
from node.config import normalise_host
from node.errors import NotFound, PermissionDenied, ValidationFailed
from node.models.actors import Actor
from node.services.moderation.domain_blocks import is_blocked
from node.urls import Urls

# Usernames as Mastodon, Misskey, GoToSocial and Lemmy allow them (dots, dashes, tildes).
_USER = re.compile(r"^[A-Za-z0-9_.~-]{1,255}$")
_HOST = re.compile(r"^(?:[A-Za-z0-9\u00a1-\uffff-]+\.)*[A-Za-z0-9\u00a1-\uffff-]+\.?(?::\d{1,5})?$")
_IPV6_HOST = re.compile(r"^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$")
_MALFORMED = "Enter a handle like @name@city.example or the address of an actor."


class Resolver:
    """Finds actors by ``@user@host``, ``user@host``, ``acct:user@host``, a local ``user``, or an
    actor URL. Does network I/O: call it outside transactions."""

    def __init__(self, fetcher: Fetcher, urls: Urls) -> None:
        self._fetcher = fetcher
        self._urls = urls

    async def resolve(self, reference: str) -> Actor:
        """The stored ``Actor`` for ``reference``.

        Raises ``ValidationFailed`` (malformed), ``PermissionDenied`` (blocked host) or
        ``NotFound`` (nobody answers to it, or its server cannot be reached).
        """
        ref = reference.strip()
        if not ref or len(ref) > 2048:
            raise ValidationFailed(_MALFORMED)
        if ref.lower().startswith(("https://", "http://")):
            return await self._by_url(ref)
        handle = ref.removeprefix("acct:").removeprefix("@")
        if "@" not in handle:
            return await self._local(handle, ref)
        user, _, host = handle.partition("@")
        if not _USER.match(user) or not (_HOST.match(host) or _IPV6_HOST.match(host)):
            raise ValidationFailed(_MALFORMED)
        domain = domain_of(f"http://{normalise_authority(host)}/")
        if domain == self._urls.domain:
            return await self._local(user, ref)
        if await is_blocked(domain):
            raise PermissionDenied(f"{domain} is blocked on this server.")
        cached = await Actor.filter(
            domain=domain, username__iexact=user, local=False, gone_at__isnull=True
        ).first()
        if cached is not None and is_fresh(cached):
            return cached
        try:
            url = await self._fetcher.webfinger(user, host.rstrip("."))
            return await fetch_actor(self._fetcher, url)
        except FetchError as failure:
            raise _domain_error(failure, ref) from None

    async def _by_url(self, url: str) -> Actor:
        if vocab.host_of(url) is None:
            raise ValidationFailed(_MALFORMED)
        if vocab.same_origin(url, self._urls.base):
            actor = await Actor.get_or_none(uri=url.split("#", 1)[0], local=True)
            if actor is None:
                raise NotFound(f"Nobody here answers to {url}.")
            return actor
        try:
            return await fetch_actor(self._fetcher, url)
        except FetchError as failure:
            raise _domain_error(failure, url) from None

    async def _local(self, username: str, reference: str) -> Actor:
        if not _USER.match(username):
            raise ValidationFailed(_MALFORMED)
        actor = await Actor.get_or_none(local_username=username.lower(), local=True)
        if actor is None:
            raise NotFound(f"Nobody here answers to {reference}.")
        return actor


def normalise_authority(host: str) -> str:
    """``Host.Example.:8080`` → ``host.example:8080`` (punycode for international names)."""
    if host.startswith("["):
        return host.lower()
    name, sep, port = host.rpartition(":") if ":" in host else (host, "", "")
    return normalise_host(name) + (sep + port if sep else "")


def _domain_error(failure: FetchError, reference: str) -> Exception:
    if failure.reason == "blocked_domain":
        return PermissionDenied(f"The server of {reference} is blocked on this server.")
    if failure.reason == "invalid_url":
        return ValidationFailed(_MALFORMED)
    if failure.reason in ("timeout", "connection") or (failure.status or 0) >= 500:
        return NotFound(f"The server of {reference} cannot be reached now; try again later.")
    return NotFound(f"Nobody answers to {reference}.")
