"""The node's one settings object.

Everything configurable comes from ``RUTA_*`` environment variables, optionally layered over a TOML
file named by ``RUTA_CONFIG`` (its keys are the variable names without ``RUTA_``, lower case:
``domain = "lapalma.example"``). Environment variables win over the file.

Nothing here reads the environment at import time and nothing here touches the disk except reading
the TOML file: a bad value must leave the machine exactly as it was (see ``node.datadir`` for the
part that creates things).
"""

from __future__ import annotations

import importlib.util
import ipaddress
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal, get_args
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Language = Literal["es", "pt", "en", "fr", "ar"]
LANGUAGES: tuple[Language, ...] = get_args(Language)
Registrations = Literal["open", "approval", "closed"]
LogFormat = Literal["text", "json"]
MailBackend = Literal["console", "file", "smtp"]

PREFIX = "RUTA_"
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


class ConfigError(ValueError):
    """A configuration value is missing or malformed.

    ``str()`` is the single line the CLI prints: the variable, what it expects, what it got.
    """

    def __init__(self, variable: str, expected: str, got: str | None = None) -> None:
        self.variable = variable
        self.expected = expected
        self.got = got
        shown = "" if got is None else f" (got {got!r})"
        super().__init__(f"{variable}: expected {expected}{shown}")


@dataclass(frozen=True)
class Settings:
    """Validated configuration of one node. Build it with :func:`load_settings`."""

    domain: str = "127.0.0.1:8080"
    scheme: Literal["http", "https"] = "http"
    data_dir: Path = Path("var")
    database_url: str = ""
    city_name: str = "Ruta"
    default_language: Language = "es"
    secret_key: str | None = None
    allow_private_hosts: frozenset[str] = field(default_factory=frozenset)
    # Static name resolution, like ``curl --resolve``: "host:port" -> (address, port). Lets a
    # demo network or the tests run several nodes with real host names on one machine.
    resolve: Mapping[str, tuple[str, int]] = field(default_factory=dict)
    registrations: Registrations = "approval"
    log_level: str = "INFO"
    log_format: LogFormat = "text"
    # How many jobs one worker process runs at once.
    worker_concurrency: int = 16
    # Base of the retry backoff (SECURITY.md "Delivery": retry n waits min(2^(n-1) * base, cap)).
    # One minute in production; tests set it to milliseconds so retries run instantly.
    retry_base_seconds: float = 60.0
    retry_cap_seconds: float = 8 * 3600.0
    # How long a claimed job stays locked before another worker may take it over (crash recovery).
    job_lock_seconds: float = 300.0
    # Seconds the server waits for in-flight requests and jobs on shutdown.
    shutdown_grace_seconds: float = 3.0
    # Dates and times on pages and in mails are shown in this zone (IANA name).
    timezone: str = "Europe/Madrid"
    # Where outgoing mail goes: "file" writes one .eml per message under <data dir>/mail (the
    # development default, and what the tests read), "console" logs it, "smtp" sends it.
    mail_backend: MailBackend = "file"
    smtp_url: str = ""
    # The From address; empty means "<city name> <noreply@<host>>".
    mail_from: str = ""
    # The other nodes of the network (``host[:port]``): this node follows each one's market
    # group (``node.services.network.peering``). The same list may be given to every node.
    network_peers: frozenset[str] = field(default_factory=frozenset)
    # Names of the fields set explicitly (environment or file), as opposed to defaults.
    explicit: frozenset[str] = field(default_factory=frozenset)

    @property
    def base_url(self) -> str:
        """Scheme and authority every public id of this node starts with."""
        return f"{self.scheme}://{self.domain}"

    @property
    def host(self) -> str:
        """The domain without its port."""
        return split_host_port(self.domain)[0]

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with some fields replaced (tests, and the CLI's quieter log level)."""
        return replace(self, **changes)  # type: ignore[arg-type]


def load_settings(environ: Mapping[str, str], *, cwd: Path | None = None) -> Settings:
    """Build and validate :class:`Settings` from ``environ`` (and the TOML file it may name).

    Raises :class:`ConfigError` naming the first bad variable.
    """
    values = _read_toml(environ.get(PREFIX + "CONFIG"))
    values.update({k: v for k, v in environ.items() if k.startswith(PREFIX)})
    for name in list(values):
        if name in _NOT_SETTINGS or name.startswith(PREFIX + "TEST_"):
            del values[name]
    unknown = sorted(set(values) - set(_PARSERS))
    if unknown:
        raise ConfigError(unknown[0], "one of " + ", ".join(sorted(_PARSERS)), unknown[0])

    base = cwd or Path.cwd()
    parsed: dict[str, object] = {}
    for variable, raw in values.items():
        attr, parse = _PARSERS[variable]
        parsed[attr] = parse(variable, raw.strip())

    parsed["explicit"] = frozenset(parsed)
    domain = str(parsed.get("domain", Settings.domain))
    if "scheme" not in parsed:
        parsed["scheme"] = "http" if _is_local_host(split_host_port(domain)[0]) else "https"
    data_dir = Path(str(parsed.get("data_dir", Settings.data_dir)))
    if not data_dir.is_absolute():
        data_dir = base / data_dir
    parsed["data_dir"] = data_dir
    if not parsed.get("database_url"):
        parsed["database_url"] = f"sqlite://{data_dir / 'ruta.sqlite3'}"
    if parsed.get("mail_backend") == "smtp" and not parsed.get("smtp_url"):
        raise ConfigError(
            PREFIX + "SMTP_URL", "an smtp:// or smtps:// URL when RUTA_MAIL_BACKEND=smtp"
        )
    return Settings(**parsed)  # type: ignore[arg-type]


def _read_toml(path: str | None) -> dict[str, str]:
    if not path:
        return {}
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError("RUTA_CONFIG", "the path of a readable TOML file", path) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("RUTA_CONFIG", f"valid TOML ({exc})", path) from None
    out: dict[str, str] = {}
    for key, value in data.items():
        if isinstance(value, list):
            value = ",".join(str(v) for v in value)
        elif isinstance(value, bool):
            value = "true" if value else "false"
        out[PREFIX + key.upper()] = str(value)
    return out


# --- parsers: (variable, raw) -> value, raising ConfigError --------------------------------------


def split_host_port(authority: str) -> tuple[str, int | None]:
    """Split ``host[:port]`` (IPv6 in brackets). Does not validate."""
    if authority.startswith("["):
        host, _, rest = authority[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
    else:
        host, _, port = authority.partition(":")
    return host, int(port) if port.isdigit() else None


def normalise_host(value: str) -> str:
    """Lower-case, strip a trailing dot, encode international names as punycode (``xn--…``)."""
    host = value.strip().rstrip(".").lower()
    try:
        return host.encode("idna").decode("ascii") if host and not host.isascii() else host
    except UnicodeError:
        return host


_AUTHORITY = re.compile(
    r"(?:\[(?P<v6>[0-9A-Fa-f:.]+)\]|(?P<host>[^:\[\]/@\s]+))(?::(?P<port>\d{1,5}))?"
)


def _parse_authority(variable: str, raw: str) -> str:
    expected = "host[:port], e.g. lapalma.example or 127.0.0.1:8080 (no scheme, no path)"
    match = _AUTHORITY.fullmatch(raw)
    if not match:
        raise ConfigError(variable, expected, raw)
    port = int(match["port"]) if match["port"] else None
    if port is not None and not 0 < port < 65536:
        raise ConfigError(variable, expected, raw)
    if match["v6"]:
        try:
            host = f"[{ipaddress.IPv6Address(match['v6']).compressed}]"
        except ValueError:
            raise ConfigError(variable, expected, raw) from None
    else:
        host = normalise_host(match["host"])
        if not _valid_host(host):
            raise ConfigError(variable, expected, raw)
    return f"{host}:{port}" if port else host


def _valid_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    labels = host.split(".")
    return bool(host) and len(host) <= 253 and all(_HOST_LABEL.match(label) for label in labels)


def _is_local_host(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _parse_scheme(variable: str, raw: str) -> str:
    if raw not in ("http", "https"):
        raise ConfigError(variable, "https or http", raw)
    return raw


def _parse_path(variable: str, raw: str) -> Path:
    if not raw or "\0" in raw:
        raise ConfigError(variable, "a directory path", raw)
    return Path(raw).expanduser()


def _parse_database_url(variable: str, raw: str) -> str:
    expected = "sqlite:///path/to/ruta.sqlite3 or postgres://user[:password]@host[:port]/database"
    parts = urlsplit(raw)
    if parts.scheme == "sqlite":
        path = raw[len("sqlite://") :]
        if not path or path == ":memory:" or path.startswith("//"):
            raise ConfigError(variable, expected, raw)
        return raw
    if parts.scheme in ("postgres", "postgresql"):
        if not parts.hostname or not parts.path.strip("/"):
            raise ConfigError(variable, expected, raw)
        try:
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError:
            raise ConfigError(variable, expected, raw) from None
        if importlib.util.find_spec("asyncpg") is None:
            # The plain install (README) is SQLite only; say how to add the driver rather than
            # letting the ORM fail later with an import traceback. The URL may hold a password.
            raise ConfigError(
                variable,
                "SQLite, or the PostgreSQL driver installed for a postgres:// URL "
                "(pip install -c constraints.txt -e '.[postgres]')",
            )
        return "postgres" + raw[len(parts.scheme) :]
    raise ConfigError(variable, expected, raw)


def _parse_text(variable: str, raw: str) -> str:
    if not raw or len(raw) > 200:
        raise ConfigError(variable, "a non-empty name of at most 200 characters", raw)
    return raw


def _parse_language(variable: str, raw: str) -> str:
    if raw not in LANGUAGES:
        raise ConfigError(variable, "one of " + ", ".join(LANGUAGES), raw)
    return raw


def _parse_secret(variable: str, raw: str) -> str:
    if len(raw) < 32:
        raise ConfigError(variable, "a random string of at least 32 characters", "<hidden>")
    return raw


def _parse_hosts(variable: str, raw: str) -> frozenset[str]:
    if not raw:
        return frozenset()
    hosts = set()
    for item in raw.split(","):
        item = item.strip()
        if item:
            hosts.add(_parse_authority(variable, item))
    return frozenset(hosts)


_DEFAULT_PORTS = {"https": 443, "http": 80}


def _parse_peer(variable: str, raw: str) -> str:
    """One network peer as the node's domain is written: ``faro.example:443``, ``FARO.example``,
    ``https://faro.example/`` and ``faro.example.`` all name ``faro.example``. Peers are compared
    by this text, so an explicit default port would otherwise unfollow and refollow at each start.
    A port or path other than that is refused."""
    scheme, sep, rest = raw.strip().partition("://")
    if not sep:
        scheme, rest = "https", raw.strip()
    if scheme.lower() not in _DEFAULT_PORTS:
        raise ConfigError(variable, "host names such as faro.example, separated by commas", raw)
    authority = _parse_authority(variable, rest.removesuffix("/"))
    host, port = split_host_port(authority)
    if port == _DEFAULT_PORTS[scheme.lower()]:
        return f"[{host}]" if ":" in host else host
    return authority


def _parse_peers(variable: str, raw: str) -> frozenset[str]:
    return frozenset(_parse_peer(variable, item) for item in raw.split(",") if item.strip())


def _parse_resolve(variable: str, raw: str) -> dict[str, tuple[str, int]]:
    expected = "comma-separated host:port=address:port, e.g. lapalma.test:80=127.0.0.1:8451"
    out: dict[str, tuple[str, int]] = {}
    for item in filter(None, (i.strip() for i in raw.split(","))):
        name, sep, target = item.partition("=")
        address, _, port = target.rpartition(":")
        if not sep or ":" not in name or not port.isdigit() or not address:
            raise ConfigError(variable, expected, item)
        host, _, name_port = name.rpartition(":")
        if not name_port.isdigit():
            raise ConfigError(variable, expected, item)
        try:
            ipaddress.ip_address(address.strip("[]"))
        except ValueError:
            raise ConfigError(variable, expected, item) from None
        out[f"{normalise_host(host)}:{int(name_port)}"] = (address.strip("[]"), int(port))
    return out


def _choice(*choices: str) -> Callable[[str, str], str]:
    def parse(variable: str, raw: str) -> str:
        value = raw.lower()
        if value not in choices:
            raise ConfigError(variable, "one of " + ", ".join(choices), raw)
        return value

    return parse


def _positive_int(variable: str, raw: str) -> int:
    if not raw.isdigit() or not 0 < int(raw) <= 10_000:
        raise ConfigError(variable, "a whole number between 1 and 10000", raw)
    return int(raw)


def _seconds(variable: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(variable, "a number of seconds, e.g. 60 or 0.01", raw) from None
    if not 0 <= value <= 7 * 24 * 3600:
        raise ConfigError(variable, "a number of seconds between 0 and 604800", raw)
    return value


def _parse_timezone(variable: str, raw: str) -> str:
    expected = "an IANA time zone name such as Europe/Madrid or Europe/Lisbon"
    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(variable, expected, raw) from None
    return raw


def _parse_smtp_url(variable: str, raw: str) -> str:
    expected = "smtp://[user[:password]@]host[:port] (STARTTLS) or smtps://…:465 (TLS)"
    parts = urlsplit(raw)
    try:
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise ConfigError(variable, expected, "<hidden>") from None
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        # The URL may hold a password: never echo it.
        raise ConfigError(variable, expected, "<hidden>")
    return raw


_MAIL_ADDRESS = re.compile(r"^(?:[^<>@]*<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$")


def _parse_mail_from(variable: str, raw: str) -> str:
    if not _MAIL_ADDRESS.match(raw) or "\n" in raw or "\r" in raw:
        raise ConfigError(
            variable, "an address such as noreply@lapalma.example or Name <addr>", raw
        )
    return raw


_PARSERS: dict[str, tuple[str, Callable[[str, str], object]]] = {
    PREFIX + "DOMAIN": ("domain", _parse_authority),
    PREFIX + "SCHEME": ("scheme", _parse_scheme),
    PREFIX + "DATA_DIR": ("data_dir", _parse_path),
    PREFIX + "DATABASE_URL": ("database_url", _parse_database_url),
    PREFIX + "CITY_NAME": ("city_name", _parse_text),
    PREFIX + "DEFAULT_LANGUAGE": ("default_language", _parse_language),
    PREFIX + "SECRET_KEY": ("secret_key", _parse_secret),
    PREFIX + "ALLOW_PRIVATE_HOSTS": ("allow_private_hosts", _parse_hosts),
    PREFIX + "RESOLVE": ("resolve", _parse_resolve),
    PREFIX + "REGISTRATIONS": ("registrations", _choice("open", "approval", "closed")),
    PREFIX + "LOG_LEVEL": (
        "log_level",
        lambda v, raw: _choice("debug", "info", "warning", "error")(v, raw).upper(),
    ),
    PREFIX + "LOG_FORMAT": ("log_format", _choice("text", "json")),
    PREFIX + "WORKER_CONCURRENCY": ("worker_concurrency", _positive_int),
    PREFIX + "RETRY_BASE_SECONDS": ("retry_base_seconds", _seconds),
    PREFIX + "RETRY_CAP_SECONDS": ("retry_cap_seconds", _seconds),
    PREFIX + "JOB_LOCK_SECONDS": ("job_lock_seconds", _seconds),
    PREFIX + "SHUTDOWN_GRACE_SECONDS": ("shutdown_grace_seconds", _seconds),
    PREFIX + "TIMEZONE": ("timezone", _parse_timezone),
    PREFIX + "MAIL_BACKEND": ("mail_backend", _choice("console", "file", "smtp")),
    PREFIX + "SMTP_URL": ("smtp_url", _parse_smtp_url),
    PREFIX + "MAIL_FROM": ("mail_from", _parse_mail_from),
    PREFIX + "NETWORK_PEERS": ("network_peers", _parse_peers),
}

# RUTA_* variables that are not settings: the config file's name, the CLI's password input.
_NOT_SETTINGS = frozenset({PREFIX + "CONFIG", PREFIX + "PASSWORD"})

# Documented in README.md's configuration table; tests check the two agree.
VARIABLES: tuple[str, ...] = (PREFIX + "CONFIG", *_PARSERS)
