"""``RUTA_NETWORK_PEERS``: host names from the environment or a TOML list, normalised; one list
for the whole network (a node leaves itself out); a bad entry names the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from node.config import ConfigError, load_settings
from node.services.network.peering import configured_peers


def test_peers_come_from_the_environment_normalised_and_without_the_node_itself() -> None:
    settings = load_settings({
        "RUTA_DOMAIN": "lapalma.example",
        "RUTA_NETWORK_PEERS": " Faro.Example., lapalma.example,lepe.example:8443 ,",
    })  # fmt: skip
    assert settings.network_peers == {"faro.example", "lapalma.example", "lepe.example:8443"}
    assert configured_peers(settings) == ["faro.example", "lepe.example:8443"]


def test_a_toml_list_of_peers_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    config = tmp_path / "ruta.toml"
    config.write_text('network_peers = ["faro.example", "lepe.example"]\n')
    assert load_settings({"RUTA_CONFIG": str(config)}).network_peers == {
        "faro.example", "lepe.example"}  # fmt: skip
    overridden = load_settings({"RUTA_CONFIG": str(config), "RUTA_NETWORK_PEERS": ""})
    assert overridden.network_peers == frozenset()


def test_a_peer_with_a_scheme_or_a_path_is_refused_with_the_variable_named() -> None:
    with pytest.raises(ConfigError, match="RUTA_NETWORK_PEERS"):
        load_settings({"RUTA_NETWORK_PEERS": "https://faro.example/mercado"})
