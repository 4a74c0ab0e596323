"""The user's keys: [keymap] in config.toml rebinds a binding by its id, everywhere it shows."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from hvo_tui.cli import main
from hvo_tui.config import ConfigError, load_settings
from hvo_tui.keymap import bindings, check_keymap, effective_keys
from screens.help import HelpScreen
from tests.queue_data import seed_queue
from tests.test_queue_screen import loaded, make_app


def _config(tmp_path, text: str):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_keymap_table_is_read_and_checked(tmp_path):
    path = _config(tmp_path, '[keymap]\n"queue.filter" = "F"\n"form.save" = "f3, ctrl+y"\n')
    settings = load_settings(config_file=path, environ={}, system_config_file=tmp_path / "none")
    assert settings.keymap == {"queue.filter": "F", "form.save": "f3, ctrl+y"}
    assert settings.keymap_source == str(path)
    assert check_keymap(settings.keymap) == {"queue.filter": "f", "form.save": "f3,ctrl+y"}
    shown = {item.id: item for item in effective_keys(check_keymap(settings.keymap))}
    assert shown["queue.filter"].keys == "f" and shown["queue.filter"].changed
    assert shown["queue.command"].keys == "colon" and not shown["queue.command"].changed


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[keymap]\n"queue.filtr" = "f"\n', "bedoelde u 'queue.filter'?"),
        ('[keymap]\n"queue.filter" = "ctrl + f"\n', "geen geldige toets"),
        ('[keymap]\n"queue.filter" = ""\n', "geen geldige toets"),
        ('[keymap]\n"queue.filter" = 3\n', "verwacht tekst"),
        ('keymap = "f"\n', "is een tabel"),
    ],
)
def test_bad_keymap_is_refused_in_dutch(tmp_path, text, message):
    path = _config(tmp_path, text)
    with pytest.raises(ConfigError, match="keymap") as caught:
        settings = load_settings(config_file=path, environ={}, system_config_file=tmp_path / "x")
        check_keymap(settings.keymap)
    assert message in str(caught.value)


def test_every_binding_id_is_unique_per_meaning():
    found = bindings()
    assert "queue.filter" in found and "form.save" in found and "app.palette" in found
    assert all("." in binding_id for binding_id in found)


def test_hvo_info_lists_the_effective_keys(tmp_path, monkeypatch, capsys):
    path = _config(tmp_path, '[keymap]\n"queue.filter" = "f"\n')
    monkeypatch.setenv("HVO_CONFIG", str(path))
    monkeypatch.setenv("HVO_SYSTEM_CONFIG", str(tmp_path / "none.toml"))
    assert main(["info"]) == 0
    lines = capsys.readouterr().out.splitlines()
    filter_line = next(line for line in lines if line.startswith("queue.filter "))
    assert filter_line.split()[1] == "f" and filter_line.rstrip().endswith(str(path))
    command_line = next(line for line in lines if line.startswith("queue.command "))
    assert command_line.split()[1] == "colon" and command_line.rstrip().endswith("standaard")


def test_hvo_info_refuses_an_unknown_id(tmp_path, monkeypatch, capsys):
    path = _config(tmp_path, '[keymap]\n"queue.filtr" = "f"\n')
    monkeypatch.setenv("HVO_CONFIG", str(path))
    monkeypatch.setenv("HVO_SYSTEM_CONFIG", str(tmp_path / "none.toml"))
    assert main(["info"]) == 2
    assert "bedoelde u 'queue.filter'?" in capsys.readouterr().err


@pytest.fixture
def keyed_engine(engine):
    with engine.begin() as conn:
        seed_queue(conn)
    return engine


async def test_remapped_key_works_and_the_help_shows_it(keyed_engine):
    app = make_app(keyed_engine, keymap={"queue.filter": "f"})
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await loaded(pilot)
        box = screen.query_one("#filter-input", Input)
        await pilot.press("slash")  # the old key no longer filters
        await pilot.pause()
        assert not box.has_focus
        await pilot.press("f")
        await pilot.pause()
        assert box.has_focus
        await pilot.press("escape")
        await pilot.pause()
        screen.query_one("DataTable").focus()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rows = dict((d, k) for k, d in app.screen.bindings_shown)
        assert rows["Zoeken"] == "f"
