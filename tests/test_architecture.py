"""The layers never reach up: the import-linter contracts in pyproject.toml must hold."""

from __future__ import annotations

from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_hold(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert (
        lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True) == 0
    )


def test_domain_source_mentions_no_ui_or_sql():
    # A second, cruder guard that also catches lazy imports inside functions.
    for path in (ROOT / "hvo_tui" / "domain").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        for banned in (
            "import textual",
            "from textual",
            "sqlalchemy",
            "sqlmodel",
            "import store",
            "from store",
        ):
            assert banned not in source, f"{path.name} uses {banned}"
