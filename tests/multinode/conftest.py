"""Two real Ruta nodes, started once per test module: ``lapalma.test`` on SQLite and
``faro.test`` on PostgreSQL (SQLite when the run is narrowed to it). Tests create their own
users, so they do not depend on each other's follows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.multinode.network import city_pair, network
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
    with network(tmp_path_factory.mktemp("pair"), city_pair()) as (lapalma, faro):
        yield Pair(lapalma, faro)
