"""A new case: the screening with its RiHG and the decision, in the store, on real databases."""

from __future__ import annotations

from datetime import date

import pendulum
import pytest
from sqlalchemy import func, select

from hvo_tui.domain import ban_end
from hvo_tui.domain.localtime import FrozenClock
from store.case_writes import verify_chain
from store.interface import Actor, Refused
from store.models import Account, Case, CasePerson, Document, Event
from store.sql import SqlStore
from tests.conftest import FROZEN_NOW
from tests.factories import municipality_id, seed_case

HOVJ = Actor(name="Hoofdagent De Wit", roles=frozenset({"hovj"}))
POLITIE = Actor(name="Agent Janssen", roles=frozenset({"politie"}))
CASEMANAGER = Actor(name="Lotte Hendriks", roles=frozenset({"casemanager"}))
BSN_OK = "111222333"  # passes the elfproef


def rihg(yes: int = 6) -> dict[str, str]:
    fields = {f"s{n:02d}": ("ja" if n <= yes else "nee") for n in range(1, 21)}
    fields["conclusie"] = "opleggen"
    return fields


def screening(store, actor=HOVJ, **overrides):
    with store.engine.connect() as conn:
        muni = conn.execute(select(func.min(Case.__table__.c.municipality_id))).scalar()
    args = dict(
        municipality_id=muni,
        opened_at=FROZEN_NOW.subtract(hours=2),
        address={
            "street": "Markt",
            "house_number": "12a",
            "postcode": "6041el",
            "city": "Roermond",
        },
        persons=[
            {
                "role": "uithuisgeplaatste",
                "first_name": "Kevin",
                "last_name": "Peeters",
                "birth_date": date(1988, 4, 2),
                "bsn": BSN_OK,
            },
            {
                "role": "achterblijver",
                "first_name": "Sanne",
                "last_name": "Peeters",
                "phone": "06 1234 5678",
            },
        ],
        rihg=rihg(),
        rihg_author="Hoofdagent De Wit",
        decision="impose",
        imposed_at=FROZEN_NOW.subtract(hours=1),
    )
    args.update(overrides)
    return store.open_screening(actor, **args)


@pytest.fixture
def store(engine):
    with engine.begin() as conn:
        municipality_id(conn)
        seed_case(conn, number="HV-2026-00041", status="running")  # the year's last number so far
    s = SqlStore(engine)
    s.clock = FrozenClock(FROZEN_NOW)
    yield s
    s.close()


def counts(engine) -> tuple[int, int, int, int]:
    with engine.connect() as conn:
        return tuple(
            conn.execute(select(func.count()).select_from(t.__table__)).scalar()
            for t in (Case, CasePerson, Document, Event)
        )


def test_imposing_sets_t0_requests_the_documents_and_logs_each_step(engine, store):
    new = screening(store)
    assert new.number == "HV-2026-00042" and new.version == 2
    row = store.queue_rows({new.case_id})[0]
    t0 = FROZEN_NOW.subtract(hours=1)
    assert row.facts.status.value == "imposed" and row.facts.imposed_at == t0
    with engine.connect() as conn:
        ends_at = conn.execute(
            select(Case.__table__.c.ends_at).where(Case.__table__.c.id == new.case_id)
        ).scalar()
        docs = {
            d.kind: d
            for d in conn.execute(
                select(Document.__table__).where(Document.__table__.c.case_id == new.case_id)
            )
        }
        persons = conn.execute(
            select(
                CasePerson.__table__.c.postcode,
                CasePerson.__table__.c.phone,
                CasePerson.__table__.c.bsn,
            ).where(CasePerson.__table__.c.case_id == new.case_id)
        ).all()
        actions = (
            conn.execute(
                select(Event.__table__.c.action)
                .where(Event.__table__.c.case_id == new.case_id)
                .order_by(Event.__table__.c.id)
            )
            .scalars()
            .all()
        )
        assert verify_chain(conn, new.case_id) is None
        address = conn.execute(
            select(Case.__table__.c.postcode).where(Case.__table__.c.id == new.case_id)
        ).scalar()
    assert pendulum.instance(ends_at) == ban_end(t0)
    assert docs["rihg"].status == "received" and docs["rihg"].fields["s01"] == "ja"
    assert {k: d.status for k, d in docs.items() if k != "rihg"} == {
        "beschikking": "requested",
        "proces_verbaal": "requested",
        "zorgadvies": "requested",
        "beleidsadvies": "requested",
    }
    # Due moments from the region's rules: PV one day, advice eight days after T0.
    assert pendulum.instance(docs["proces_verbaal"].due_at) == t0.add(days=1)
    assert pendulum.instance(docs["zorgadvies"].due_at) == t0.add(days=8)
    assert address == "6041 EL" and ("+31612345678" in {p.phone for p in persons})
    assert actions == ["case_created", "document_received", "impose"] + ["document_requested"] * 4
    assert screening(store).number == "HV-2026-00043"  # the next number


def test_a_screening_without_decision_is_imposed_later_with_the_same_requests(engine, store):
    new = screening(store, actor=POLITIE, decision=None, imposed_at=None)
    row = store.queue_rows({new.case_id})[0]
    assert row.facts.status.value == "screening" and row.facts.imposed_at is None
    store.apply_action(new.case_id, new.version, "impose", HOVJ, imposed_at=FROZEN_NOW)
    with engine.connect() as conn:
        kinds = sorted(
            conn.execute(
                select(Document.__table__.c.kind).where(Document.__table__.c.case_id == new.case_id)
            ).scalars()
        )
    assert kinds == ["beleidsadvies", "beschikking", "proces_verbaal", "rihg", "zorgadvies"]


def test_not_imposing_closes_the_screening_with_its_reason(engine, store):
    new = screening(store, decision="not_impose", imposed_at=None, reason="geen acuut gevaar")
    row = store.queue_rows({new.case_id})[0]
    assert row.facts.status.value == "not_imposed"
    with engine.connect() as conn:
        details = conn.execute(
            select(Event.__table__.c.details).where(
                Event.__table__.c.case_id == new.case_id, Event.__table__.c.action == "not_impose"
            )
        ).scalar()
        requested = conn.execute(
            select(func.count())
            .select_from(Document.__table__)
            .where(
                Document.__table__.c.case_id == new.case_id,
                Document.__table__.c.status == "requested",
            )
        ).scalar()
    assert details["reden"] == "geen acuut gevaar" and requested == 0


P0 = {"role": "uithuisgeplaatste", "first_name": "Kevin", "last_name": "Peeters"}


@pytest.mark.parametrize(
    "overrides, field, words",
    [
        ({"persons": [dict(P0, bsn="123456789")]}, "p0_bsn", "elfproef"),
        ({"persons": [dict(P0, phone="12345")]}, "p0_phone", "telefoonnummer"),
        ({"persons": [dict(P0, birth_date=date(2030, 1, 1))]}, "p0_birth_date", "toekomst"),
        ({"persons": [dict(P0, first_name="")]}, "p0_first_name", "voornaam"),
        ({"persons": [dict(P0, role="achterblijver")]}, "p0_last_name", "uithuisgeplaatste"),
        (
            {
                "address": {
                    "street": "Markt",
                    "house_number": "1",
                    "postcode": "604 EL",
                    "city": "Roermond",
                }
            },
            "postcode",
            "postcode",
        ),
        (
            {
                "address": {
                    "street": "",
                    "house_number": "1",
                    "postcode": "6041 EL",
                    "city": "Roermond",
                }
            },
            "street",
            "straat",
        ),
        ({"opened_at": FROZEN_NOW.add(days=2)}, "opened_at", "toekomst"),
        ({"opened_at": FROZEN_NOW.subtract(days=30)}, "opened_at", "7 dagen"),
        ({"imposed_at": FROZEN_NOW.subtract(hours=5)}, "imposed_at", "screening"),
        ({"imposed_at": FROZEN_NOW.add(days=3)}, "imposed_at", ""),
        ({"rihg": {k: v for k, v in rihg().items() if k != "s07"}}, "s07", "verplicht"),
        ({"rihg": dict(rihg(), s03="misschien")}, "s03", "kies"),
        ({"rihg_author": " "}, "rihg_author", "afgenomen"),
        ({"decision": "impose", "imposed_at": None}, "imposed_at", "T0"),
    ],
)
def test_bad_input_names_its_field_and_writes_nothing(engine, store, overrides, field, words):
    before = counts(engine)
    with pytest.raises(Refused) as refused:
        screening(store, **overrides)
    assert refused.value.field == field and words.lower() in str(refused.value).lower()
    assert counts(engine) == before


def test_who_may_register_and_who_may_decide(engine, store):
    before = counts(engine)
    with pytest.raises(Refused):
        screening(store, actor=CASEMANAGER, decision=None, imposed_at=None)
    with pytest.raises(Refused) as refused:
        screening(store, actor=POLITIE)  # the police screens; imposing is the HOvJ's or mayor's
    assert refused.value.field == "decision"
    assert counts(engine) == before
    assert screening(store, actor=POLITIE, decision=None, imposed_at=None).version == 1


def test_the_officer_who_registers_becomes_the_cases_police_contact_and_keeps_seeing_it(
    engine, store
):
    """An HOvJ sees only the cases they (or their organisation) are partner on; a screening they
    register makes them its HOvJ partner, so it stays in their own queue."""
    from hvo_tui.domain.permissions import scope_for
    from tests.factories import account_id

    with engine.begin() as conn:
        dewit = account_id(
            conn, "dewit", "Hoofdagent De Wit", role="hovj", organisation="Politie Limburg"
        )
        org = conn.execute(
            select(Account.__table__.c.organisation_id).where(Account.__table__.c.id == dewit)
        ).scalar()
    officer = Actor(
        name="Hoofdagent De Wit", roles=frozenset({"hovj"}), account_id=dewit, username="dewit"
    )
    store.scope = scope_for(officer.roles, None, org, account_id=dewit)
    assert [r.number for r in store.queue_rows()] == []  # the earlier case is not theirs
    new = screening(store, actor=officer)
    [row] = store.queue_rows()
    assert row.number == new.number
    assert [(p.role, p.name) for p in row.partners] == [("hovj", "Hoofdagent De Wit")]
    with engine.connect() as conn:
        assert verify_chain(conn, new.case_id) is None
        actions = (
            conn.execute(
                select(Event.__table__.c.action)
                .where(Event.__table__.c.case_id == new.case_id)
                .order_by(Event.__table__.c.id)
            )
            .scalars()
            .all()
        )
    assert actions[:2] == ["case_created", "assign_partner"]
