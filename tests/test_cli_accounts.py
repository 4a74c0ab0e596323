"""`hvo accounts`: create, import (dry run and all-or-nothing), list, deactivate, reset.

On a real SQLite file via the real `hvo` entry point (`main`)."""

from __future__ import annotations

import csv
import io

import pendulum
import pytest

from hvo_tui.cli import main
from store.db import open_database
from store.sql import SqlStore


@pytest.fixture
def url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    open_database(url, auto_upgrade=True).dispose()
    return url


def hvo(capsys, url, *args) -> tuple[int, str, str]:
    code = main(["--database", url, *args])
    out, err = capsys.readouterr()
    return code, out, err


def bootstrap(capsys, url) -> str:
    code, out, _ = hvo(
        capsys,
        url,
        "accounts",
        "create",
        "peter",
        "--naam",
        "Peter de Graaf",
        "--rol",
        "beheerder",
        "--organisatie",
        "Veiligheidshuis Midden-Limburg",
    )
    assert code == 0
    return out.split("inlogcode: ")[1].split()[0]


def test_create_bootstraps_a_beheerder_who_logs_in_with_the_code(capsys, url):
    login_code = bootstrap(capsys, url)
    store = SqlStore(open_database(url, auto_upgrade=False))
    who = store.authenticate("peter", login_code, now=pendulum.now("UTC"))
    assert who.must_change_password and "beheerder" in who.roles
    store.close()
    # The old singular spelling still works; a taken username is one clear line and exit 2.
    code, _, err = hvo(
        capsys,
        url,
        "account",
        "create",
        "peter",
        "--naam",
        "X",
        "--rol",
        "beheerder",
        "--organisatie",
        "Y",
    )
    assert code == 2 and "gebruikersnaam bestaat al" in err and len(err.strip().splitlines()) == 1


GOOD_AND_BAD = """gebruikersnaam,naam,organisatie,rollen,regio,telefoon,email
kim,Kim de Boer,Veiligheidshuis Midden-Limburg,procesmanager,,06-12345678,kim@vhml.nl
x,,Veiligheidshuis Midden-Limburg,procesmanager,,,
lisa,Lisa Smit,Bestaat Niet BV,procesmanager,,,
joop,Joop Kok,Veiligheidshuis Midden-Limburg,tovenaar,,,geen-mail
"""


def test_import_dry_run_reports_every_bad_line_and_apply_is_all_or_nothing(capsys, url, tmp_path):
    bootstrap(capsys, url)
    path = tmp_path / "accounts.csv"
    path.write_text(GOOD_AND_BAD, encoding="utf-8")

    code, out, _ = hvo(capsys, url, "accounts", "import", str(path), "--dry-run")
    assert code == 1
    assert "regel 2 (kim): nieuw" in out
    for line in (3, 4, 5):
        assert f"regel {line} " in out
    assert "onbekende organisatie" in out and "niets opgeslagen" in out

    code, out, _ = hvo(capsys, url, "accounts", "import", str(path))
    assert code == 1 and "niets geïmporteerd" in out
    code, out, _ = hvo(capsys, url, "accounts", "list", "--format", "csv")
    names = [row["gebruikersnaam"] for row in csv.DictReader(io.StringIO(out))]
    assert names == ["peter"]  # nothing of the file was applied

    path.write_text("\n".join(GOOD_AND_BAD.splitlines()[:2]) + "\n", encoding="utf-8")
    code, out, _ = hvo(capsys, url, "accounts", "import", str(path))
    assert code == 0 and "1 account(s) aangemaakt" in out and "inlogcode: " in out
    code, out, _ = hvo(capsys, url, "accounts", "list", "--rol", "procesmanager", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["gebruikersnaam"], r["telefoon"], r["actief"]) for r in rows] == [
        ("kim", "+31612345678", "ja")
    ]  # stored normalised


def test_deactivate_reactivate_and_reset(capsys, url):
    bootstrap(capsys, url)
    code, _, _ = hvo(
        capsys,
        url,
        "accounts",
        "create",
        "kim",
        "--naam",
        "Kim de Boer",
        "--rol",
        "procesmanager",
        "--organisatie",
        "Veiligheidshuis Midden-Limburg",
    )
    assert code == 0
    code, out, _ = hvo(capsys, url, "accounts", "deactivate", "kim")
    assert code == 0 and "gedeactiveerd" in out
    code, out, _ = hvo(capsys, url, "accounts", "list", "--inactief")
    assert "kim" in out and "peter" not in out and "1 account(s)" in out

    code, _, err = hvo(capsys, url, "accounts", "deactivate", "niemand")
    assert code == 2 and "bestaat niet" in err

    assert hvo(capsys, url, "accounts", "reactivate", "kim")[0] == 0
    code, out, _ = hvo(capsys, url, "accounts", "reset", "kim")
    new_code = out.splitlines()[0].rsplit(": ", 1)[1].strip()
    assert "7 dagen" in out.splitlines()[1]
    store = SqlStore(open_database(url, auto_upgrade=False))
    kim = store.authenticate("kim", new_code, now=pendulum.now("UTC"))
    assert kim.must_change_password
    store.enable_totp(kim, kim.account_id)
    code, out, _ = hvo(capsys, url, "accounts", "list", "--format", "csv")
    assert (
        next(r for r in csv.DictReader(io.StringIO(out)) if r["gebruikersnaam"] == "kim")["2fa"]
        == "ja"
    )
    code, out, _ = hvo(capsys, url, "accounts", "reset", "kim", "--totp")
    assert code == 0 and "tweede factor is verwijderd" in out
    newer = out.splitlines()[0].rsplit(": ", 1)[1].strip()
    assert store.authenticate("kim", newer, now=pendulum.now("UTC")).must_change_password
    code, out, _ = hvo(capsys, url, "accounts", "list", "--format", "csv")
    assert (
        next(r for r in csv.DictReader(io.StringIO(out)) if r["gebruikersnaam"] == "kim")["2fa"]
        == "nee"
    )
    store.close()


def test_list_of_an_unknown_organisation_is_a_clear_error(capsys, url):
    bootstrap(capsys, url)
    code, _, err = hvo(capsys, url, "accounts", "list", "--organisatie", "Nergens")
    assert code == 2 and "organisatie 'Nergens' bestaat niet" in err
