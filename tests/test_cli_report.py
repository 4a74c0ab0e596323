"""`hvo report` as a user types it: the numbers of tests/report_data.py as a table, CSV and JSON;
one Dutch line and exit code 2 for a bad name, date, region or municipality."""

from __future__ import annotations

import csv
import io
import json

import pytest

from hvo_tui.domain.statistics import REPORTS
from tests.report_data import seed_reports
from tests.test_cli import assert_one_line_error, hvo


@pytest.fixture(scope="module")
def db_url(tmp_path_factory) -> str:
    from store.db import open_database

    path = tmp_path_factory.mktemp("report") / "hvo.db"
    engine = open_database(f"sqlite:///{path}", auto_upgrade=True)
    with engine.begin() as conn:
        seed_reports(conn)
    engine.dispose()
    return f"sqlite:///{path}"


PERIOD = ("--from", "2026-01-01", "--to", "2026-06-30")


def test_list_names_every_report():
    r = hvo("report", "--list")
    assert r.returncode == 0, r.stderr
    for name in REPORTS:
        assert name in r.stdout


def test_table_with_dutch_numbers(db_url):
    r = hvo("report", "per-gemeente", *PERIOD, "--database", db_url)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("Screenings en huisverboden per gemeente")
    assert lines[1] == "01-01-2026 t/m 30-06-2026"
    assert "Hv. per 10.000" in r.stdout
    roermond = next(line for line in lines if line.startswith("Roermond"))
    assert roermond.split() == ["Roermond", "Midden-Limburg", "60.000", "3", "0,50", "3", "0,50"]
    total = next(line for line in lines if line.startswith("Totaal"))
    assert total.split() == ["Totaal", "230.000", "6", "0,26", "6", "0,26"]


def test_csv_has_a_header_of_keys_and_plain_numbers(db_url):
    r = hvo(
        "report",
        "aandelen",
        *PERIOD,
        "--regio",
        "Midden-Limburg",
        "--format",
        "csv",
        "--database",
        db_url,
    )
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [row["gemeente"] for row in rows] == ["Roermond", "Weert", "Totaal"]
    assert rows[0]["pct_huisverbod"] == "66.7" and rows[0]["ingetrokken"] == "1"
    assert rows[-1]["screenings"] == "5" and rows[-1]["pct_verlengd"] == "40.0"


def test_json_carries_the_filter_and_the_rows(db_url):
    r = hvo(
        "report",
        "tijdstip",
        *PERIOD,
        "--gemeente",
        "Roermond",
        "--format",
        "json",
        "--database",
        db_url,
    )
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["rapport"] == "tijdstip"
    assert data["filter"] == {
        "van": "2026-01-01",
        "tot_en_met": "2026-06-30",
        "regio": None,
        "gemeente": "Roermond",
    }
    hours = {row["uur"]: row["huisverboden"] for row in data["rijen"]}
    assert hours["00:00-00:59"] == 1 and hours["03:00-03:59"] == 1 and hours["21:00-21:59"] == 1
    assert hours["Totaal"] == 3


def test_cross_table_as_csv(db_url):
    r = hvo("report", "kruistabel", *PERIOD, "--format", "csv", "--database", db_url)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == "woongemeente,Leiden,Roermond,Weert,totaal"
    assert "onbekend,0,0,1,1" in r.stdout.splitlines()


def test_unknown_report_lists_the_names(db_url):
    r = hvo("report", "omzet", "--database", db_url)
    assert_one_line_error(r, "onbekend rapport 'omzet'; kies uit: per-maand, per-gemeente")
    assert r.stdout == ""
    assert_one_line_error(hvo("report", "--database", db_url), "geef een rapport; kies uit:")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "2026-02-30"), "ongeldige begindatum '2026-02-30': die dag bestaat niet"),
        (("--to", "morgen"), "ongeldige einddatum 'morgen': gebruik JJJJ-MM-DD"),
        (("--from", "2026-05-01", "--to", "2026-04-01"), "ligt vóór de begindatum"),
        (
            ("--regio", "Utrecht"),
            "onbekende regio 'Utrecht'; kies uit: Hollands Midden, Midden-Limburg",
        ),
        (
            ("--regio", "Hollands Midden", "--gemeente", "Weert"),
            "onbekende gemeente 'Weert' in regio Hollands Midden; kies uit: Leiden",
        ),
    ],
)
def test_bad_input_is_one_dutch_line_and_exit_2(db_url, args, message):
    r = hvo("report", "per-maand", *args, "--database", db_url)
    assert_one_line_error(r, message)
    assert r.stdout == ""
