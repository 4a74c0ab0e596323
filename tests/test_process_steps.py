"""Issue 16: a ban imposed through hvo, with every process step recorded the way the partners
would, has no missed deadline a day later; leave one step out and exactly that one is missed.

Through the store (SQLite and PostgreSQL): the HOvJ opens the screening and imposes at T0, the
police and the HOvJ record what they did (each with the moment it happened), the police send the
proces-verbaal. At T0 + 25 h every deadline due by then is met. Before this issue four of them
(mayor, household, Veilig Thuis informed, reachable address) had no writer at all."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from hvo_tui.domain.deadlines import DeadlineKind, DeadlineState, case_deadlines
from hvo_tui.domain.localtime import FrozenClock
from store.interface import Actor, Refused
from store.models import Event, Municipality
from store.sql import SqlStore
from tests.conftest import FROZEN_NOW
from tests.factories import account_id, municipality_id

T0 = FROZEN_NOW.subtract(days=2)


def _actor(engine, username: str, name: str, role: str, **account) -> Actor:
    with engine.begin() as conn:
        acc = account_id(conn, username, name, role=role, **account)
    return Actor(name=name, roles=frozenset({role}), account_id=acc, username=username)


@pytest.fixture
def world(engine):
    with engine.begin() as conn:
        municipality_id(conn, "Roermond", "Midden-Limburg")
        muni = conn.execute(
            select(Municipality.__table__.c.id).where(Municipality.__table__.c.name == "Roermond")
        ).scalar_one()
    police = {"organisation": "Politie Limburg", "region": "Midden-Limburg"}
    store = SqlStore(engine, clock=FrozenClock(T0))
    yield {
        "store": store,
        "municipality": muni,
        "hovj": _actor(engine, "dewit", "Hoofdagent De Wit", "hovj", **police),
        "agent": _actor(engine, "janssen", "Agent Janssen", "politie", **police),
        "pm": _actor(engine, "ans", "Ans Visser", "procesmanager", regions=("Midden-Limburg",)),
    }
    store.close()


def _impose(w, decision: str | None = "impose") -> int:
    new = w["store"].open_screening(
        w["hovj"],
        municipality_id=w["municipality"],
        opened_at=T0.subtract(hours=1),
        address={"street": "Markt", "house_number": "3", "postcode": "6041 EL", "city": "Roermond"},
        persons=[
            {
                "role": "uithuisgeplaatste",
                "first_name": "Kevin",
                "last_name": "Peeters",
                "birth_date": date(1988, 4, 2),
                "bsn": "111222333",
            },
            {
                "role": "achterblijver",
                "first_name": "Sanne",
                "last_name": "Peeters",
                "phone": "06 1234 5678",
            },
        ],
        rihg={
            **{f"s{n:02d}": ("ja" if n <= 7 else "nee") for n in range(1, 21)},
            "conclusie": "opleggen",
        },
        rihg_author="Hoofdagent De Wit",
        decision=decision,
        imposed_at=T0 if decision else None,
    )
    return new.case_id


ADDRESS = "p/a Hertogsingel 12, 6041 AB Roermond"

# (who, action, hours after T0) as the partners would record them
STEPS = {
    "inform_mayor": ("hovj", 0.25),
    "inform_household": ("agent", 0.5),
    "inform_vt": ("hovj", 2),
    "record_reachable_address": ("agent", 3),
}


def _record(w, case_id: int, leave_out: str | None = None) -> None:
    store = w["store"]
    store.clock.at = T0.add(hours=24)  # the partners record what they did during the first day
    for action, (who, hours) in STEPS.items():
        if action == leave_out:
            continue
        version = store.queue_rows([case_id])[0].version
        extra = {"address": ADDRESS} if action == "record_reachable_address" else {}
        store.apply_action(
            case_id, version, action, w[who], at=T0.add(minutes=int(hours * 60)), **extra
        )
    if leave_out != "proces_verbaal":
        version = store.queue_rows([case_id])[0].version
        store.receive_document(
            case_id,
            version,
            "proces_verbaal",
            w["agent"],
            received_at=T0.add(hours=20),
            author_name="Agent Janssen",
            fields={"pv_nummer": "PL2300-2026-1234", "verbalisant": "Janssen", "sleutels": "ja"},
        )


def _missed(w, case_id: int) -> list[DeadlineKind]:
    facts = w["store"].queue_rows([case_id])[0].facts
    return [
        d.kind for d in case_deadlines(facts, T0.add(hours=25)) if d.state is DeadlineState.MISSED
    ]


def test_every_step_recorded_leaves_no_missed_deadline_a_day_later(engine, world):
    case_id = _impose(world)
    assert set(_missed(world, case_id)) >= {  # nothing recorded: all of them missed
        DeadlineKind.MAYOR_INFORMED,
        DeadlineKind.HOUSEHOLD_INFORMED,
        DeadlineKind.VT_INFORMED,
        DeadlineKind.REACHABLE_ADDRESS,
    }
    _record(world, case_id)
    assert _missed(world, case_id) == []
    facts = world["store"].queue_rows([case_id])[0].facts
    assert facts.mayor_informed_at == T0.add(minutes=15)
    assert facts.reachable_address_at == T0.add(hours=3)
    with engine.connect() as conn:
        actors = dict(
            conn.execute(
                select(Event.__table__.c.action, Event.__table__.c.actor_name).where(
                    Event.__table__.c.case_id == case_id
                )
            ).all()
        )
    assert actors["inform_mayor"] == "Hoofdagent De Wit"
    assert actors["record_reachable_address"] == "Agent Janssen"


def test_the_reachable_address_is_kept_and_a_new_one_keeps_the_old_in_the_history(engine, world):
    case_id = _impose(world)
    store = world["store"]
    store.clock.at = T0.add(hours=30)
    version = store.queue_rows([case_id])[0].version
    with pytest.raises(Refused) as refused:  # the moment alone is not the address
        store.apply_action(case_id, version, "record_reachable_address", world["agent"])
    assert refused.value.field == "address"
    for blank in ("", "   "):
        with pytest.raises(Refused):
            store.apply_action(
                case_id, version, "record_reachable_address", world["agent"], address=blank
            )
    assert store.queue_rows([case_id])[0].version == version  # nothing written
    version = store.apply_action(
        case_id, version, "record_reachable_address", world["agent"], address=ADDRESS
    )
    store.apply_action(
        case_id, version, "record_reachable_address", world["pm"], address="Kerkstraat 1 Venlo"
    )
    E = Event.__table__.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(E.details)
            .where(E.case_id == case_id, E.action == "record_reachable_address")
            .order_by(E.id)
        ).all()
    assert [r.details["na"]["reachable_address"] for r in rows] == [ADDRESS, "Kerkstraat 1 Venlo"]
    assert rows[1].details["voor"]["reachable_address"] == ADDRESS


@pytest.mark.parametrize(
    "leave_out, kind",
    [
        ("inform_mayor", DeadlineKind.MAYOR_INFORMED),
        ("inform_household", DeadlineKind.HOUSEHOLD_INFORMED),
        ("inform_vt", DeadlineKind.VT_INFORMED),
        ("record_reachable_address", DeadlineKind.REACHABLE_ADDRESS),
        ("proces_verbaal", DeadlineKind.PROCES_VERBAAL),
    ],
)
def test_one_step_left_out_is_exactly_the_one_missed(world, leave_out, kind):
    case_id = _impose(world)
    _record(world, case_id, leave_out=leave_out)
    assert _missed(world, case_id) == [kind]


def test_a_step_before_t0_or_in_the_future_is_refused_at_its_field(world):
    case_id = _impose(world)
    store = world["store"]
    store.clock.at = T0.add(hours=2)
    version = store.queue_rows([case_id])[0].version
    for at in (T0.subtract(minutes=1), T0.add(hours=2, seconds=1)):
        with pytest.raises(Refused) as refused:
            store.apply_action(case_id, version, "inform_vt", world["agent"], at=at)
        assert refused.value.field == "at"
    assert store.queue_rows([case_id])[0].version == version  # nothing written
    # exactly at T0 and exactly now are both fine
    version = store.apply_action(case_id, version, "inform_vt", world["agent"], at=T0)
    store.apply_action(case_id, version, "inform_household", world["agent"], at=T0.add(hours=2))


def test_the_procesmanager_records_a_step_a_partner_reported_and_support_cannot(engine, world):
    case_id = _impose(world)
    store = world["store"]
    store.clock.at = T0.add(hours=30)
    version = store.queue_rows([case_id])[0].version
    store.apply_action(case_id, version, "inform_vt", world["pm"], at=T0.add(hours=1))
    support = _actor(engine, "sam", "Sam de Boer", "support", regions=("Midden-Limburg",))
    with pytest.raises(Refused):
        store.apply_action(case_id, version + 1, "inform_household", support)


def test_a_child_abuse_ban_is_refused_until_veilig_thuis_was_consulted(engine, world):
    """Wth art. 2 lid 3 through the store: imposing for child abuse without Veilig Thuis consulted
    is refused at its field and nothing is written; consulted (before T0) it goes, and the
    consult's deadline is met."""
    store = world["store"]
    case_id = _impose(world, decision=None)  # the screening, not yet decided
    version = store.queue_rows([case_id])[0].version
    with pytest.raises(Refused) as refused:
        store.apply_action(
            case_id, version, "impose", world["hovj"], imposed_at=T0, child_abuse=True
        )
    assert refused.value.field == "child_abuse" and "Wth art. 2 lid 3" in str(refused.value)
    assert store.queue_rows([case_id])[0].version == version
    version = store.apply_action(
        case_id, version, "consult_vt", world["hovj"], at=T0.subtract(minutes=20)
    )
    store.apply_action(case_id, version, "impose", world["hovj"], imposed_at=T0, child_abuse=True)
    facts = store.queue_rows([case_id])[0].facts
    assert facts.child_abuse and facts.vt_consulted_at == T0.subtract(minutes=20)
    met = {d.kind: d.state for d in case_deadlines(facts, T0.add(hours=1))}
    assert met[DeadlineKind.VT_CONSULTED] is DeadlineState.MET
