"""Settings come from defaults, the TOML file, HVO_* variables and flags, in that order."""

from __future__ import annotations

import pytest

from hvo_tui.config import ConfigError, load_settings


def test_defaults_mean_the_embedded_database(tmp_path):
    s = load_settings(environ={}, config_file=None)
    assert s.embedded
    assert s.database_url.startswith("sqlite:///") and s.database_url.endswith("hvo/hvo.db")
    assert s.sources["database"] == "standaard"


def test_precedence_file_then_env_then_flags(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text('database = "sqlite:///uit-bestand.db"\ntheme = "hvo-licht"\n', encoding="utf-8")
    s = load_settings(environ={}, config_file=cfg)
    assert s.database == "sqlite:///uit-bestand.db" and s.sources["database"] == str(cfg)
    s = load_settings(environ={"HVO_DATABASE_URL": "sqlite:///uit-omgeving.db"}, config_file=cfg)
    assert s.database == "sqlite:///uit-omgeving.db"
    assert s.sources["database"] == "omgeving (HVO_DATABASE_URL)"
    assert s.theme == "hvo-licht"
    s = load_settings(
        {"database": "sqlite:///vlag.db"}, environ={"HVO_DATABASE_URL": "x"}, config_file=cfg
    )
    assert s.database == "sqlite:///vlag.db" and s.sources["database"] == "opdrachtregel"
    assert not s.embedded


def test_unknown_key_suggests_the_right_one(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text('databse = "sqlite:///x.db"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="onbekende instelling 'databse'; bedoelde u 'database'"):
        load_settings(environ={}, config_file=cfg)
    with pytest.raises(ConfigError, match="HVO_THEMA.*bedoelde u 'theme'"):
        load_settings(environ={"HVO_THEMA": "x"})


def test_bad_values_and_broken_toml(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text("idle_lock_minutes = -3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="niet negatief"):
        load_settings(environ={}, config_file=cfg)
    cfg.write_text("database = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match="geen geldige TOML"):
        load_settings(environ={}, config_file=cfg)
    with pytest.raises(ConfigError, match="ja/nee"):
        load_settings(environ={"HVO_ASCII": "misschien"})


def test_database_and_api_together_are_refused():
    with pytest.raises(ConfigError, match="niet allebei"):
        load_settings({"database": "sqlite:///a.db", "api": "http://x"}, environ={})


def test_config_file_from_the_user_config_dir_is_read(tmp_path, monkeypatch):
    # conftest points XDG_CONFIG_HOME at a temporary directory.
    import os
    from pathlib import Path

    path = Path(os.environ["XDG_CONFIG_HOME"]) / "hvo" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text('theme = "hvo-16"\n', encoding="utf-8")
    s = load_settings()
    assert s.theme == "hvo-16" and s.sources["theme"] == str(path)
