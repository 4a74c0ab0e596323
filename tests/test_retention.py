"""`hvo archive purge` (issue 9): the dry run lists exactly the cases past retention; the purge
removes their personal data and documents' contents everywhere, keeps the anonymous record for the
statistics, logs what it did in a chain that still verifies, and a second run finds nothing."""

from __future__ import annotations

import json

import pendulum
import pytest
from sqlalchemy import func, insert, inspect, select, text, update
from sqlalchemy.exc import DBAPIError

from hvo_tui.cli import main
from store.case_writes import E, append_event
from store.models import (
    AccountRegion,
    Case,
    CasePerson,
    Document,
    Event,
    Meeting,
    Note,
    Outbox,
    Region,
    metadata,
)
from tests.factories import account_id, add_document, seed_case
from tests.test_audit import cli_url, is_postgres

TZ = "Europe/Amsterdam"
C = Case.__table__.c
CLI_ACTOR = "hvo archive purge (opdrachtregel)"

# What the purged cases hold about people: none of it may survive anywhere in the database.
PURGED_SECRETS = (
    "Jansen",
    "111222333",
    "Kerkstraat",
    "6041 AB",
    "slaat de deur",
    "Pietersen",
    "222333444",
    "Vossenlaan",
    "brigadier Smit",
    "Marie",
    "06-98765432",
    "verhuisd naar",
    "ongegrond wegens",
)
# What the cases that stay hold: all of it must survive.
KEPT_SECRETS = ("Klaassen", "333444555", "Zeeuws", "Oud Open")


def _case(
    conn,
    number: str,
    status: str,
    decided,
    *,
    municipality="Roermond",
    region="Midden-Limburg",
    street: str,
    **values,
) -> int:
    t0 = decided.subtract(hours=1)
    return seed_case(
        conn,
        number=number,
        status=status,
        t0=t0,
        opened_at=t0.subtract(hours=2),
        decided_at=decided,
        municipality=municipality,
        region=region,
        street=street,
        **values,
    )


def _person(
    conn,
    case_id: int,
    first: str,
    last: str,
    bsn: str,
    street: str,
    postcode: str,
    phone: str | None = None,
) -> None:
    conn.execute(
        insert(CasePerson.__table__).values(
            case_id=case_id,
            role="uithuisgeplaatste",
            first_name=first,
            last_name=last,
            bsn=bsn,
            birth_date=pendulum.date(1980, 5, 17),
            street=street,
            house_number="12",
            postcode=postcode,
            city="Roermond",
            phone=phone,
        )
    )


def build(engine, now) -> dict[str, int]:
    """Six cases around the retention term (5 years after the last decision, 7 in Zeeland)."""
    ids: dict[str, int] = {}
    with engine.begin() as conn:
        ans = account_id(conn, "ans", "Ans Verhoeven", role="procesmanager")
        beheer = account_id(
            conn, "beheer", "Bea Beheer", role="beheerder", organisation="Veiligheidshuis"
        )
        # 1. archived, decided 9 years ago: past its term
        d1 = now.subtract(years=9)
        c1 = ids["HV-2017-00001"] = _case(
            conn,
            "HV-2017-00001",
            "archived",
            d1,
            street="Kerkstraat",
            postcode="6041 AB",
            closed_at=d1.add(days=20),
            archived_at=d1.add(days=30),
            close_reason="Jansen verhuisd",
        )
        _person(conn, c1, "Jan", "Jansen", "111222333", "Kerkstraat", "6041 AB", "06-98765432")
        _person(conn, c1, "Marie", "Jansen", None, "Kerkstraat", "6041 AB")
        add_document(
            conn,
            c1,
            "rihg",
            "received",
            received_at=d1.subtract(minutes=30),
            author_name="brigadier Smit",
            fields={"naam": "Jan Jansen", "bsn": "111222333"},
        )
        add_document(
            conn,
            c1,
            "beschikking",
            "signed",
            received_at=d1,
            fields={"adres": "Kerkstraat 12, 6041 AB Roermond"},
        )
        conn.execute(
            insert(Meeting.__table__).values(
                case_id=c1,
                kind="overleg_dag3",
                held_at=d1.add(days=3),
                participants="Jan Jansen, Marie Jansen",
                outcome="Jan slaat de deur dicht",
            )
        )
        conn.execute(
            insert(Note.__table__).values(
                case_id=c1,
                kind="note",
                at=d1.add(days=1),
                text="Marie belt: Jan slaat de deur dicht",
            )
        )
        conn.execute(
            insert(Outbox.__table__).values(
                case_id=c1,
                recipient="vt@example.nl",
                subject="Herinnering: RIHG voor HV-2017-00001",
                body="Beste collega, over Jan Jansen aan de Kerkstraat...",
                created_at=d1,
            )
        )
        append_event(
            conn,
            case_id=c1,
            account_id=ans,
            actor_name="Ans Verhoeven",
            action="document_received",
            at=d1.subtract(minutes=30),
            details={
                "document_id": 1,
                "soort": "rihg",
                "voor": {"status": None},
                "na": {"status": "received", "auteur": "brigadier Smit"},
            },
        )
        append_event(
            conn,
            case_id=c1,
            account_id=ans,
            actor_name="Ans Verhoeven",
            action="close",
            at=d1.add(days=20),
            details={
                "voor": {"status": "expired"},
                "na": {"status": "closed"},
                "reden": "Jansen verhuisd naar Vossenlaan 3",
            },
        )
        append_event(
            conn,
            case_id=c1,
            account_id=None,
            actor_name="Bea Beheer",
            action="archive",
            at=d1.add(days=30),
            details={"voor": {"status": "closed"}, "na": {"status": "archived"}},
        )
        # 2. closed (not archived), decided 5 years and a month ago, with an appeal ruling
        d2 = now.subtract(years=5, months=1)
        c2 = ids["HV-2021-00002"] = _case(
            conn,
            "HV-2021-00002",
            "closed",
            d2,
            street="Vossenlaan",
            postcode="6041 CD",
            closed_at=d2.add(days=15),
            appeal_requested_at=d2.add(days=2),
            appeal_decided_at=d2.add(days=5),
            appeal_outcome="ongegrond wegens Pietersen",
            close_reason="Pietersen akkoord",
        )
        _person(conn, c2, "Piet", "Pietersen", "222333444", "Vossenlaan", "6041 CD")
        add_document(
            conn,
            c2,
            "proces_verbaal",
            "received",
            received_at=d2,
            author_name="brigadier Smit",
            fields={"verdachte": "Piet Pietersen"},
        )
        # 3. closed, decided 3 years ago: within its term
        d3 = now.subtract(years=3)
        c3 = ids["HV-2023-00003"] = _case(
            conn, "HV-2023-00003", "closed", d3, street="Molenweg", closed_at=d3.add(days=12)
        )
        _person(conn, c3, "Klaas", "Klaassen", "333444555", "Molenweg", "6042 AA")
        # 4. Zeeland keeps 7 years: decided 6 years ago, within its term
        conn.execute(
            insert(Region.__table__).values(name="Zeeland", rules_toml="retention_years = 7\n")
        )
        d4 = now.subtract(years=6)
        c4 = ids["HV-2020-00004"] = _case(
            conn,
            "HV-2020-00004",
            "archived",
            d4,
            municipality="Middelburg",
            region="Zeeland",
            street="Zeeuws Plein",
            closed_at=d4.add(days=12),
            archived_at=d4.add(days=40),
        )
        # 5. expired 8 years ago but never closed: reported, not destroyed
        d5 = now.subtract(years=8)
        ids["HV-2018-00005"] = _case(conn, "HV-2018-00005", "expired", d5, street="Oud Open")
        # 6. destroyed long ago
        d6 = now.subtract(years=12)
        ids["HV-2014-00006"] = _case(
            conn,
            "HV-2014-00006",
            "destroyed",
            d6,
            street=None,
            postcode=None,
            city=None,
            closed_at=d6.add(days=10),
        )
        # The beheerder works for every region here (her scope: the store checks it on each write).
        for region_id in conn.execute(select(Region.__table__.c.id)).scalars().all():
            conn.execute(
                insert(AccountRegion.__table__).values(account_id=beheer, region_id=region_id)
            )
    assert c4 and c3
    return ids


def snapshot(engine) -> dict[str, list[str]]:
    """Every row of every table, as text (for searching and for comparing)."""
    with engine.connect() as conn:
        existing = set(inspect(conn).get_table_names())
        out = {}
        for table in metadata.sorted_tables:
            if table.name in existing:
                rows = conn.execute(select(table).order_by(*table.primary_key.columns)).all()
                out[table.name] = [
                    json.dumps(
                        [str(v) if not isinstance(v, (dict, list)) else v for v in row],
                        ensure_ascii=False,
                        default=str,
                    )
                    for row in rows
                ]
    return out


def found(snap: dict[str, list[str]], needle: str) -> list[str]:
    return [f"{name}: {row}" for name, rows in snap.items() for row in rows if needle in row]


@pytest.fixture
def now():
    return pendulum.now(TZ)


@pytest.fixture
def ids(engine, now):
    return build(engine, now)


def run(capsys, engine, db_target, *args: str, account: str | None = None) -> tuple[int, str, str]:
    argv = (["--as", account] if account else []) + [
        "archive",
        "purge",
        *args,
        "--database",
        cli_url(engine, db_target),
    ]
    code = main(argv)
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return code, out.out, out.err


def listed(out: str) -> list[str]:
    return [line.split()[0] for line in out.splitlines() if line.startswith("HV-")]


def test_dry_run_lists_exactly_the_cases_past_retention_and_changes_nothing(
    engine, db_target, ids, now, capsys
):
    before = snapshot(engine)
    code, out, err = run(capsys, engine, db_target, "--dry-run")
    assert code == 0
    assert listed(out) == ["HV-2017-00001", "HV-2021-00002"]
    header = out.splitlines()[0].split()
    assert header[:4] == ["zaak", "gemeente", "regio", "status"]
    row = next(line for line in out.splitlines() if line.startswith("HV-2021-00002"))
    # the term counts from the appeal ruling, the last decision
    ruling = now.subtract(years=5, months=1).add(days=5)
    assert ruling.format("DD-MM-YYYY") in row and "(5 jaar)" in row and "gesloten" in row
    assert (
        out.strip()
        .splitlines()[-1]
        .startswith("2 zaken voorbij de bewaartermijn; zonder --dry-run")
    )
    assert "1 open zaak voorbij de bewaartermijn" in err and "HV-2018-00005" in err
    assert snapshot(engine) == before


def test_purge_removes_personal_data_everywhere_and_keeps_the_counts(
    engine, db_target, ids, capsys
):
    before = snapshot(engine)
    for secret in PURGED_SECRETS + KEPT_SECRETS:
        assert found(before, secret), f"test data should hold {secret!r}"
    with engine.connect() as conn:
        docs_before = conn.execute(
            select(
                Document.__table__.c.case_id,
                Document.__table__.c.kind,
                Document.__table__.c.received_at,
            ).order_by(Document.__table__.c.id)
        ).all()
        cases_before = {r.number: r for r in conn.execute(select(Case.__table__))}

    code, out, err = run(capsys, engine, db_target)
    assert code == 0, err
    assert listed(out) == ["HV-2017-00001", "HV-2021-00002"]
    summary = out.strip().splitlines()[-1]
    assert summary.startswith("2 zaken vernietigd (")
    assert "personen: 3" in summary and "documenten: 3" in summary and "notities: 1" in summary

    after = snapshot(engine)
    for secret in PURGED_SECRETS:
        assert found(after, secret) == [], f"{secret!r} survived the purge"
    for secret in KEPT_SECRETS:
        assert found(after, secret), f"{secret!r} of a case within its term was removed"

    with engine.connect() as conn:
        cases = {r.number: r for r in conn.execute(select(Case.__table__))}
        docs_after = conn.execute(
            select(
                Document.__table__.c.case_id,
                Document.__table__.c.kind,
                Document.__table__.c.received_at,
            ).order_by(Document.__table__.c.id)
        ).all()
        meetings = conn.execute(select(Meeting.__table__)).all()
        people = conn.execute(select(func.count()).select_from(CasePerson.__table__)).scalar()
    # the anonymous record stays: status, municipality, T0, decisions; document kinds and dates
    for number in ("HV-2017-00001", "HV-2021-00002"):
        old, new = cases_before[number], cases[number]
        assert new.status == "destroyed"
        assert (
            new.municipality_id,
            new.imposed_at,
            new.decided_at,
            new.closed_at,
            new.appeal_decided_at,
        ) == (
            old.municipality_id,
            old.imposed_at,
            old.decided_at,
            old.closed_at,
            old.appeal_decided_at,
        )
        assert (new.street, new.postcode, new.city, new.close_reason, new.appeal_outcome) == (
            None,
            None,
            None,
            None,
            None,
        )
    assert docs_after == docs_before
    assert [(m.kind, m.participants, m.outcome) for m in meetings] == [("overleg_dag3", "", "")]
    assert people == 1  # Klaas Klaassen's case is within its term
    for number in ("HV-2023-00003", "HV-2020-00004", "HV-2018-00005"):
        assert cases[number].status == cases_before[number].status
    assert cases["HV-2018-00005"].street == "Oud Open"


def test_purge_is_logged_and_the_chains_still_verify(engine, db_target, ids, capsys):
    assert run(capsys, engine, db_target)[0] == 0
    with engine.connect() as conn:
        events = {
            number: conn.execute(
                select(Event.__table__).where(E.case_id == ids[number]).order_by(E.id)
            ).all()
            for number in ("HV-2017-00001", "HV-2021-00002")
        }
    first = events["HV-2017-00001"]
    assert [e.action for e in first] == ["document_received", "close", "archive", "destroy"]
    destroy = first[-1]
    assert destroy.actor_name == CLI_ACTOR
    assert destroy.details["reden"].startswith(
        "bewaartermijn van 5 jaar verstreken (laatste besluit "
    )
    assert destroy.details["verwijderd"]["personen"] == 2
    rewritten = {r["event_id"]: r["velden"] for r in destroy.details["herschreven"]}
    assert rewritten == {first[0].id: ["na.auteur"], first[1].id: ["reden"]}
    assert first[1].details["reden"] == "[verwijderd na bewaartermijn]"
    assert first[1].details["na"] == {"status": "closed"}  # codes stay
    # the closed case is archived first, then destroyed, both by the purge
    second = events["HV-2021-00002"]
    assert [(e.action, e.actor_name) for e in second] == [
        ("archive", CLI_ACTOR),
        ("destroy", CLI_ACTOR),
    ]
    assert second[-1].details["voor"]["appeal_outcome"] == "[verwijderd na bewaartermijn]"

    assert main(["audit", "verify", "--database", cli_url(engine, db_target)]) == 0
    out = capsys.readouterr().out
    assert "auditlog intact" in out and "2 gebeurtenissen opgeschoond na de bewaartermijn" in out

    # a second run finds nothing
    code, out, _ = run(capsys, engine, db_target)
    assert code == 0 and out.strip() == "geen zaken voorbij de bewaartermijn"


def test_a_change_to_a_purged_event_afterwards_is_still_caught(engine, db_target, ids, capsys):
    assert run(capsys, engine, db_target)[0] == 0
    with engine.connect() as conn:
        closing = conn.execute(
            select(E.id).where(E.case_id == ids["HV-2017-00001"], E.action == "close")
        ).scalar_one()
    with engine.begin() as conn:
        if is_postgres(engine):  # a superuser past the trigger
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(
            update(Event.__table__)
            .where(E.id == closing)
            .values(
                details={
                    "voor": {"status": "expired"},
                    "na": {"status": "closed"},
                    "reden": "Jansen verhuisd naar Vossenlaan 3",
                }
            )
        )
    assert main(["audit", "verify", "--database", cli_url(engine, db_target)]) == 1
    out = capsys.readouterr().out
    assert f"zaak HV-2017-00001: eerste gebroken schakel is gebeurtenis {closing} " in out


@pytest.mark.parametrize(
    "db_target", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)  # the append-only trigger exists on PostgreSQL only
def test_on_postgres_the_purge_passes_the_trigger_and_leaves_it_armed(
    engine, db_target, ids, capsys
):
    assert is_postgres(engine)
    assert run(capsys, engine, db_target)[0] == 0
    with pytest.raises(DBAPIError, match="alleen aan te vullen"), engine.begin() as conn:
        conn.execute(
            update(Event.__table__).where(E.case_id == ids["HV-2017-00001"]).values(details={})
        )


def test_purge_as_a_beheerder_account_names_it_and_refuses_other_roles(
    engine, db_target, ids, capsys
):
    code, _, err = run(capsys, engine, db_target, account="ans")
    assert code == 2 and err.strip() == "hvo: account 'ans' is geen functioneel beheerder"
    code, out, _ = run(capsys, engine, db_target, account="beheer")
    assert code == 0
    with engine.connect() as conn:
        actors = set(conn.execute(select(E.actor_name).where(E.action == "destroy")).scalars())
    assert actors == {"Bea Beheer"}


def test_every_table_of_a_case_has_a_retention_decision():
    """A new table that belongs to a case may hold personal data: decide in CaseWrites._destroy
    what a purge does with it, then add it here."""
    handled = {
        "case_person": "deleted",
        "note": "deleted",
        "decision_signature": "deleted",
        "decision_serving": "deleted",
        "document": "fields and author's name emptied",
        "meeting": "participants and outcome emptied",
        "outbox": "body emptied",
        "event": "free text redacted, rewrites recorded",
        "case_partner": "kept: professionals and their organisations",
        "write_key": "kept: a write's key, version and moment, no personal data",
    }
    with_case = {t.name for t in metadata.sorted_tables if "case_id" in t.c}
    assert with_case <= set(handled), (
        f"no retention decision for {sorted(with_case - set(handled))}"
    )


def test_the_purge_removes_write_keys_older_than_a_month_and_the_dry_run_counts_them(
    engine, db_target, ids, now, capsys
):
    """A save's idempotency key matters for the minutes a form may retry it, not for years."""
    from store.models import WriteKey

    WK = WriteKey.__table__
    case_id = next(iter(ids.values()))
    with engine.begin() as conn:
        for key, age in (("oud-1", 45), ("oud-2", 31), ("recent", 2)):
            conn.execute(
                insert(WK).values(key=key, case_id=case_id, version=1, at=now.subtract(days=age))
            )
    code, out, _ = run(capsys, engine, db_target, "--dry-run")
    assert code == 0 and "2 sleutel(s) van opslagacties ouder dan 30 dagen kunnen weg" in out
    with engine.connect() as conn:
        assert conn.execute(select(WK.c.key).order_by(WK.c.key)).scalars().all() == [
            "oud-1",
            "oud-2",
            "recent",
        ]
    code, out, _ = run(capsys, engine, db_target)
    assert "2 sleutel(s) van opslagacties ouder dan 30 dagen verwijderd" in out
    with engine.connect() as conn:
        assert conn.execute(select(WK.c.key)).scalars().all() == ["recent"]
