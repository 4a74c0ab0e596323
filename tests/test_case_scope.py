"""Every case write checks the actor's scope in the store itself (issue 15), whichever door it
came through: a case outside the actor's scope is ``NotFound`` (the API's 404) and nothing is
written or logged, also when the store itself reads for nobody in particular (the shell, the
tests); a store that reads for an account (``act_as``, an API session) never widens that.

The cases: HV-2026-00042 in Roermond (region Midden-Limburg) and HV-2026-00043 in Venlo, just
across the border in Noord-Limburg. SQLite and PostgreSQL (the ``engine`` fixture)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, update

from hvo_tui.domain.localtime import FrozenClock
from store.interface import Actor, Conflict, NotFound
from store.models import Account, AccountRegion, Case, CasePartner, Event, Meeting, Note
from store.sql import SqlStore
from tests.conftest import FROZEN_NOW, make_store
from tests.factories import account_id, add_document, add_partner, seed_case
from tests.queue_data import at

C = Case.__table__.c
E = Event.__table__.c
T0 = at(21, 22, 0)


def _actor(engine, username: str, role: str, **account) -> Actor:
    """An account of its own organisation (colleagues see their organisation's partner cases)."""
    account.setdefault("organisation", f"Organisatie van {username}")
    with engine.begin() as conn:
        acc = account_id(conn, username, username.title(), role=role, **account)
    return Actor(name=username.title(), roles=frozenset({role}), account_id=acc, username=username)


@pytest.fixture
def cases(engine) -> dict[str, int]:
    with engine.begin() as conn:
        # Imposed by the HOvJ: the mayor is still to be informed (the action the tests take).
        roermond = seed_case(conn, number="HV-2026-00042", t0=T0, imposed_by_hovj=True)
        venlo = seed_case(
            conn,
            number="HV-2026-00043",
            t0=T0,
            municipality="Venlo",
            region="Noord-Limburg",
            imposed_by_hovj=True,
        )
        for case_id in (roermond, venlo):
            add_document(
                conn,
                case_id,
                "zorgadvies",
                "requested",
                requested_at=at(22, 9),
                due_at=at(24, 12),
                requested_from_role="casemanager",
            )
            add_partner(conn, case_id, "casemanager", "lotte", "Lotte Jansen")
    return {"roermond": roermond, "venlo": venlo}


@pytest.fixture
def midden(engine) -> Actor:
    """A procesmanager of Midden-Limburg."""
    return _actor(engine, "ans", "procesmanager", regions=("Midden-Limburg",))


@pytest.fixture
def noord(engine) -> Actor:
    """A procesmanager of Noord-Limburg."""
    return _actor(engine, "bram", "procesmanager", regions=("Noord-Limburg",))


def _state(engine, case_id: int) -> tuple[int, int, int, int]:
    """(version, events, notes, meetings) of the case."""
    with engine.connect() as conn:
        version = conn.execute(select(C.version).where(C.id == case_id)).scalar_one()

        def count(table) -> int:
            return conn.execute(
                select(func.count()).select_from(table).where(table.c.case_id == case_id)
            ).scalar_one()

        return version, count(Event.__table__), count(Note.__table__), count(Meeting.__table__)


def _document_id(engine, case_id: int) -> int:
    with engine.connect() as conn:
        from store.models import Document  # noqa: PLC0415 - a test helper, not store code

        D = Document.__table__.c
        return conn.execute(
            select(D.id).where(D.case_id == case_id, D.kind == "zorgadvies")
        ).scalar_one()


# Every write of the store interface, as (name, call(store, case_id, version, actor)).
WRITES = {
    "add_note": lambda s, e, c, v, a: s.add_note(c, v, a, text="gebeld"),
    "record_meeting": lambda s, e, c, v, a: s.record_meeting(
        c, v, a, kind="overleg_dag3", held_at=at(23, 8), participants="", outcome=""
    ),
    "apply_action": lambda s, e, c, v, a: s.apply_action(c, v, "inform_mayor", a),
    "assign_partner": lambda s, e, c, v, a: s.assign_partner(
        c, v, "politie", a, external={"name": "Agent Bos"}
    ),
    "request_document": lambda s, e, c, v, a: s.request_document(
        c, v, "beleidsadvies", a, from_role="gemeente", due_at=FROZEN_NOW + timedelta(days=2)
    ),
    "receive_document": lambda s, e, c, v, a: s.receive_document(
        c, v, "proces_verbaal", a, received_at=FROZEN_NOW, author_name="brigadier Smit", fields={}
    ),
    "remind_document": lambda s, e, c, v, a: s.remind_document(c, v, _document_id(e, c), a),
}


@pytest.mark.parametrize("write", sorted(WRITES))
def test_a_write_outside_the_actors_region_is_not_found_and_changes_nothing(
    engine, store, cases, noord, write
):
    assert store.scope is None  # the store itself reads for nobody in particular
    before = _state(engine, cases["roermond"])
    with pytest.raises(NotFound, match="zaak bestaat niet"):
        WRITES[write](store, engine, cases["roermond"], 1, noord)
    assert _state(engine, cases["roermond"]) == before


@pytest.mark.parametrize("write", sorted(WRITES))
def test_the_same_write_by_an_insider_goes_through(engine, store, cases, midden, write):
    version, events, _, _ = _state(engine, cases["roermond"])
    assert WRITES[write](store, engine, cases["roermond"], version, midden) == version + 1
    after = _state(engine, cases["roermond"])
    assert after[0] == version + 1 and after[1] > events


def test_the_region_border_roermond_is_in_venlo_just_across_is_out(engine, store, cases, midden):
    assert store.add_note(cases["roermond"], 1, midden, text="binnen") == 2
    before = _state(engine, cases["venlo"])
    with pytest.raises(NotFound):
        store.add_note(cases["venlo"], 1, midden, text="buiten")
    assert _state(engine, cases["venlo"]) == before


def test_an_outsider_meets_not_found_not_the_version_conflict(engine, store, cases, noord, midden):
    store.add_note(cases["roermond"], 1, midden, text="eerst")  # version 2 now
    with pytest.raises(NotFound):  # a Conflict would tell the outsider the case exists
        store.add_note(cases["roermond"], 1, noord, text="oude versie")
    with pytest.raises(Conflict):
        store.add_note(cases["roermond"], 1, midden, text="oude versie")


def test_opening_a_case_outside_the_scope_logs_nothing(engine, store, cases, noord, midden):
    before = _state(engine, cases["roermond"])
    with pytest.raises(NotFound):
        store.case_detail(cases["roermond"], noord)
    assert _state(engine, cases["roermond"]) == before
    assert store.case_detail(cases["roermond"], midden).row.number == "HV-2026-00042"
    with engine.connect() as conn:
        actions = conn.execute(
            select(E.action).where(E.case_id == cases["roermond"]).order_by(E.id)
        ).all()
    assert [a.action for a in actions] == ["case_opened"]


def test_a_partner_writes_outside_their_region_until_the_partnership_ends(engine, store, cases):
    lotte = _actor(engine, "lotte", "casemanager")  # partner on both cases (AMW), no region
    assert store.add_note(cases["venlo"], 1, lotte, text="partner") == 2
    with engine.begin() as conn:
        CP = CasePartner.__table__
        conn.execute(update(CP).where(CP.c.case_id == cases["venlo"]).values(ended_at=FROZEN_NOW))
    with pytest.raises(NotFound):
        store.add_note(cases["venlo"], 2, lotte, text="niet meer")
    assert _state(engine, cases["venlo"])[0] == 2


def test_a_mayor_writes_in_her_municipality_only(engine, store, cases):
    mayor = _actor(
        engine, "burgemeester.roermond", "bestuurder", organisation="Gemeente Roermond",
        municipality="Roermond",
    )  # fmt: skip
    version = store.apply_action(cases["roermond"], 1, "inform_mayor", mayor)
    assert version == 2
    with pytest.raises(NotFound):
        store.apply_action(cases["venlo"], 1, "inform_mayor", mayor)


def test_a_region_taken_away_closes_the_door_at_once(engine, store, cases, midden):
    assert store.add_note(cases["roermond"], 1, midden, text="nog wel") == 2
    with engine.begin() as conn:
        conn.execute(
            delete(AccountRegion.__table__).where(
                AccountRegion.__table__.c.account_id == midden.account_id
            )
        )
    with pytest.raises(NotFound):
        store.add_note(cases["roermond"], 2, midden, text="niet meer")


def test_a_deactivated_account_writes_nowhere(engine, store, cases, midden):
    with engine.begin() as conn:
        conn.execute(
            update(Account.__table__)
            .where(Account.__table__.c.id == midden.account_id)
            .values(active=False)
        )
    with pytest.raises(NotFound):
        store.add_note(cases["roermond"], 1, midden, text="weg")
    assert _state(engine, cases["roermond"])[0] == 1


def test_a_scoped_store_does_not_widen_for_an_actor_without_an_account(engine, store, cases, noord):
    store.act_as(noord)  # the store now reads (and writes) for Noord-Limburg
    anonymous = Actor(name="Systeem", roles=frozenset({"procesmanager"}))
    assert store.add_note(cases["venlo"], 1, anonymous, text="in Noord-Limburg") == 2
    with pytest.raises(NotFound):
        store.add_note(cases["roermond"], 1, anonymous, text="daarbuiten")
    assert _state(engine, cases["roermond"])[0] == 1


def test_a_scoped_store_does_not_widen_an_insiders_scope_either(engine, cases, midden, noord):
    api_store = SqlStore(engine, clock=FrozenClock(FROZEN_NOW))  # as an API session's store
    api_store.scope = api_store.account_scope(noord.account_id)
    with pytest.raises(NotFound):  # Ans may write in Roermond, but not through Bram's store
        api_store.add_note(cases["roermond"], 1, midden, text="via een ander")
    assert _state(engine, cases["roermond"])[0] == 1
    assert make_store(engine).add_note(cases["roermond"], 1, midden, text="zelf") == 2


def test_the_clock_can_be_given_to_the_store_or_set_later(engine):
    given = SqlStore(engine, clock=FrozenClock(FROZEN_NOW))
    assert given.now() == FROZEN_NOW and given.cases.now() == FROZEN_NOW
    later = SqlStore(engine)
    later.clock = FrozenClock(FROZEN_NOW)
    assert all(
        repo.now() == FROZEN_NOW
        for repo in (later.queue, later.cases, later.accounts, later.signing, later.reporting)
    )
    assert SqlStore(engine).now() != FROZEN_NOW  # None: the wall clock
