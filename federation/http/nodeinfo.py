"""NodeInfo 2.1 (and 2.0 for older crawlers): what software a node runs and how many use it.

``/.well-known/nodeinfo`` links the schema documents and, per FEP-2677, the instance actor with
the ``https://www.w3.org/ns/activitystreams#Application`` relation.
"""

from __future__ import annotations

import importlib.metadata

from aiohttp import web

from federation.http.cache import DOCUMENTS
from federation.http.negotiation import dump
from federation.http.webfinger import CORS
from federation.vocab import Json
from node.appkeys import SETTINGS, URLS
from node.config import Settings
from node.services.usage import Usage, node_usage

SOFTWARE_NAME = "ruta"
APPLICATION_REL = "https://www.w3.org/ns/activitystreams#Application"
SCHEMA_REL = "http://nodeinfo.diaspora.software/ns/schema/{version}"
VERSIONS = ("2.1", "2.0")


def software_version() -> str:
    try:
        return importlib.metadata.version("ruta")
    except importlib.metadata.PackageNotFoundError:  # running from a bare source tree
        return "0.0.0"


async def nodeinfo_links(request: web.Request) -> web.Response:
    urls = request.app[URLS]
    links = [
        {"rel": SCHEMA_REL.format(version=v), "href": urls.absolute(f"/nodeinfo/{v}")}
        for v in VERSIONS
    ]
    links.append({"rel": APPLICATION_REL, "href": urls.instance_actor()})
    return _json({"links": links}, "application/json")


def nodeinfo_document(settings: Settings, usage: Usage, version: str = "2.1") -> Json:
    """The NodeInfo document (schema ``version``) of this node."""
    software: Json = {"name": SOFTWARE_NAME, "version": software_version()}
    return {
        "version": version,
        "software": software,
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": []},
        "openRegistrations": settings.registrations == "open",
        "usage": {
            "users": {
                "total": usage.users_total,
                "activeMonth": usage.users_active_month,
                "activeHalfyear": usage.users_active_halfyear,
            },
            "localPosts": usage.local_posts,
        },
        "metadata": {
            "nodeName": settings.city_name,
            "cityName": settings.city_name,
            "registrations": settings.registrations,
            "defaultLanguage": settings.default_language,
        },
    }


async def nodeinfo(request: web.Request) -> web.Response:
    version = request.match_info["version"]
    # Crawlers poll this; the counts may lag by the cache's TTL (a minute).
    cache, key = request.app[DOCUMENTS], f"nodeinfo {version}"
    body = cache.get(key)
    if body is None:
        usage = await node_usage()
        body = dump(nodeinfo_document(request.app[SETTINGS], usage, version))
        cache.put(key, body, owner="")
    profile = SCHEMA_REL.format(version=version) + "#"
    return _json(body, f'application/json; profile="{profile}"')


def _json(document: Json | bytes, content_type: str) -> web.Response:
    body = document if isinstance(document, bytes) else dump(document)
    response = web.Response(body=body, headers={**CORS, "Cache-Control": "public, max-age=300"})
    # Set whole: aiohttp's content_type argument would drop the profile parameter.
    response.headers["Content-Type"] = content_type + (
        "" if "charset" in content_type else "; charset=utf-8"
    )
    return response


def setup(app: web.Application) -> None:
    app.router.add_get("/.well-known/nodeinfo", nodeinfo_links)
    app.router.add_get("/nodeinfo/{version:2\\.1|2\\.0}", nodeinfo)
