"""The OpenAPI document at /api/openapi.json is true: every API route is documented, every
documented route exists, and the document is valid OpenAPI 3.1."""

from __future__ import annotations

from aiohttp import web
from aiohttp.test_utils import TestClient
from openapi_spec_validator import validate

from web.api.openapi import openapi_path


def served_api_routes(app: web.Application) -> set[tuple[str, str]]:
    routes = set()
    for resource in app.router.resources():
        info = resource.get_info()
        path = info.get("path") or info.get("formatter") or ""
        if not path.startswith("/api/v1/"):
            continue
        for route in resource:
            if route.method in ("HEAD", "OPTIONS"):
                continue
            routes.add((route.method.upper(), openapi_path(path)))
    return routes


async def test_every_route_is_documented_and_every_documented_route_exists(
    client: TestClient, app: web.Application
) -> None:
    document = await (await client.get("/api/openapi.json")).json()
    documented = {
        (method.upper(), path) for path, ops in document["paths"].items() for method in ops
    }
    served = served_api_routes(app)
    assert served, "no API routes found"
    assert served - documented == set(), "routes missing from the OpenAPI document"
    assert documented - served == set(), "documented routes the server does not have"


async def test_the_document_is_valid_openapi_3_1(client: TestClient) -> None:
    response = await client.get("/api/openapi.json")
    assert response.status == 200
    document = await response.json()
    assert document["openapi"].startswith("3.1")
    validate(document)


async def test_secured_operations_document_the_401_problem(client: TestClient) -> None:
    document = await (await client.get("/api/openapi.json")).json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if operation.get("security"):
                problem = operation["responses"]["401"]["content"]["application/problem+json"]
                assert problem["schema"]["$ref"] == "#/components/schemas/Problem", (method, path)
