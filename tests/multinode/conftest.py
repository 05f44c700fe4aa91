"""Two real Ruta nodes, started once per test module: ``lapalma.test`` on SQLite and
``faro.test`` on PostgreSQL (SQLite when the run is narrowed to it). Tests create their own
users, so they do not depend on each other's follows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.multinode.network import second_backend, start_network
from tests.support.nodes import NodeProcess


@dataclass
class Pair:
    lapalma: NodeProcess
    faro: NodeProcess

    @property
    def both(self) -> tuple[NodeProcess, NodeProcess]:
        return (self.lapalma, self.faro)


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    base = tmp_path_factory.mktemp("pair")
    lapalma, faro = start_network(base, {"lapalma.test": "sqlite", "faro.test": second_backend()})
    try:
        yield Pair(lapalma, faro)
    finally:
        for node in (lapalma, faro):
            node.stop()
            node.cleanup()
