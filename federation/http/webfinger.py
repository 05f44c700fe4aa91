"""WebFinger (RFC 7033) and host-meta (RFC 6415): how a handle becomes an actor id.

Resources answered:
- ``acct:user@domain`` (a leading ``@`` tolerated) for every local actor; the instance actor is
  ``acct:<host>@<domain>``, as Mastodon and GoToSocial name theirs;
- an actor id or its HTML profile URL;
- the node's own URL (``https://domain/``): the instance actor as
  ``https://www.w3.org/ns/activitystreams#Service`` (FEP-d556).

A missing or malformed resource is 400; a well-formed one naming another domain or nobody is 404
(RFC 7033 §4.2). Answers are public and cacheable, with CORS open so browser clients can look
handles up.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from aiohttp import web

from federation.http.cache import DOCUMENTS
from federation.http.negotiation import AS2_CONTENT_TYPE, JRD_CONTENT_TYPE, dump
from federation.vocab import Json, host_of
from node.appkeys import URLS
from node.config import normalise_host
from node.models.actors import Actor
from node.urls import Urls

SERVICE_REL = "https://www.w3.org/ns/activitystreams#Service"
PROFILE_REL = "http://webfinger.net/rel/profile-page"
CORS = {"Access-Control-Allow-Origin": "*"}
WEBFINGER_CACHE_CONTROL = "public, max-age=600"
_MAX_RESOURCE = 2048


class _BadResource(Exception):
    """The resource parameter is missing or not a URI we can read (→ 400)."""


async def webfinger(request: web.Request) -> web.Response:
    urls = request.app[URLS]
    resource = request.query.get("resource", "").strip()
    try:
        lookup = _parse_resource(resource, urls)
    except _BadResource as exc:
        raise web.HTTPBadRequest(text=str(exc)) from None
    if lookup is None:
        raise web.HTTPNotFound(text="No such account on this server.")
    kind, value = lookup
    rels = request.query.getall("rel", [])
    cache = request.app[DOCUMENTS]
    key = f"webfinger {kind} {value}"
    body = cache.get(key) if not rels else None
    if body is None:
        actor = await _find(kind, value, urls)
        if actor is None:
            raise web.HTTPNotFound(text="No such account on this server.")
        if actor.gone_at is not None:
            raise web.HTTPGone(text="This account was deleted.")
        document = jrd(actor, urls, domain_resource=resource if kind == "domain" else None)
        if rels:
            document["links"] = [link for link in document["links"] if link["rel"] in rels]
        body = dump(document)
        if not rels:
            cache.put(key, body, owner=actor.uri)
    return web.Response(
        body=body,
        content_type=JRD_CONTENT_TYPE,
        charset="utf-8",
        headers={**CORS, "Cache-Control": WEBFINGER_CACHE_CONTROL},
    )


def _parse_resource(resource: str, urls: Urls) -> tuple[str, str] | None:
    """``("username", name)``, ``("uri", actor id)`` or ``("domain", "")``; None for another
    domain. Raises :class:`_BadResource` when it is not a resource at all."""
    if not resource:
        raise _BadResource("The resource parameter is required (acct:user@domain or a URL).")
    if len(resource) > _MAX_RESOURCE or any(ord(c) < 33 for c in resource):
        raise _BadResource("The resource is not a valid URI.")
    scheme, sep, rest = resource.partition(":")
    scheme = scheme.lower()
    if "@" in resource and ":" not in resource.split("@", 1)[0]:
        # A bare ``user@domain`` (Mastodon accepts it too).
        scheme, sep, rest = "acct", ":", resource
    if sep and scheme == "acct":
        user, at, domain = unquote(rest).lstrip("@").rpartition("@")
        if not at or not user or not domain or "@" in user or "/" in user:
            raise _BadResource("acct: resources look like acct:user@domain.")
        if not _is_our_domain(domain, urls):
            return None
        return "username", user.lower()
    if sep and scheme in ("http", "https"):
        authority = host_of(resource)
        try:
            parts = urlsplit(resource)
        except ValueError:
            raise _BadResource("The resource is not a valid URL.") from None
        if authority is None:
            raise _BadResource("The resource is not a valid URL.")
        if not _is_our_domain(authority, urls):
            return None
        path = parts.path
        if path in ("", "/") and not parts.query:
            return "domain", ""
        if path.startswith("/@") and "/" not in path[2:]:
            return "username", unquote(path[2:]).lower()
        return "uri", urls.base + path
    raise _BadResource("Only acct: and http(s) resources are supported.")


def _is_our_domain(domain: str, urls: Urls) -> bool:
    return normalise_host(domain) == urls.domain


async def _find(kind: str, value: str, urls: Urls) -> Actor | None:
    if kind == "username":
        return await Actor.get_or_none(local_username=value, local=True)
    if kind == "uri":
        return await Actor.get_or_none(uri=value, local=True)
    return await Actor.get_or_none(uri=urls.instance_actor(), local=True)


def jrd(actor: Actor, urls: Urls, *, domain_resource: str | None = None) -> Json:
    """The JSON Resource Descriptor of a local actor.

    For the node's own URL (``domain_resource``) the subject is that URL and the instance actor
    is linked with the FEP-d556 ``Service`` relation as well as ``self``.
    """
    profile = actor.url or urls.profile_page(actor.username)
    links: list[Json] = [
        {"rel": "self", "type": AS2_CONTENT_TYPE, "href": actor.uri},
        {"rel": PROFILE_REL, "type": "text/html", "href": profile},
    ]
    is_instance_actor = actor.uri == urls.instance_actor()
    if is_instance_actor:
        links.append({"rel": SERVICE_REL, "type": AS2_CONTENT_TYPE, "href": actor.uri})
    subject = domain_resource if domain_resource else f"acct:{actor.username}@{urls.domain}"
    aliases = [actor.uri] if profile == actor.uri else [actor.uri, profile]
    if domain_resource:
        aliases = [f"acct:{actor.username}@{urls.domain}", actor.uri]
    return {"subject": subject, "aliases": aliases, "links": links}


HOST_META_XRD = """<?xml version="1.0" encoding="UTF-8"?>
<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">
  <Link rel="lrdd" template="{base}/.well-known/webfinger?resource={{uri}}"/>
</XRD>
"""


async def host_meta(request: web.Request) -> web.Response:
    """The XRD template that points old clients (and some crawlers) at WebFinger."""
    base = request.app[URLS].base
    return web.Response(
        text=HOST_META_XRD.format(base=base),
        content_type="application/xrd+xml",
        headers={**CORS, "Cache-Control": "public, max-age=86400"},
    )


async def host_meta_json(request: web.Request) -> web.Response:
    base = request.app[URLS].base
    document = {
        "links": [
            {"rel": "lrdd", "template": base + "/.well-known/webfinger?resource={uri}"},
        ]
    }
    return web.Response(
        body=dump(document),
        content_type=JRD_CONTENT_TYPE,
        charset="utf-8",
        headers={**CORS, "Cache-Control": "public, max-age=86400"},
    )


def setup(app: web.Application) -> None:
    app.router.add_get("/.well-known/webfinger", webfinger)
    app.router.add_get("/.well-known/host-meta", host_meta)
    app.router.add_get("/.well-known/host-meta.json", host_meta_json)
