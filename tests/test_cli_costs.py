"""`hvo costs` as a user types it: output in each format, and bad input as one line with the line
number, exit code 2 and nothing on stdout."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest

from hvo_tui.cli import main

from .billing_data import seed_billing

ZAKEN = "gemeente,inwoners,zaken,gewicht\nA,50000,10,1\nB,20000,10,0.5\nC,30000,5,\n"


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def zaken_csv(tmp_path):
    path = tmp_path / "gemeenten.csv"
    path.write_text(ZAKEN, encoding="utf-8")
    return str(path)


def test_allocate_csv_is_exact(capsys, zaken_csv):
    code, out, err = run(
        capsys,
        "costs",
        "allocate",
        "--total",
        "1001",
        "--model",
        "zaken",
        "--base",
        "100",
        "--input",
        zaken_csv,
        "--format",
        "csv",
    )
    assert (code, err) == (0, "")
    assert out == (
        "gemeente,inwoners,zaken,gewicht,basis,aandeel,bedrag\n"
        "A,50000,10,1,100,351,451\n"
        "B,20000,10,0.5,100,175,275\n"
        "C,30000,5,1,100,175,275\n"
        "Totaal,100000,25,,300,701,1001\n"
    )


def test_allocate_table_and_json(capsys, zaken_csv):
    code, out, _ = run(
        capsys, "costs", "allocate", "--total", "100", "--model", "inwoners", "--input", zaken_csv
    )
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == [
        "gemeente",
        "inwoners",
        "zaken",
        "gewicht",
        "basis",
        "aandeel",
        "bedrag",
    ]
    assert lines[2].split() == ["A", "50.000", "10", "1", "€", "0", "€", "50", "€", "50"]
    assert lines[5].split() == ["Totaal", "100.000", "25", "€", "0", "€", "100", "€", "100"]
    assert "Model inwoners" in out and "grootste resten" in out

    code, out, _ = run(
        capsys,
        "costs",
        "allocate",
        "--model",
        "tarief",
        "--fixed",
        "0.10",
        "--variable",
        "0.05",
        "--input",
        zaken_csv,
        "--format",
        "json",
    )
    doc = json.loads(out)
    assert code == 0 and doc["model"] == "tarief"
    assert [(r["gemeente"], r["basis"], r["aandeel"], r["bedrag"]) for r in doc["rijen"]] == [
        ("A", 5000, 2500, 7500),
        ("B", 2000, 1000, 3000),
        ("C", 3000, 1500, 4500),
    ]
    assert doc["totaal"] == 15000 and doc["rijen"][1]["gewicht"] == 0.5


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "regel 1: het bestand is leeg"),
        ("gemeente,zaken\nA,1\n", "regel 1: kolom 'inwoners' ontbreekt"),
        (
            "gemeente,inwoners,zaken\nA,100,1\nB,veel,2\n",
            "regel 3: inwoners 'veel' is geen geheel getal",
        ),
        (
            "gemeente,inwoners,zaken\nA,100,1\nB,200,-2\n",
            "regel 3: zaken mag niet negatief zijn (-2)",
        ),
        (
            "gemeente,inwoners,zaken\nA,100,1\n\nB,200,2\na,300,3\n",
            "regel 5: gemeente 'a' staat dubbel (ook op regel 2)",
        ),
        (
            "gemeente,inwoners,zaken\nA,100,1\nB,200,2\nC,300,3\n",
            "het basisbedrag is te hoog: --base € 40.000 x 3 gemeenten (regels 2-4)",
        ),
    ],
)
def test_bad_input_one_line_exit_2_nothing_written(capsys, tmp_path, text, message):
    path = tmp_path / "in.csv"
    path.write_text(text, encoding="utf-8")
    code, out, err = run(
        capsys,
        "costs",
        "allocate",
        "--total",
        "100000",
        "--model",
        "zaken",
        "--base",
        "40000",
        "--input",
        str(path),
        "--format",
        "csv",
    )
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert message in err
    assert err.startswith("hvo: ")


def test_bad_arguments(capsys, zaken_csv, tmp_path):
    code, out, err = run(
        capsys,
        "costs",
        "allocate",
        "--total",
        "100,50",
        "--model",
        "inwoners",
        "--input",
        zaken_csv,
    )
    assert (code, out) == (2, "") and "komma" in err
    code, out, err = run(
        capsys,
        "costs",
        "allocate",
        "--total",
        "100",
        "--model",
        "inwoners",
        "--input",
        str(tmp_path / "weg.csv"),
    )
    assert (code, out) == (2, "") and "weg.csv niet lezen" in err
    with pytest.raises(SystemExit) as info:  # argparse: a required option missing
        main(["costs", "allocate", "--total", "1", "--input", zaken_csv])
    assert info.value.code == 2
    assert capsys.readouterr().out == ""


def test_excel_csv_in_windows_1252(capsys, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(
        "gemeente,inwoners\r\nSúdwest-Fryslân,90000\r\nBergen (L.),10000\r\n".encode("cp1252")
    )
    code, out, _ = run(
        capsys,
        "costs",
        "allocate",
        "--total",
        "1000",
        "--model",
        "inwoners",
        "--input",
        str(path),
        "--format",
        "csv",
    )
    assert code == 0
    assert list(csv.reader(io.StringIO(out)))[1] == [
        "Súdwest-Fryslân",
        "90000",
        "",
        "1",
        "0",
        "900",
        "900",
    ]


@pytest.fixture
def billing_db(tmp_path):
    from store.db import open_database

    url = f"sqlite:///{tmp_path / 'hvo.db'}"
    engine = open_database(url, auto_upgrade=True)
    seed_billing(engine)
    engine.dispose()
    return url


def test_invoice_table(capsys, billing_db):
    code, out, err = run(
        capsys,
        "costs",
        "invoice",
        "--period",
        "2026-Q3",
        "--region",
        "Testregio",
        "--database",
        billing_db,
    )
    assert (code, err) == (0, "")
    assert out.startswith("Rekening Testregio · 2026-Q3 (01-07-2026 t/m 30-09-2026)")
    assert "Totaal Aa: € 288,50" in out
    assert "Totaal Bee: € 30,83" in out
    assert "Totaal Cee: € 65,67" in out
    assert "Totaal regio Testregio: € 385,00 (eigen kosten € 200,00 + gedeeld € 185,00)" in out
    assert "zaken: HV-2026-00001 (2x)" in out  # the herstel steps, checkable per case
    assert "a.new (aangemaakt 15-08-2026)" in out
    assert "Niet doorbelast: Veilig Thuis" in out


def test_invoice_csv_and_json_add_up(capsys, billing_db):
    code, out, _ = run(
        capsys,
        "costs",
        "invoice",
        "--period",
        "2026-q3",
        "--region",
        "testregio",
        "--database",
        billing_db,
        "--format",
        "csv",
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0
    totals = {r["gemeente"]: r["bedrag"] for r in rows if r["post"] == "Totaal"}
    assert totals == {"Aa": "288.50", "Bee": "30.83", "Cee": "65.67"}
    assert rows[-1]["gemeente"] == "Totaal" and rows[-1]["bedrag"] == "385.00"

    code, out, _ = run(
        capsys,
        "costs",
        "invoice",
        "--period",
        "2026-Q3",
        "--region",
        "Testregio",
        "--database",
        billing_db,
        "--format",
        "json",
    )
    doc = json.loads(out)
    assert doc["totaal"] == "385.00" and doc["gedeelde_kosten"]["totaal"] == "185.00"
    aa = doc["gemeenten"][0]
    herstel = next(p for p in aa["posten"] if p["post"] == "Herstelbeschikking")
    assert herstel == {
        "post": "Herstelbeschikking",
        "aantal": 2,
        "tarief": "4.00",
        "bedrag": "8.00",
        "toelichting": herstel["toelichting"],
        "zaken": ["HV-2026-00001", "HV-2026-00001"],
    }


def test_invoice_with_own_tariff(capsys, billing_db, tmp_path):
    from importlib.resources import files

    text = (files("hvo_tui") / "tarieven.toml").read_text(encoding="utf-8")
    path = tmp_path / "regio.toml"
    path.write_text(
        text.replace("aansluiting_per_account = 75.00", "aansluiting_per_account = 0").replace(
            '"veiligheidshuis"]', '"veiligheidshuis", "veilig_thuis"]'
        ),
        encoding="utf-8",
    )
    code, out, _ = run(
        capsys,
        "costs",
        "invoice",
        "--period",
        "2026-Q3",
        "--region",
        "Testregio",
        "--database",
        billing_db,
        "--tariff",
        str(path),
    )
    assert code == 0
    # Two connections less (150.00), Veilig Thuis (82.50) now shared: 385.00 - 150.00 + 82.50.
    assert "Totaal regio Testregio: € 317,50" in out
    assert "Niet doorbelast" not in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--period", "2026-Q5", "--region", "Testregio"), "onbekende periode '2026-Q5'"),
        (("--period", "2026-Q3", "--region", "Nergens"), "onbekende regio 'Nergens'"),
    ],
)
def test_invoice_bad_input(capsys, billing_db, args, message):
    code, out, err = run(capsys, "costs", "invoice", *args, "--database", billing_db)
    assert (code, out) == (2, "")
    assert len(err.strip().splitlines()) == 1 and message in err


def test_invoice_bad_tariff_names_the_file(capsys, billing_db, tmp_path):
    path = tmp_path / "fout.toml"
    path.write_text("naam = 'x'\n[abonnement]\naansluiting_per_account = -1\n", encoding="utf-8")
    code, out, err = run(
        capsys,
        "costs",
        "invoice",
        "--period",
        "2026-Q3",
        "--region",
        "Testregio",
        "--database",
        billing_db,
        "--tariff",
        str(path),
    )
    assert (code, out) == (2, "")
    assert str(path) in err and "ontbreekt" in err


# --- invoice --out: one statement per municipality, to send ---------------------------------------

STATEMENT_FILES = sorted(
    f"rekening-2026-Q3-{m}.{ext}" for m in ("aa", "bee", "cee") for ext in ("txt", "csv")
)


def test_invoice_out_writes_a_statement_per_municipality(capsys, billing_db, tmp_path):
    _, whole_csv, _ = run(
        capsys,
        "costs",
        "invoice",
        "--period",
        "2026-Q3",
        "--region",
        "Testregio",
        "--database",
        billing_db,
        "--format",
        "csv",
    )
    _, whole_json, _ = run(
        capsys,
        "costs",
        "invoice",
        "--period",
        "2026-Q3",
        "--region",
        "Testregio",
        "--database",
        billing_db,
        "--format",
        "json",
    )
    totals = {g["gemeente"]: g["totaal"] for g in json.loads(whole_json)["gemeenten"]}
    out_dir = tmp_path / "rekeningen" / "2026-Q3"  # made, parents and all
    code, out, err = run(
        capsys,
        "costs",
        "invoice",
        "--period",
        "2026-Q3",
        "--region",
        "Testregio",
        "--database",
        billing_db,
        "--out",
        str(out_dir),
    )
    assert (code, err) == (0, "")
    assert sorted(p.name for p in out_dir.iterdir()) == STATEMENT_FILES
    assert f"6 bestanden geschreven in {out_dir}" in out
    assert "rekening-2026-Q3-aa.txt  € 288,50" in out and "rekening-2026-Q3-cee.csv" in out

    whole_rows = list(csv.reader(io.StringIO(whole_csv)))
    for name, slug in (("Aa", "aa"), ("Bee", "bee"), ("Cee", "cee")):
        text = (out_dir / f"rekening-2026-Q3-{slug}.txt").read_text(encoding="utf-8")
        euro = "€ " + totals[name].replace(".", ",")
        assert f"Gemeente:   {name} (" in text and "Regio:      Testregio" in text
        assert "Periode:    2026-Q3 (01-07-2026 t/m 30-09-2026)" in text
        assert "Opgemaakt:  " in text
        assert [
            " ".join(line.split())
            for line in text.splitlines()
            if line.startswith("Totaal te betalen")
        ] == [f"Totaal te betalen {euro}"]
        assert "Tarieven: Standaardtarieven hvo 2026, de meegeleverde tarieven" in text
        # The CSV: the same columns and rows as the whole invoice's CSV has for this municipality,
        # with a byte order mark for Excel; its lines add up to its total.
        raw = (out_dir / f"rekening-2026-Q3-{slug}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        assert rows[0] == whole_rows[0]
        assert rows[1:] == [r for r in whole_rows if r[2] == name]
        assert rows[-1][3:7] == ["Totaal", "", "", totals[name]]
        assert sum(Decimal(r[6]) for r in rows[1:-1]) == Decimal(totals[name])

    aa = (out_dir / "rekening-2026-Q3-aa.txt").read_text(encoding="utf-8")
    assert "Eigen kosten (accounts en handelingen)  € 196,00" in aa
    assert "Aandeel gedeelde partneraccounts         € 92,50" in aa
    assert "zaken: HV-2026-00001 (2x)" in aa  # the herstel steps, per case
    assert "Gedeelde partneraccounts in de regio, samen € 185,00" in aa
    assert "Veilig Thuis" not in aa  # the region's own business, not the municipality's


def test_invoice_out_never_overwrites_silently(capsys, billing_db, tmp_path):
    args = (
        "costs",
        "invoice",
        "--period",
        "2026-Q3",
        "--region",
        "Testregio",
        "--database",
        billing_db,
        "--out",
        str(tmp_path / "out"),
    )
    assert run(capsys, *args)[0] == 0
    mine = tmp_path / "out" / "rekening-2026-Q3-bee.txt"
    mine.write_text("al verstuurd, met een eigen aantekening", encoding="utf-8")
    code, out, err = run(capsys, *args)
    assert (code, out) == (2, "")
    assert len(err.strip().splitlines()) == 1
    assert "bestaan al 6 van de 6 bestanden" in err and "--overwrite" in err
    assert mine.read_text(encoding="utf-8") == "al verstuurd, met een eigen aantekening"

    code, out, _ = run(capsys, *args, "--overwrite")
    assert code == 0 and "6 bestanden geschreven" in out
    assert "Totaal te betalen" in mine.read_text(encoding="utf-8")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == STATEMENT_FILES


@pytest.mark.parametrize(
    ("where", "extra", "message"),
    [
        ("file", (), "is een bestand, geen map"),
        ("file/sub", (), "kan de map"),
        ("new", ("--format", "csv"), "--format en --out gaan niet samen"),
    ],
)
def test_invoice_out_bad_directory(capsys, billing_db, tmp_path, where, extra, message):
    work = tmp_path / "work"
    work.mkdir()
    (work / "file").write_text("geen map", encoding="utf-8")
    code, out, err = run(
        capsys,
        "costs",
        "invoice",
        "--period",
        "2026-Q3",
        "--region",
        "Testregio",
        "--database",
        billing_db,
        "--out",
        str(work / where),
        *extra,
    )
    assert (code, out) == (2, "")
    assert len(err.strip().splitlines()) == 1 and message in err
    assert [p.name for p in work.iterdir()] == ["file"]  # nothing written
    assert (work / "file").read_text(encoding="utf-8") == "geen map"
