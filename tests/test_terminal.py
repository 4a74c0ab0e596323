"""The terminal decides the theme and the glyphs unless the user chose; the palette's theme is
remembered in the config file without disturbing the rest of it; /etc/hvo/config.toml is read
under the user's file; the app leaves cleanly when the terminal hangs up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from hvo_tui.config import ConfigError, load_settings, save_setting
from hvo_tui.terminal import adapt, decide, utf8_locale

UTF8 = {"LANG": "nl_NL.UTF-8"}


def choose(environ, theme="hvo-donker", theme_explicit=False, ascii=False, ascii_explicit=False):
    return decide(
        environ,
        theme=theme,
        theme_explicit=theme_explicit,
        ascii=ascii,
        ascii_explicit=ascii_explicit,
    )


@pytest.mark.parametrize("colorterm", ["truecolor", "24bit", "TrueColor "])
def test_a_truecolor_terminal_keeps_the_chosen_theme(colorterm):
    d = choose({"COLORTERM": colorterm, **UTF8})
    assert (d.theme, d.ascii, d.theme_why, d.ascii_why) == ("hvo-donker", False, "", "")


@pytest.mark.parametrize(
    "env",
    [{}, {"COLORTERM": ""}, {"COLORTERM": "yes"}, {"TERM": "xterm-256color"}, {"TERM": "linux"}],
)
def test_without_truecolor_the_16_colour_theme(env):
    d = choose({**env, **UTF8})
    assert d.theme == "hvo-16" and "truecolor" in d.theme_why


def test_an_explicit_theme_wins_over_the_terminal():
    assert (
        choose({"TERM": "linux", **UTF8}, theme="hvo-contrast", theme_explicit=True).theme
        == "hvo-contrast"
    )


def test_textual_color_system_overrides_colorterm():
    # textual-serve (hvo web) sets it for the browser, which shows 24-bit colour.
    assert choose({"TEXTUAL_COLOR_SYSTEM": "truecolor", **UTF8}).theme == "hvo-donker"
    assert (
        choose({"TEXTUAL_COLOR_SYSTEM": "standard", "COLORTERM": "truecolor", **UTF8}).theme
        == "hvo-16"
    )


@pytest.mark.parametrize(
    "env, utf8",
    [
        ({"LANG": "nl_NL.UTF-8"}, True),
        ({"LANG": "en_US.utf8"}, True),
        ({"LANG": "C.UTF-8"}, True),
        ({"LANG": "nl_NL.UTF-8@euro"}, True),
        ({}, False),  # nothing set: the C locale
        ({"LANG": "C"}, False),
        ({"LANG": "POSIX"}, False),
        ({"LANG": "nl_NL.ISO-8859-15"}, False),
        ({"LANG": "nl_NL.UTF-8", "LC_ALL": "C"}, False),  # LC_ALL goes first
        ({"LANG": "C", "LC_CTYPE": "nl_NL.UTF-8"}, True),  # then LC_CTYPE
        ({"LANG": "C", "LC_ALL": ""}, False),  # empty counts as unset
    ],
)
def test_ascii_when_the_locale_is_not_utf8(env, utf8):
    assert utf8_locale(env) is utf8
    d = choose({"COLORTERM": "truecolor", **env})
    assert d.ascii is (not utf8)
    assert ("geen UTF-8" in d.ascii_why) is (not utf8)


@pytest.mark.parametrize(
    "env, python_utf8_mode, ascii",
    [
        ({"LANG": "C", "LC_CTYPE": "C.UTF-8"}, True, True),  # Python coerced LANG=C (PEP 538)
        ({"LC_CTYPE": "C.UTF-8"}, True, True),  # nothing was set: coerced too
        ({"LANG": "C", "LC_CTYPE": "C.UTF-8"}, False, False),  # the user's own LC_CTYPE
        ({"LANG": "nl_NL.UTF-8", "LC_CTYPE": "C.UTF-8"}, True, False),  # coerced, yet LANG is UTF-8
        ({"LC_ALL": "C.UTF-8"}, True, False),  # LC_ALL is never coerced
    ],
)
def test_the_locale_python_coerced_does_not_count(env, python_utf8_mode, ascii):
    d = decide(
        env,
        theme="hvo-donker",
        theme_explicit=True,
        ascii=False,
        ascii_explicit=False,
        python_utf8_mode=python_utf8_mode,
    )
    assert d.ascii is ascii
    if ascii:
        assert "'C'" in d.ascii_why


def test_lang_c_over_ssh_means_ascii_in_a_real_interpreter():
    """`LANG=C hvo`: the interpreter rewrites LC_CTYPE before hvo starts; hvo still sees C."""
    probe = (
        "import os, sys; from hvo_tui.terminal import utf8_locale; "
        "print(os.environ.get('LC_CTYPE'), utf8_locale(os.environ, sys.flags.utf8_mode))"
    )
    for env, shown in (({"LANG": "C"}, "False"), ({"LANG": "C.UTF-8"}, "True")):
        out = subprocess.run(
            [sys.executable, "-c", probe],
            env={"PATH": os.environ["PATH"], **env},
            capture_output=True,
            text=True,
            check=True,
            cwd=os.getcwd(),
        ).stdout
        assert out.split()[-1] == shown, (env, out)


def test_an_explicit_ascii_setting_wins_both_ways():
    assert choose({"LANG": "C"}, ascii=False, ascii_explicit=True).ascii is False
    assert choose(UTF8, ascii=True, ascii_explicit=True).ascii is True


def test_adapt_records_why_and_respects_the_config_file(tmp_path):
    s = load_settings(environ={}, config_file=None, system_config_file=tmp_path / "geen.toml")
    adapt(s, {"TERM": "xterm", "LANG": "C"})
    assert s.theme == "hvo-16" and s.sources["theme"].startswith("automatisch")
    assert s.ascii is True and "'C'" in s.sources["ascii"]
    assert s.account is None  # the embedded demo database: no login name mapping

    cfg = tmp_path / "config.toml"
    cfg.write_text('theme = "hvo-licht"\nascii = false\n', encoding="utf-8")
    s = load_settings(environ={}, config_file=cfg, system_config_file=tmp_path / "geen.toml")
    adapt(s, {"TERM": "xterm", "LANG": "C"})
    assert (s.theme, s.ascii) == ("hvo-licht", False)


def test_on_a_shared_database_the_login_name_fills_in_the_account(tmp_path):
    s = load_settings(
        {"database": "sqlite:///gedeeld.db"},
        environ={},
        config_file=None,
        system_config_file=tmp_path / "geen.toml",
    )
    adapt(s, {"USER": "ans", **UTF8})
    assert s.account == "ans" and "aanmeldnaam" in s.sources["account"]
    s = load_settings(
        {"database": "sqlite:///gedeeld.db", "account": "mehmet"},
        environ={},
        config_file=None,
        system_config_file=tmp_path / "geen.toml",
    )
    adapt(s, {"USER": "ans", **UTF8})
    assert s.account == "mehmet"  # an explicit account wins


# --- the system-wide config file ------------------------------------------------------------------


def test_the_system_config_is_read_under_the_users_file(tmp_path):
    system = tmp_path / "etc-hvo.toml"
    system.write_text(
        'database = "postgresql+psycopg://hvo@db/hvo"\ntheme = "hvo-16"\nidle_lock_minutes = 5\n',
        encoding="utf-8",
    )
    user = tmp_path / "user.toml"
    user.write_text('theme = "hvo-contrast"\n', encoding="utf-8")
    s = load_settings(environ={}, config_file=user, system_config_file=system)
    assert s.database == "postgresql+psycopg://hvo@db/hvo" and s.sources["database"] == str(system)
    assert s.theme == "hvo-contrast" and s.sources["theme"] == str(user)
    assert s.idle_lock_minutes == 5
    # HVO_SYSTEM_CONFIG moves it; it is not a setting itself.
    s = load_settings(environ={"HVO_SYSTEM_CONFIG": str(system)}, config_file=user)
    assert s.database == "postgresql+psycopg://hvo@db/hvo"
    system.write_text("databse = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="etc-hvo.toml: onbekende instelling 'databse'"):
        load_settings(environ={}, config_file=user, system_config_file=system)


def test_hvo_info_names_the_system_file(tmp_path, monkeypatch, capsys):
    from hvo_tui.cli import main

    system = tmp_path / "etc-hvo.toml"
    system.write_text("idle_lock_minutes = 7\n", encoding="utf-8")
    monkeypatch.setenv("HVO_SYSTEM_CONFIG", str(system))
    monkeypatch.setenv("COLORTERM", "")
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_CTYPE", raising=False)
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert str(system) in out and "automatisch: de terminal meldt geen truecolor" in out


# --- remembering a setting ---------------------------------------------------------------------


def test_save_setting_keeps_every_other_line(tmp_path):
    cfg = tmp_path / "hvo" / "config.toml"
    save_setting(cfg, "theme", "hvo-licht")  # a new file, and its folder
    assert cfg.read_text(encoding="utf-8") == 'theme = "hvo-licht"\n'

    original = (
        "# de gedeelde database\n"
        'database = "postgresql+psycopg://hvo@db.local/hvo"  # via ~/.pgpass\n'
        'theme = "hvo-16"\n'
        "idle_lock_minutes = 10\n"
    )
    cfg.write_text(original, encoding="utf-8")
    save_setting(cfg, "theme", "hvo-contrast")
    assert cfg.read_text(encoding="utf-8") == original.replace('"hvo-16"', '"hvo-contrast"')
    save_setting(cfg, "ascii", True)
    assert cfg.read_text(encoding="utf-8").endswith("idle_lock_minutes = 10\nascii = true\n")
    s = load_settings(environ={}, config_file=cfg, system_config_file=tmp_path / "geen.toml")
    assert (s.theme, s.ascii, s.idle_lock_minutes) == ("hvo-contrast", True, 10)


def test_save_setting_refuses_a_broken_file_and_unknown_keys(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text("theme = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match="niet gewijzigd"):
        save_setting(cfg, "theme", "hvo-licht")
    assert cfg.read_text(encoding="utf-8") == "theme = \n"
    with pytest.raises(ConfigError, match="onbekende instelling"):
        save_setting(cfg, "thema", "hvo-licht")
    cfg.write_text('theme = """hvo-\n16"""\n', encoding="utf-8")  # a value over two lines
    with pytest.raises(ConfigError, match="met de hand"):
        save_setting(cfg, "theme", "hvo-licht")
    assert cfg.read_text(encoding="utf-8") == 'theme = """hvo-\n16"""\n'


async def test_the_palette_switches_the_theme_and_remembers_it(tmp_path):
    from textual.command import CommandPalette

    from hvo_tui.app import HvoApp
    from hvo_tui.domain.localtime import FrozenClock
    from store.db import open_database
    from store.sql import SqlStore
    from tests.conftest import FROZEN_NOW
    from tests.queue_data import seed_queue

    engine = open_database(f"sqlite:///{tmp_path / 'hvo.db'}", auto_upgrade=True)
    with engine.begin() as conn:
        seed_queue(conn)
    cfg = tmp_path / "config.toml"
    cfg.write_text("idle_lock_minutes = 10\n", encoding="utf-8")
    app = HvoApp(SqlStore(engine), clock=FrozenClock(FROZEN_NOW), config_file=cfg)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("ctrl+p")
            await pilot.pause(0.3)
            assert isinstance(app.screen, CommandPalette)
            await pilot.press(*"hoog contrast")
            await pilot.pause(0.5)
            await pilot.press("enter")
            await pilot.pause(0.3)
            assert app.theme == "hvo-contrast"
            titles = [c.title for c in app.get_system_commands(app.screen)]
            assert {
                "Thema: donker",
                "Thema: licht",
                "Thema: hoog contrast",
                "Thema: 16 kleuren",
            } <= set(titles)
            assert (
                "Theme" not in titles
            )  # Textual's own picker would offer themes that are not ours
    finally:
        engine.dispose()
    assert cfg.read_text(encoding="utf-8") == 'idle_lock_minutes = 10\ntheme = "hvo-contrast"\n'


# --- the terminal going away ---------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_sighup_ends_the_app_through_its_normal_exit(tmp_path):
    """hvo under a real pseudo-terminal, on a shared (SQLite file) database: the login screen is
    up; then the terminal hangs up. hvo leaves through its own exit (code 129), not killed by
    the signal and not spinning on a dead terminal."""
    import pty
    import select

    from store.db import open_database
    from tests.queue_data import seed_queue

    db = tmp_path / "hvo.db"
    engine = open_database(f"sqlite:///{db}", auto_upgrade=True)
    with engine.begin() as conn:
        seed_queue(conn)
    engine.dispose()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("HVO_") or k == "HVO_TEST_DATABASE_URL"
    }
    env.update(
        TERM="xterm-256color",
        COLORTERM="truecolor",
        LANG="C.UTF-8",
        COLUMNS="100",
        LINES="30",
        HOME=str(tmp_path),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
    )
    pid, fd = pty.fork()
    if pid == 0:  # the child: its own session, the pty as its terminal
        os.execve(
            sys.executable, [sys.executable, "-m", "hvo_tui", "--database", f"sqlite:///{db}"], env
        )
    seen = b""
    try:
        end = time.monotonic() + 30
        while b"Wachtwoord" not in seen and b"wachtwoord" not in seen:
            assert time.monotonic() < end, seen[-2000:]
            ready, _, _ = select.select([fd], [], [], 0.5)
            if ready:
                try:
                    seen += os.read(fd, 65536)
                except OSError:
                    break
        os.kill(pid, signal.SIGHUP)
        end = time.monotonic() + 15
        status = None
        while time.monotonic() < end:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            try:  # keep draining, as a terminal would until it is gone
                if select.select([fd], [], [], 0.2)[0]:
                    os.read(fd, 65536)
            except OSError:
                time.sleep(0.1)
        else:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise AssertionError("hvo did not exit after SIGHUP")
    finally:
        os.close(fd)
    assert os.WIFEXITED(status), (
        f"killed by signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else status
    )
    assert os.WEXITSTATUS(status) == 129


def test_lang_c_command_output_to_a_terminal_is_ascii_and_to_a_pipe_keeps_every_character(tmp_path):
    """`LANG=C hvo info` on a terminal: the dashes and dots of its table arrive as ASCII; the same
    command into a pipe (a file, a CSV export) keeps its characters."""
    import pty
    import select

    env = {
        "PATH": os.environ["PATH"],
        "LANG": "C",
        "HOME": str(tmp_path),
        "TERM": "xterm",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    command = [sys.executable, "-m", "hvo_tui", "info"]
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(sys.executable, command, env)
    seen = b""
    try:
        while True:
            ready, _, _ = select.select([fd], [], [], 10)
            if not ready:
                break
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(fd)
        os.waitpid(pid, 0)
    assert b"ascii" in seen and seen.isascii(), seen[-800:]
    piped = subprocess.run(
        command, env=env, capture_output=True, check=True, cwd=os.getcwd()
    ).stdout
    assert not piped.isascii()  # the table's own glyphs, unchanged
