"""Schemathesis against a live node's ``/api/openapi.json``: a bounded run, stateless checks.

Every documented operation gets generated requests (valid ones, then invalid ones), sent with a
member's API token to a real ``ruta serve`` process. No answer may be a 5xx; for valid requests
every answer must be a documented status, with the documented content type, body schema and
headers. Invalid requests must still never get a 5xx.

Bounded: a few examples per operation and mode (the run takes well under a minute). A failure
prints schemathesis' report with a curl line that reproduces it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support.nodes import NodeProcess, make_node

pytestmark = pytest.mark.slow

EXAMPLES = {GenerationMode.POSITIVE: 10, GenerationMode.NEGATIVE: 6}
CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture
def live_node(tmp_path: Path, backend: str) -> Iterator[tuple[NodeProcess, str]]:
    node = make_node(tmp_path, "api", backend=backend)
    try:
        node.start()
        token = node.create_user("ana")
        node.create_user("bea")  # someone to look up, follow and block
        yield node, token
    finally:
        node.cleanup()


def operations(node: NodeProcess) -> list[Any]:
    status, _, document = node.request("GET", "/api/openapi.json")
    assert status == 200
    schema = schemathesis.openapi.from_dict(document)
    return [result.ok() for result in schema.get_all_operations()]


def fuzz(operation: Any, mode: GenerationMode, base_url: str, token: str) -> None:
    checks = CONFORMANCE if mode is GenerationMode.POSITIVE else [not_a_server_error]
    session = requests.Session()

    @settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        database=None,
        derandomize=True,  # the same cases every run: CI failures reproduce locally
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        case.call_and_validate(base_url=base_url, session=session, headers=headers, checks=checks)

    try:
        run()
    except Unsatisfiable:
        # Nothing to make invalid (no parameters, no body): there is no negative case.
        if mode is GenerationMode.POSITIVE:
            raise


def test_every_api_operation_answers_as_documented_and_never_5xx(
    live_node: tuple[NodeProcess, str],
) -> None:
    node, token = live_node
    ops = operations(node)
    assert len(ops) >= 10, "the OpenAPI document lists almost no operations"
    failures: list[str] = []
    for operation in ops:
        for mode in EXAMPLES:
            try:
                fuzz(operation, mode, node.local_url, token)
            except (AssertionError, BaseExceptionGroup) as failure:  # schemathesis' failures
                failures.append(f"{operation.label} ({mode.value}): {failure!r}"[:3000])
    assert not failures, "\n\n".join(failures)
    # Our error middleware logs every 500 it turns into a problem answer as "unhandled error".
    # (aiohttp itself logs tracebacks for request lines it refuses with 400: not ours.)
    assert "unhandled error" not in node.log_path.read_text(errors="replace")
