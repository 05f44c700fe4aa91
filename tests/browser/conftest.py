"""Browser tests: a real node (``ruta serve``) and Debian's Chromium driven by Playwright.

Playwright's own browser download does not work here (and is never needed): the tests launch
/usr/bin/chromium. tests/run.sh installs it with the fonts the pages need.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.nodes import NodeProcess, make_node

CHROMIUM = os.environ.get("RUTA_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
ARTIFACTS = Path(__file__).parents[2] / "test-artifacts" / "browser"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: run tests/run.sh, which installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def node(tmp_path: Path) -> Iterator[NodeProcess]:
    """A node with open registrations and the file mail backend, on loopback."""
    process = make_node(
        tmp_path,
        "lapalma",
        extra_env={
            "RUTA_REGISTRATIONS": "open",
            "RUTA_CITY_NAME": "La Palma del Condado",
            "RUTA_MAIL_BACKEND": "file",
            "RUTA_DEFAULT_LANGUAGE": "es",
        },
    ).start()
    yield process
    process.stop()
    process.cleanup()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def named_browser(network: tuple[NodeProcess, ...]) -> Iterator[object]:
    """Chromium that resolves the nodes' names to their loopback ports (``--host-resolver-rules``),
    so cookies, redirects and ids are those of a real deployment. The test module provides the
    ``network`` fixture: its nodes, started."""
    from playwright.sync_api import sync_playwright

    rules = ",".join(f"MAP {n.domain}:80 127.0.0.1:{n.port}" for n in network)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, f"--host-resolver-rules={rules}"]
        )
        yield chromium
        chromium.close()
