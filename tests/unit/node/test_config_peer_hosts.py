"""One peer, however a technician writes it: the default port, upper case, a scheme with a
slash or a trailing dot name the same node as its bare host name (compared as text, a different
spelling would unfollow and refollow the peer at every start)."""

from __future__ import annotations

import pytest

from node.config import ConfigError, load_settings


@pytest.mark.parametrize(
    "written",
    [
        "faro.example",
        "faro.example:443",
        "FARO.example",
        "https://faro.example/",
        "faro.example.",
        "HTTPS://Faro.Example.:443/",
        "http://faro.example:80",
    ],
)
def test_every_spelling_of_a_peer_is_the_same_peer(written: str) -> None:
    settings = load_settings({"RUTA_NETWORK_PEERS": written})
    assert settings.network_peers == {"faro.example"}


def test_spellings_of_one_peer_in_one_list_collapse_to_one() -> None:
    settings = load_settings({"RUTA_NETWORK_PEERS": "faro.example:443, https://FARO.example/"})
    assert settings.network_peers == {"faro.example"}


def test_a_port_other_than_the_default_is_kept() -> None:
    settings = load_settings({
        "RUTA_NETWORK_PEERS": "faro.example:8443,http://lepe.example:443,127.0.0.1:443,[::1]:443",
    })  # fmt: skip
    assert settings.network_peers == {
        "faro.example:8443", "lepe.example:443", "127.0.0.1", "[::1]"}  # fmt: skip


@pytest.mark.parametrize(
    "written",
    ["ftp://faro.example", "https://faro.example/mercado", "faro.example:0", "faro..example", "@x"],
)
def test_a_bad_peer_is_the_config_error_line_naming_the_variable(written: str) -> None:
    with pytest.raises(ConfigError, match=r"^RUTA_NETWORK_PEERS: expected "):
        load_settings({"RUTA_NETWORK_PEERS": written})
