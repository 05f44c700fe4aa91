"""Settings: defaults, validation with one clear message per bad variable, the TOML layer."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from node.config import VARIABLES, ConfigError, load_settings


def test_defaults_give_a_local_sqlite_node(tmp_path: Path) -> None:
    settings = load_settings({}, cwd=tmp_path)
    assert settings.domain == "127.0.0.1:8080"
    assert settings.scheme == "http"
    assert settings.base_url == "http://127.0.0.1:8080"
    assert settings.data_dir == tmp_path / "var"
    assert settings.database_url == f"sqlite://{tmp_path / 'var' / 'ruta.sqlite3'}"
    assert settings.default_language == "es"
    assert settings.allow_private_hosts == frozenset()
    assert settings.explicit == frozenset()


def test_a_real_domain_defaults_to_https() -> None:
    settings = load_settings({"RUTA_DOMAIN": "LaPalma.Example."})
    assert settings.domain == "lapalma.example"
    assert settings.scheme == "https"
    assert settings.base_url == "https://lapalma.example"


def test_idn_domain_is_stored_as_punycode() -> None:
    domain = load_settings({"RUTA_DOMAIN": "Almonte-Ñ.example"}).domain
    assert domain.isascii()
    assert domain.startswith("xn--")
    assert domain.encode().decode("idna") == "almonte-ñ.example"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("RUTA_DOMAIN", "https://lapalma.example"),
        ("RUTA_DOMAIN", "lapalma.example/path"),
        ("RUTA_DOMAIN", "lapalma.example:99999"),
        ("RUTA_DOMAIN", "-bad-.example"),
        ("RUTA_DOMAIN", ""),
        ("RUTA_SCHEME", "ftp"),
        ("RUTA_DATABASE_URL", "nonsense://x"),
        ("RUTA_DATABASE_URL", "mysql://root@localhost/ruta"),
        ("RUTA_DATABASE_URL", "postgres://"),
        ("RUTA_DATABASE_URL", "postgres://host:notaport/db"),
        ("RUTA_DATABASE_URL", "sqlite://"),
        ("RUTA_DEFAULT_LANGUAGE", "de"),
        ("RUTA_SECRET_KEY", "short"),
        ("RUTA_ALLOW_PRIVATE_HOSTS", "ok.test,http://bad"),
        ("RUTA_RESOLVE", "lapalma.test=127.0.0.1"),
        ("RUTA_RESOLVE", "lapalma.test:80=not-an-ip:80"),
        ("RUTA_REGISTRATIONS", "sometimes"),
        ("RUTA_WORKER_CONCURRENCY", "0"),
        ("RUTA_RETRY_BASE_SECONDS", "soon"),
        ("RUTA_CITY_NAME", ""),
    ],
)
def test_a_bad_value_names_the_variable_and_the_expected_form(variable: str, value: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings({variable: value})
    message = str(err.value)
    assert message.startswith(f"{variable}: expected ")
    assert "\n" not in message


def test_the_secret_key_is_never_echoed_in_errors() -> None:
    with pytest.raises(ConfigError) as err:
        load_settings({"RUTA_SECRET_KEY": "hunter2"})
    assert "hunter2" not in str(err.value)


def test_a_misspelt_variable_is_an_error_not_silently_ignored() -> None:
    with pytest.raises(ConfigError, match="RUTA_DOMIAN"):
        load_settings({"RUTA_DOMIAN": "x.example"})


def test_cli_password_and_test_variables_are_not_settings() -> None:
    load_settings({"RUTA_PASSWORD": "x", "RUTA_TEST_BACKENDS": "sqlite"})


def test_postgresql_url_is_accepted_in_both_spellings() -> None:
    a = load_settings({"RUTA_DATABASE_URL": "postgresql://u:p@db:5433/ruta"})
    assert a.database_url == "postgres://u:p@db:5433/ruta"
    assert not a.is_sqlite


def test_allow_list_and_resolve_are_parsed() -> None:
    settings = load_settings(
        {
            "RUTA_ALLOW_PRIVATE_HOSTS": "lapalma.test, Faro.Test:8443",
            "RUTA_RESOLVE": "lapalma.test:80=127.0.0.1:8451,faro.test:80=127.0.0.1:8452",
        }
    )
    assert settings.allow_private_hosts == frozenset({"lapalma.test", "faro.test:8443"})
    assert settings.resolve["lapalma.test:80"] == ("127.0.0.1", 8451)


def test_toml_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    config = tmp_path / "ruta.toml"
    config.write_text(
        'domain = "faro.example"\ncity_name = "Faro"\nallow_private_hosts = ["a.test", "b.test"]\n'
    )
    settings = load_settings({"RUTA_CONFIG": str(config), "RUTA_CITY_NAME": "Faro (PT)"})
    assert settings.domain == "faro.example"
    assert settings.city_name == "Faro (PT)"
    assert settings.allow_private_hosts == frozenset({"a.test", "b.test"})
    assert settings.explicit >= {"domain", "city_name", "allow_private_hosts"}


def test_a_missing_or_broken_toml_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="RUTA_CONFIG"):
        load_settings({"RUTA_CONFIG": str(tmp_path / "missing.toml")})
    broken = tmp_path / "broken.toml"
    broken.write_text("domain = ")
    with pytest.raises(ConfigError, match="RUTA_CONFIG: expected valid TOML"):
        load_settings({"RUTA_CONFIG": str(broken)})


def test_readme_documents_every_variable() -> None:
    readme = (Path(__file__).parents[3] / "README.md").read_text()
    missing = [v for v in VARIABLES if f"`{v}`" not in readme]
    assert not missing, f"README.md configuration table lacks {missing}"


def test_postgresql_url_without_its_driver_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The README's plain install has no asyncpg; a postgres URL must not end in a traceback.
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "asyncpg" else real_find_spec(name, *a),
    )
    with pytest.raises(ConfigError) as raised:
        load_settings({"RUTA_DATABASE_URL": "postgres://u:secret@db/ruta"})
    message = str(raised.value)
    assert message.startswith("RUTA_DATABASE_URL: ")
    assert ".[postgres]" in message and "secret" not in message
