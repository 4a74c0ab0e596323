"""The `hvo` command as a user types it: exit codes and one-line Dutch messages."""

from __future__ import annotations

import os
import subprocess
import sys


def hvo(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "hvo_tui", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
    )


def assert_one_line_error(result: subprocess.CompletedProcess, pattern: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert pattern in lines[0]


def test_unreachable_database_masks_password_and_exits_2():
    r = hvo("--database", "postgresql+psycopg://hvo:geheim@127.0.0.1:1/hvo")
    assert_one_line_error(
        r, "kan database postgresql+psycopg://hvo:***@127.0.0.1:1/hvo niet openen"
    )
    assert "geheim" not in r.stderr


def test_malformed_url_exits_2():
    assert_one_line_error(hvo("--database", "geen url"), "ongeldige database-URL")


def test_corrupt_file_exits_2_and_stays_untouched(tmp_path):
    path = tmp_path / "hvo.db"
    path.write_bytes(b"\x00garbage" * 50)
    before = path.read_bytes()
    assert_one_line_error(
        hvo("--database", f"sqlite:///{path}"), "geen (of een beschadigde) SQLite"
    )
    assert path.read_bytes() == before


def test_db_upgrade_then_current_then_newer_schema_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'gedeeld.db'}"
    # A shared (configured) database is never migrated behind the user's back.
    assert_one_line_error(hvo("--database", url), "voer 'hvo db upgrade' uit")
    r = hvo("db", "upgrade", "--database", url)
    assert r.returncode == 0 and "schema bijgewerkt tot" in r.stdout
    r = hvo("db", "current", "--database", url)
    assert r.returncode == 0
    from store.db import head_revision

    assert f"huidig: {head_revision()}" in r.stdout
    import sqlite3

    with sqlite3.connect(tmp_path / "gedeeld.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num='9999_future'")
    assert_one_line_error(hvo("--database", url), "nieuwer dan deze versie van hvo")


def test_info_shows_sources_and_masks_passwords(tmp_path):
    r = hvo("info", env={"HVO_DATABASE_URL": "postgresql+psycopg://u:geheim@db.example/hvo"})
    assert r.returncode == 0
    assert "omgeving (HVO_DATABASE_URL)" in r.stdout
    assert "u:***@db.example" in r.stdout and "geheim" not in r.stdout
    assert "configuratiebestand" in r.stdout


def test_config_error_is_one_line(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('thema = "x"\n', encoding="utf-8")
    assert_one_line_error(hvo("--config", str(cfg), "info"), "bedoelde u 'theme'")
