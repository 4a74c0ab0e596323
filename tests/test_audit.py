"""The audit log's integrity (issue 9): `hvo audit verify` names the first broken link of a
tampered chain; on PostgreSQL the event table refuses UPDATE and DELETE; `hvo audit log` shows
who viewed or changed a case and what an account did."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.exc import DBAPIError

from hvo_tui.cli import main
from hvo_tui.clock import FrozenClock
from store import db
from store.case_writes import E, event_hash
from store.interface import Actor
from store.models import Event
from store.sql import SqlStore
from tests.conftest import FROZEN_NOW
from tests.factories import account_id, seed_case

ET = Event.__table__


def cli_url(engine, db_target) -> str:
    """The --database URL of the test's database (a PostgreSQL test schema via search_path)."""
    url, schema = db_target
    if schema is None:
        return url
    return f"{url}?options=-csearch_path%3D{schema}"


def is_postgres(engine) -> bool:
    return engine.dialect.name == "postgresql"


@pytest.fixture
def store(engine):
    s = SqlStore(engine)
    s.clock = FrozenClock(FROZEN_NOW)
    return s


@pytest.fixture
def cases(engine, store):
    """Two cases with chained events written by the store: opened and noted by an account."""
    with engine.begin() as conn:
        ans_id = account_id(conn, "ans", "Ans Verhoeven", role="procesmanager")
        first = seed_case(conn, number="HV-2026-00042")
        second = seed_case(conn, number="HV-2026-00043")
    ans = Actor(name="Ans Verhoeven", roles=frozenset({"procesmanager"}), account_id=ans_id,
                username="ans")
    for case_id in (first, second):
        store.case_detail(case_id, ans)
        v = 1
        for n in range(3):
            v = store.add_note(case_id, v, ans, text=f"notitie {n}")
    return first, second


def events_of(engine, case_id):
    with engine.connect() as conn:
        return conn.execute(select(ET).where(E.case_id == case_id).order_by(E.id)).all()


def tamper(engine, statement) -> None:
    """Change the log behind hvo's back: directly on SQLite; on PostgreSQL as a superuser who
    switches the triggers off (what the append-only trigger cannot stop, the chain must show)."""
    with engine.begin() as conn:
        if is_postgres(engine):
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(statement)


def verify(capsys, engine, db_target) -> tuple[int, str]:
    code = main(["audit", "verify", "--database", cli_url(engine, db_target)])
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return code, out.out


def test_intact_chains_exit_0_with_a_count(engine, db_target, cases, capsys):
    code, out = verify(capsys, engine, db_target)
    assert code == 0, out
    assert "auditlog intact: 2 zaken met 8 gebeurtenissen gecontroleerd" in out


def test_an_event_changed_in_the_database_is_named(engine, db_target, cases, capsys):
    first, second = cases
    victim = events_of(engine, first)[2]
    statement = update(ET).where(E.id == victim.id).values(details={"note_id": 999, "soort": "note"})
    if is_postgres(engine):
        tamper(engine, statement)
    else:  # SQLite: no trigger, a plain UPDATE goes through
        with engine.begin() as conn:
            conn.execute(statement)
    code, out = verify(capsys, engine, db_target)
    assert code == 1
    lines = out.strip().splitlines()
    assert len(lines) == 2, out
    assert lines[0] == (
        f"zaak HV-2026-00042: eerste gebroken schakel is gebeurtenis {victim.id} "
        "(23-11-2026 08:30:00, note_added door Ans Verhoeven): inhoud gewijzigd: de hash klopt "
        "niet meer met wie, wat, wanneer en details"
    )
    assert "HV-2026-00043" not in out
    assert lines[1].startswith("auditlog GEBROKEN: 1 zaak met een gebroken keten; 2 zaken met 8 ")


def test_a_deleted_event_is_named_at_the_next_link(engine, db_target, cases, capsys):
    first, _ = cases
    events = events_of(engine, first)
    tamper(engine, delete(ET).where(E.id == events[1].id))
    code, out = verify(capsys, engine, db_target)
    assert code == 1
    assert (f"zaak HV-2026-00042: eerste gebroken schakel is gebeurtenis {events[2].id} " in out)
    assert f"sluit niet aan op de vorige gebeurtenis (#{events[0].id})" in out


def test_a_consistently_rehashed_event_still_breaks_the_next_link(engine, db_target, cases, capsys):
    """Someone who rewrites an event and recomputes its hash (even through the retention
    exception) is caught: the next event still points at the old hash, and no destroy event
    records the rewrite."""
    first, _ = cases
    events = events_of(engine, first)
    victim = events[1]
    forged = {"note_id": victim.details["note_id"], "soort": "contact"}
    digest = event_hash(case_id=victim.case_id, account_id=victim.account_id,
                        actor_name=victim.actor_name, action=victim.action, at=victim.at,
                        details=forged, prev_hash=victim.prev_hash)
    with engine.begin() as conn:
        if is_postgres(engine):
            conn.execute(text("SELECT set_config('hvo.retention', 'on', true)"))
        conn.execute(update(ET).where(E.id == victim.id).values(details=forged, hash=digest))
    code, out = verify(capsys, engine, db_target)
    assert code == 1
    assert f"gebeurtenis {events[2].id} " in out and "sluit niet aan" in out


def test_an_event_slipped_in_without_a_hash_is_named(engine, db_target, cases, capsys):
    _, second = cases
    with engine.begin() as conn:
        conn.execute(insert(ET).values(case_id=second, actor_name="iemand", action="note_added",
                                       at=FROZEN_NOW, details={}))
    code, out = verify(capsys, engine, db_target)
    assert code == 1
    assert "zaak HV-2026-00043:" in out and "heeft geen hash" in out


@pytest.mark.parametrize("db_target", [pytest.param("postgres", marks=pytest.mark.postgres)],
                         indirect=True)  # the append-only trigger exists on PostgreSQL only
def test_postgres_refuses_update_and_delete_of_events(engine, cases):
    assert is_postgres(engine)
    first, _ = cases
    victim = events_of(engine, first)[1]
    refused = re.compile(r"het auditlog is alleen aan te vullen: (UPDATE|DELETE) van gebeurtenis \d+ geweigerd")
    attempts = [
        update(ET).where(E.id == victim.id).values(details={"soort": "contact"}),
        update(ET).where(E.case_id == first).values(actor_name="iemand anders"),
        delete(ET).where(E.id == victim.id),
        delete(ET),
    ]
    for statement in attempts:
        with pytest.raises(DBAPIError) as caught:
            with engine.begin() as conn:
                conn.execute(statement)
        assert refused.search(str(caught.value.orig)), caught.value
    # The retention exception allows only details and hash, and never a DELETE.
    for statement in (update(ET).where(E.id == victim.id).values(actor_name="iemand anders"),
                      update(ET).where(E.id == victim.id).values(prev_hash=None),
                      delete(ET).where(E.id == victim.id)):
        with pytest.raises(DBAPIError, match="alleen aan te vullen"):
            with engine.begin() as conn:
                conn.execute(text("SELECT set_config('hvo.retention', 'on', true)"))
                conn.execute(statement)
    # The setting is transaction-local: the next transaction is refused again.
    with pytest.raises(DBAPIError, match="alleen aan te vullen"):
        with engine.begin() as conn:
            conn.execute(update(ET).where(E.id == victim.id).values(details={}))
    assert len(events_of(engine, first)) == 4
    # Appending still works.
    with engine.begin() as conn:
        conn.execute(insert(ET).values(case_id=None, actor_name="x", action="y", at=FROZEN_NOW,
                                       details={}))


def test_downgrading_0004_drops_the_trigger_and_upgrading_restores_it(engine, cases):
    first, _ = cases
    victim = events_of(engine, first)[1]
    db.downgrade(engine, "0003")
    with engine.begin() as conn:  # no trigger now, on either database
        conn.execute(update(ET).where(E.id == victim.id).values(actor_name="hersteld"))
    db.upgrade(engine)
    assert db.current_revision(engine) == db.head_revision()
    if is_postgres(engine):
        with pytest.raises(DBAPIError, match="alleen aan te vullen"):
            with engine.begin() as conn:
                conn.execute(update(ET).where(E.id == victim.id).values(actor_name="Ans"))


# --- hvo audit log --------------------------------------------------------------------------------


def test_log_of_a_case_shows_who_viewed_and_changed_it(engine, db_target, cases, capsys):
    code = main(["audit", "log", "--zaak", "HV-2026-00042", "--database", cli_url(engine, db_target)])
    out = capsys.readouterr().out
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0].split() == ["moment", "wie", "actie", "details"]
    body = [line for line in lines[2:-1]]
    assert len(body) == 4
    assert "case_opened" in body[0] and "Ans Verhoeven" in body[0] and "23-11-2026 08:30:00" in body[0]
    assert all("note_added" in line for line in body[1:])
    assert "notitie" not in out  # the note's text is not in the log
    assert lines[-1] == "4 gebeurtenissen voor zaak HV-2026-00042, waarvan 1 keer ingezien"


def test_log_of_an_account_lists_its_cases(engine, db_target, cases, capsys):
    code = main(["audit", "log", "--account", "ans", "--database", cli_url(engine, db_target)])
    out = capsys.readouterr().out
    assert code == 0
    assert out.count("HV-2026-00042") == 4 and out.count("HV-2026-00043") == 4
    assert "8 gebeurtenissen voor account ans, waarvan 2 keer ingezien" in out


def test_log_of_an_unknown_case_or_account_is_one_dutch_line(engine, db_target, cases, capsys):
    url = cli_url(engine, db_target)
    assert main(["audit", "log", "--zaak", "HV-2026-09999", "--database", url]) == 2
    assert capsys.readouterr().err.strip() == "hvo: zaak HV-2026-09999 bestaat niet"
    assert main(["audit", "log", "--account", "niemand", "--database", url]) == 2
    assert capsys.readouterr().err.strip() == "hvo: account 'niemand' bestaat niet"
