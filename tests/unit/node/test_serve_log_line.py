"""The line ``ruta serve`` logs once it listens: the address once when it is the public one."""

from __future__ import annotations

from pathlib import Path

from node.cli.run import serving_line
from node.config import load_settings


def test_the_default_node_says_its_address_once(tmp_path: Path) -> None:
    settings = load_settings({}, cwd=tmp_path)
    line = serving_line(settings, "127.0.0.1", 8080, workers=True)
    assert line.count("http://127.0.0.1:8080") == 1
    assert line.startswith("Ruta node 'Ruta' serving http://127.0.0.1:8080 (database sqlite://")
    assert "Ctrl-C" in line


def test_a_node_behind_a_proxy_says_both_addresses(tmp_path: Path) -> None:
    settings = load_settings({"RUTA_DOMAIN": "lapalma.example"}, cwd=tmp_path)
    line = serving_line(settings, "127.0.0.1", 8080, workers=False)
    assert "serving https://lapalma.example on http://127.0.0.1:8080 (database " in line
    assert "without workers" in line
