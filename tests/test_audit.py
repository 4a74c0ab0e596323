"""The audit log's integrity (issue 9): `hvo audit verify` names the first broken link of a
tampered chain; on PostgreSQL the event table refuses UPDATE and DELETE; `hvo audit log` shows
who viewed or changed a case and what an account did."""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.exc import DBAPIError

from hvo_tui.cli import main
from hvo_tui.domain.localtime import FrozenClock
from store import db
from store.accounts import LoginError
from store.audit import verify_all
from store.case_writes import ACCOUNT_CHAIN, E, event_hash
from store.interface import Actor
from store.models import Account, Event, EventHead
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
        ans_id = account_id(
            conn, "ans", "Ans Verhoeven", role="procesmanager", regions=("Midden-Limburg",)
        )
        first = seed_case(conn, number="HV-2026-00042")
        second = seed_case(conn, number="HV-2026-00043")
    ans = Actor(
        name="Ans Verhoeven", roles=frozenset({"procesmanager"}), account_id=ans_id, username="ans"
    )
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
    assert (
        "auditlog intact: 2 zaken met 8 gebeurtenissen en het accountlogboek met 0 "
        "gebeurtenissen gecontroleerd" in out
    )


def test_an_event_changed_in_the_database_is_named(engine, db_target, cases, capsys):
    first, second = cases
    victim = events_of(engine, first)[2]
    statement = (
        update(ET).where(E.id == victim.id).values(details={"note_id": 999, "soort": "note"})
    )
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
    assert f"zaak HV-2026-00042: eerste gebroken schakel is gebeurtenis {events[2].id} " in out
    assert f"sluit niet aan op de vorige gebeurtenis (#{events[0].id})" in out


def test_a_consistently_rehashed_event_still_breaks_the_next_link(engine, db_target, cases, capsys):
    """Someone who rewrites an event and recomputes its hash (even through the retention
    exception) is caught: the next event still points at the old hash, and no destroy event
    records the rewrite."""
    first, _ = cases
    events = events_of(engine, first)
    victim = events[1]
    forged = {"note_id": victim.details["note_id"], "soort": "contact"}
    digest = event_hash(
        case_id=victim.case_id,
        account_id=victim.account_id,
        actor_name=victim.actor_name,
        action=victim.action,
        at=victim.at,
        details=forged,
        prev_hash=victim.prev_hash,
    )
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
        conn.execute(
            insert(ET).values(
                case_id=second, actor_name="iemand", action="note_added", at=FROZEN_NOW, details={}
            )
        )
    code, out = verify(capsys, engine, db_target)
    assert code == 1
    assert "zaak HV-2026-00043:" in out and "heeft geen hash" in out


@pytest.mark.parametrize(
    "db_target", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)  # the append-only trigger exists on PostgreSQL only
def test_postgres_refuses_update_and_delete_of_events(engine, cases):
    assert is_postgres(engine)
    first, _ = cases
    victim = events_of(engine, first)[1]
    refused = re.compile(
        r"het auditlog is alleen aan te vullen: (UPDATE|DELETE) van gebeurtenis \d+ geweigerd"
    )
    attempts = [
        update(ET).where(E.id == victim.id).values(details={"soort": "contact"}),
        update(ET).where(E.case_id == first).values(actor_name="iemand anders"),
        delete(ET).where(E.id == victim.id),
        delete(ET),
    ]
    for statement in attempts:
        with pytest.raises(DBAPIError) as caught, engine.begin() as conn:
            conn.execute(statement)
        assert refused.search(str(caught.value.orig)), caught.value
    # The retention exception allows only details and hash, and never a DELETE.
    for statement in (
        update(ET).where(E.id == victim.id).values(actor_name="iemand anders"),
        update(ET).where(E.id == victim.id).values(prev_hash=None),
        delete(ET).where(E.id == victim.id),
    ):
        with pytest.raises(DBAPIError, match="alleen aan te vullen"), engine.begin() as conn:
            conn.execute(text("SELECT set_config('hvo.retention', 'on', true)"))
            conn.execute(statement)
    # The setting is transaction-local: the next transaction is refused again.
    with pytest.raises(DBAPIError, match="alleen aan te vullen"), engine.begin() as conn:
        conn.execute(update(ET).where(E.id == victim.id).values(details={}))
    assert len(events_of(engine, first)) == 4
    # Appending still works.
    with engine.begin() as conn:
        conn.execute(
            insert(ET).values(case_id=None, actor_name="x", action="y", at=FROZEN_NOW, details={})
        )


def test_downgrading_0004_drops_the_trigger_and_upgrading_restores_it(engine, cases):
    first, _ = cases
    victim = events_of(engine, first)[1]
    db.downgrade(engine, "0003")
    with engine.begin() as conn:  # no trigger now, on either database
        conn.execute(update(ET).where(E.id == victim.id).values(actor_name="hersteld"))
    db.upgrade(engine)
    assert db.current_revision(engine) == db.head_revision()
    if is_postgres(engine):
        with pytest.raises(DBAPIError, match="alleen aan te vullen"), engine.begin() as conn:
            conn.execute(update(ET).where(E.id == victim.id).values(actor_name="Ans"))


# --- the account log and the chains' heads --------------------------------------------------------

PASSWORD = "paarden-batterij-nietje-7"


@pytest.fixture
def quick_argon2(monkeypatch):
    """Real argon2id at test cost (as in tests/test_accounts.py)."""
    from argon2 import PasswordHasher

    import store.accounts

    monkeypatch.setattr(
        store.accounts,
        "password_hasher",
        PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1),
    )


def account_events(engine):
    with engine.connect() as conn:
        return conn.execute(select(ET).where(E.case_id.is_(None)).order_by(E.id)).all()


def head_of(engine, key):
    with engine.connect() as conn:
        return conn.execute(
            select(EventHead.__table__).where(EventHead.__table__.c.chain_key == key)
        ).one_or_none()


@pytest.fixture
def jan(engine, store, cases, quick_argon2) -> int:
    """An account created, given a password, logged in (once wrongly, once as a stranger) and
    changed by a beheerder: six events without a case."""
    with engine.begin() as conn:
        peter = account_id(
            conn, "peter", "Peter de Graaf", role="beheerder", region="Midden-Limburg"
        )
    admin = Actor(
        name="Peter de Graaf", roles=frozenset({"beheerder"}), account_id=peter, username="peter"
    )
    with engine.connect() as conn:
        org = conn.execute(
            select(Account.__table__.c.organisation_id).where(Account.__table__.c.id == peter)
        ).scalar_one()
    jan, code = store.create_account(
        admin,
        username="j.jansen",
        full_name="Jan Jansen",
        organisation_id=org,
        roles=["politie"],
        regions=["Midden-Limburg"],
    )
    store.set_password(jan, code, PASSWORD, now=FROZEN_NOW)
    store.authenticate("j.jansen", PASSWORD, now=FROZEN_NOW)
    with pytest.raises(LoginError):
        store.authenticate("j.jansen", "verkeerd-wachtwoord", now=FROZEN_NOW)
    with pytest.raises(LoginError):
        store.authenticate("niemand", PASSWORD, now=FROZEN_NOW)
    store.update_account(admin, jan, phone="06-87654321")
    return jan


def test_the_account_log_is_one_chain_with_a_head_and_verifies(engine, db_target, jan, capsys):
    events = account_events(engine)
    assert [e.action for e in events] == [
        "account_created",
        "password_changed",
        "login",
        "login_failed",
        "login_failed",
        "account_updated",
    ]
    assert events[0].prev_hash is None
    assert all(
        later.prev_hash == earlier.hash for earlier, later in zip(events, events[1:], strict=False)
    )
    head = head_of(engine, ACCOUNT_CHAIN)
    assert (head.last_event_id, head.last_hash, head.event_count) == (
        events[-1].id,
        events[-1].hash,
        6,
    )
    code, out = verify(capsys, engine, db_target)
    assert code == 0, out
    assert out.strip() == (
        "auditlog intact: 2 zaken met 8 gebeurtenissen en het accountlogboek "
        "met 6 gebeurtenissen gecontroleerd"
    )


def test_a_tampered_login_event_is_named(engine, db_target, jan, capsys):
    login = next(e for e in account_events(engine) if e.action == "login")
    tamper(engine, update(ET).where(E.id == login.id).values(at=FROZEN_NOW.add(hours=3)))
    code, out = verify(capsys, engine, db_target)
    assert code == 1
    assert out.strip().splitlines() == [
        f"het accountlogboek: eerste gebroken schakel is gebeurtenis {login.id} "
        "(23-11-2026 11:30:00, login door Jan Jansen): inhoud gewijzigd: de hash klopt niet meer "
        "met wie, wat, wanneer en details",
        "auditlog GEBROKEN: het accountlogboek gebroken; 2 zaken met 8 gebeurtenissen en het "
        "accountlogboek met 6 gebeurtenissen gecontroleerd",
    ]


def test_deleted_last_events_and_a_deleted_head_are_named(engine, db_target, cases, jan, capsys):
    """Deleting the end of a chain leaves links that hold; the head tells what is missing."""
    first, second = cases
    case_events = events_of(engine, first)
    logged = account_events(engine)
    tamper(engine, delete(ET).where(E.id.in_([case_events[-1].id, logged[-1].id])))
    tamper(engine, delete(EventHead.__table__).where(EventHead.__table__.c.chain_key == second))
    code, out = verify(capsys, engine, db_target)
    assert code == 1
    last, left = case_events[-1], case_events[-2]
    assert out.strip().splitlines() == [
        f"het accountlogboek: einde van de keten na gebeurtenis {logged[-2].id} (23-11-2026 "
        f"08:30:00, login_failed door onbekende gebruiker): de keten eindigt bij #{logged[-2].id} "
        f"maar de kop noemt gebeurtenis #{logged[-1].id} als laatste van 6 gebeurtenissen: "
        "1 gebeurtenis ontbreekt aan het einde (verwijderd)",
        f"zaak HV-2026-00042: einde van de keten na gebeurtenis {left.id} (23-11-2026 08:30:00, "
        f"note_added door Ans Verhoeven): de keten eindigt bij #{left.id} maar de kop noemt "
        f"gebeurtenis #{last.id} als laatste van 4 gebeurtenissen: 1 gebeurtenis ontbreekt aan "
        "het einde (verwijderd)",
        f"zaak HV-2026-00043: einde van de keten na gebeurtenis {events_of(engine, second)[-1].id} "
        "(23-11-2026 08:30:00, note_added door Ans Verhoeven): de keten van 4 gebeurtenissen "
        "heeft geen kop (event_head): waar zij eindigt is niet vastgelegd, of die vastlegging "
        "is verwijderd",
        "auditlog GEBROKEN: 2 zaken met een gebroken keten en het accountlogboek gebroken; 2 zaken "
        "met 7 gebeurtenissen en het accountlogboek met 5 gebeurtenissen gecontroleerd",
    ]


def test_a_case_whose_every_event_was_deleted_is_named(engine, db_target, cases, capsys):
    first, _ = cases
    tamper(engine, delete(ET).where(E.case_id == first))
    code, out = verify(capsys, engine, db_target)
    assert code == 1
    last = head_of(engine, first).last_event_id
    assert out.startswith(
        f"zaak HV-2026-00042: de keten is leeg maar de kop noemt gebeurtenis "
        f"#{last} als laatste van 4 gebeurtenissen: alle gebeurtenissen zijn "
        "verwijderd\n"
    )


def test_an_opening_after_a_deleted_tail_does_not_hide_it(engine, db_target, store, cases, capsys):
    """hvo chains the next event to the head's hash, not to what is left: the gap shows."""
    first, _ = cases
    events = events_of(engine, first)
    tamper(engine, delete(ET).where(E.id == events[-1].id))
    store.case_detail(
        first,
        Actor(
            name="Ans Verhoeven",
            roles=frozenset({"procesmanager"}),
            account_id=events[0].account_id,
            username="ans",
        ),
    )
    opened = events_of(engine, first)[-1]
    assert opened.prev_hash == events[-1].hash
    code, out = verify(capsys, engine, db_target)
    assert code == 1
    assert (
        f"zaak HV-2026-00042: eerste gebroken schakel is gebeurtenis {opened.id} " in out
        and f"sluit niet aan op de vorige gebeurtenis (#{events[-2].id})" in out
    )


@pytest.mark.parametrize(
    "db_target", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)  # SQLite serialises every writer anyway
def test_concurrent_logins_leave_one_unforked_chain(engine, db_target, jan, quick_argon2):
    """Logins on eight connections at once, each waiting at a barrier before its transaction:
    the head row's lock makes them take turns, so no two events share a predecessor."""
    from store.db import make_engine

    url, schema = db_target
    engines = [make_engine(url, schema=schema) for _ in range(8)]
    barrier = threading.Barrier(len(engines))
    errors: list[BaseException] = []

    def log_in(eng) -> None:
        s = SqlStore(eng)
        s.clock = FrozenClock(FROZEN_NOW)
        try:
            for attempt in range(3):
                barrier.wait(10)
                if attempt == 1:
                    with pytest.raises(LoginError):
                        s.authenticate("niemand", PASSWORD, now=FROZEN_NOW)
                else:
                    s.authenticate("j.jansen", PASSWORD, now=FROZEN_NOW)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=log_in, args=(eng,)) for eng in engines]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        for eng in engines:
            eng.dispose()
    assert not errors, errors
    events = account_events(engine)
    assert len(events) == 6 + 24
    assert len({e.prev_hash for e in events}) == len(events)  # no fork
    assert all(
        later.prev_hash == earlier.hash for earlier, later in zip(events, events[1:], strict=False)
    )
    assert head_of(engine, ACCOUNT_CHAIN).event_count == 30
    report = verify_all(engine)
    assert report.intact and report.account_events == 30, report.breaks


def test_upgrading_to_0009_chains_the_old_account_events_and_anchors_every_chain(
    engine, db_target, cases, jan, capsys
):
    """A database from before 0009: account events without hashes, no heads. After the upgrade
    every chain verifies, and hvo continues them; downgrading drops the heads again."""
    first, _ = cases
    db.downgrade(engine, "0008")
    with engine.connect() as conn:
        assert "event_head" not in db.inspect(conn).get_table_names()
    with engine.begin() as conn:  # what hvo before 0009 wrote: no hash, no head
        if is_postgres(engine):
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(update(ET).where(E.case_id.is_(None)).values(prev_hash=None, hash=None))
        conn.execute(
            insert(ET).values(
                case_id=None,
                account_id=jan,
                actor_name="Jan Jansen",
                action="login",
                at=FROZEN_NOW,
                details={"met": "wachtwoord"},
            )
        )
    db.upgrade(engine)
    assert db.current_revision(engine) == db.head_revision()
    events = account_events(engine)
    assert len(events) == 7 and all(e.hash for e in events)
    assert head_of(engine, ACCOUNT_CHAIN).last_event_id == events[-1].id
    case_events = events_of(engine, first)
    head = head_of(engine, first)
    assert (head.last_event_id, head.last_hash, head.event_count) == (
        case_events[-1].id,
        case_events[-1].hash,
        4,
    )
    if is_postgres(engine):  # the append-only trigger is armed again
        with pytest.raises(DBAPIError, match="alleen aan te vullen"), engine.begin() as conn:
            conn.execute(update(ET).where(E.id == events[0].id).values(actor_name="x"))
    with pytest.raises(LoginError):
        SqlStore(engine).authenticate("niemand", PASSWORD, now=FROZEN_NOW)
    code, out = verify(capsys, engine, db_target)
    assert code == 0, out
    assert "2 zaken met 8 gebeurtenissen en het accountlogboek met 8 gebeurtenissen" in out


# --- hvo audit log --------------------------------------------------------------------------------


def test_log_of_a_case_shows_who_viewed_and_changed_it(engine, db_target, cases, capsys):
    code = main(
        ["audit", "log", "--zaak", "HV-2026-00042", "--database", cli_url(engine, db_target)]
    )
    out = capsys.readouterr().out
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0].split() == ["moment", "wie", "actie", "details"]
    body = [line for line in lines[2:-1]]
    assert len(body) == 4
    assert (
        "case_opened" in body[0] and "Ans Verhoeven" in body[0] and "23-11-2026 08:30:00" in body[0]
    )
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
