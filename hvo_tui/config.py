"""Settings: defaults < the TOML file < HVO_* environment variables < command-line flags.

Every effective value remembers where it came from, so `hvo info` can say it. Unknown keys in the
file are refused with a "bedoelde u ...?" suggestion rather than silently ignored.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

APP_NAME = "hvo"


class ConfigError(Exception):
    """A configuration problem, as one Dutch line for the user."""


def config_dir() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME, appauthor=False))


def data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def default_config_file() -> Path:
    return config_dir() / "config.toml"


def default_database_path() -> Path:
    return data_dir() / "hvo.db"


# Read before the user's file, for every user of a shared host (HVO_SYSTEM_CONFIG moves it).
SYSTEM_CONFIG_FILE = Path("/etc/hvo/config.toml")


# key -> (type, default, help). The default None for database means "the embedded SQLite file".
SETTINGS: dict[str, tuple[type, Any, str]] = {
    "database": (str, None, "database-URL (sqlite:///... of postgresql+psycopg://...)"),
    "api": (str, None, "URL van een hvo-API (hvo serve) in plaats van een database"),
    "account": (
        str,
        None,
        "account om als te werken (alleen op de demodatabase zonder wachtwoord)",
    ),
    "theme": (str, "hvo-donker", "thema"),
    "ascii": (bool, False, "alleen ASCII-tekens (geen Unicode-symbolen)"),
    "idle_lock_minutes": (int, 15, "minuten zonder invoer voordat het scherm vergrendelt"),
    "secret_key_file": (
        str,
        None,
        "sleutelbestand voor versleutelde gegevens zoals TOTP-geheimen (standaard: secret.key "
        "in de datamap; alleen voor de eigenaar leesbaar)",
    ),
}
ENV_PREFIX = "HVO_"


@dataclass
class Settings:
    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    config_file: Path = field(default_factory=default_config_file)
    # The [keymap] table: binding id -> keys (hvo_tui/keymap.py checks the ids), and its file.
    keymap: dict[str, str] = field(default_factory=dict)
    keymap_source: str = "standaard"

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["values"][name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def embedded(self) -> bool:
        """No database or API configured: the embedded SQLite file with demo data."""
        return self.values.get("database") is None and self.values.get("api") is None

    @property
    def database_url(self) -> str:
        url = self.values.get("database")
        return url if url else f"sqlite:///{default_database_path()}"


def _coerce(key: str, raw: Any, where: str) -> Any:
    kind = SETTINGS[key][0]
    if kind is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("1", "true", "ja", "yes", "on"):
            return True
        if text in ("0", "false", "nee", "no", "off", ""):
            return False
        raise ConfigError(f"{where}: '{key}' verwacht ja/nee (true/false), niet {raw!r}")
    if kind is int:
        if isinstance(raw, bool):
            raise ConfigError(f"{where}: '{key}' verwacht een geheel getal, niet {raw!r}")
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise ConfigError(f"{where}: '{key}' verwacht een geheel getal, niet {raw!r}") from None
        if value < 0:
            raise ConfigError(f"{where}: '{key}' mag niet negatief zijn")
        return value
    if not isinstance(raw, str):
        raise ConfigError(f"{where}: '{key}' verwacht tekst, niet {raw!r}")
    return raw


def _unknown(key: str, where: str) -> ConfigError:
    close = difflib.get_close_matches(key, SETTINGS, n=1)
    hint = f"; bedoelde u '{close[0]}'?" if close else f"; bekend zijn: {', '.join(SETTINGS)}"
    return ConfigError(f"{where}: onbekende instelling '{key}'{hint}")


def _read_file(settings: Settings, path: Path) -> None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: geen geldige TOML ({exc})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: niet te lezen ({exc.strerror or exc})") from None
    for key, raw in data.items():
        if key == "keymap":
            if not isinstance(raw, dict):
                raise ConfigError(f"{path}: 'keymap' is een tabel: [keymap] met id = \"toets\"")
            for binding_id, keys in raw.items():
                if not isinstance(keys, str):
                    raise ConfigError(
                        f"{path}: [keymap] '{binding_id}' verwacht tekst, bv. \"ctrl+f\""
                    )
            settings.keymap.update(raw)  # the user's file goes over the system's, per id
            settings.keymap_source = str(path)
            continue
        if key not in SETTINGS:
            raise _unknown(key, str(path))
        settings.values[key] = _coerce(key, raw, str(path))
        settings.sources[key] = str(path)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a TOML basic string


def save_setting(path: Path, key: str, value: Any) -> None:
    """Set one top-level ``key`` in the TOML file at ``path`` (created if missing), leaving every
    other line -- keys, tables, comments -- as it was. Refuses (ConfigError) to touch a file that
    is not valid TOML, and writes through a temporary file so a crash never leaves half a file."""
    if key not in SETTINGS:
        raise _unknown(key, "save_setting")
    _coerce(key, value, "save_setting")
    text = ""
    if path.exists():
        text = path.read_text(encoding="utf-8")
        try:
            before = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: geen geldige TOML, niet gewijzigd ({exc})") from None
    else:
        before = {}
    line = f"{key} = {_toml_value(value)}"
    lines = text.splitlines()
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for i, old in enumerate(lines):
        if old.lstrip().startswith("["):  # a table: top-level keys come before it
            lines.insert(i, line)
            break
        if pattern.match(old):
            lines[i] = line
            break
    else:
        lines.append(line)
    new_text = "\n".join(lines) + "\n"
    try:
        after = tomllib.loads(new_text)
    except tomllib.TOMLDecodeError:
        after = None
    if after != dict(
        before, **{key: value}
    ):  # e.g. a multi-line value we did not recognise: leave the file alone
        raise ConfigError(
            f"{path}: kon '{key}' niet veilig wijzigen; pas het bestand met de hand aan"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(new_text, encoding="utf-8")
    if path.exists():
        os.chmod(tmp, path.stat().st_mode & 0o777)
    os.replace(tmp, path)


def load_settings(
    flags: dict[str, Any] | None = None,
    *,
    config_file: Path | None = None,
    environ: dict[str, str] | None = None,
    system_config_file: Path | None = None,
) -> Settings:
    """``system_config_file`` (default /etc/hvo/config.toml, or HVO_SYSTEM_CONFIG) is read
    first, when it exists; the user's file (or --config / HVO_CONFIG) goes over it."""
    environ = dict(os.environ if environ is None else environ)
    path = config_file or (
        Path(environ["HVO_CONFIG"]) if environ.get("HVO_CONFIG") else default_config_file()
    )
    settings = Settings(config_file=path)
    for key, (_kind, default, _help) in SETTINGS.items():
        settings.values[key] = default
        settings.sources[key] = "standaard"

    if system_config_file is None:
        system_config_file = Path(environ.get("HVO_SYSTEM_CONFIG") or SYSTEM_CONFIG_FILE)
    if system_config_file.exists() and system_config_file != path:
        _read_file(settings, system_config_file)
    if path.exists():
        _read_file(settings, path)
    elif config_file is not None or environ.get("HVO_CONFIG"):
        raise ConfigError(f"configuratiebestand {path} bestaat niet")

    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX) or name in (
            "HVO_CONFIG",
            "HVO_SYSTEM_CONFIG",
            "HVO_TEST_DATABASE_URL",
        ):
            continue
        key = name[len(ENV_PREFIX) :].lower()
        if key == "database_url":
            key = "database"
        if key == "api_url":
            key = "api"
        if key not in SETTINGS:
            raise _unknown(key, f"omgevingsvariabele {name}")
        settings.values[key] = _coerce(key, raw, f"omgevingsvariabele {name}")
        settings.sources[key] = f"omgeving ({name})"

    for key, raw in (flags or {}).items():
        if raw is None:
            continue
        settings.values[key] = _coerce(key, raw, "opdrachtregel")
        settings.sources[key] = "opdrachtregel"
    if settings.values["database"] and settings.values["api"]:
        raise ConfigError("kies een database of een API, niet allebei")
    return settings
