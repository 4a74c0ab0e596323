"""The household (issue 16), in the store, on SQLite and PostgreSQL: persons added and corrected
after the screening (one event each, scope and version checked, bad input refused at its field
with nothing written), their data redacted after retention and masked for support; only adults
banned at T0; and one ban per banned person: a screening with two banned persons gives two
linked cases with their own deadlines."""

from __future__ import annotations

from datetime import date

import pendulum
import pytest
from sqlalchemy import func, select

from hvo_tui.domain import case_deadlines
from hvo_tui.domain.localtime import FrozenClock
from hvo_tui.domain.retention import REDACTED
from store.case_writes import verify_chain
from store.interface import Actor, Conflict, NotFound, Refused
from store.models import Case, CasePerson, Document, Event
from tests.conftest import FROZEN_NOW, make_store
from tests.factories import account_id, add_person, municipality_id, seed_case
from tests.test_screening import HOVJ, screening

C = Case.__table__.c
P = CasePerson.__table__.c
E = Event.__table__.c
D = Document.__table__.c
T0 = FROZEN_NOW.subtract(hours=1)  # the ban imposed an hour ago (local 07:30)

ANS = Actor(name="Ans Verhoeven", roles=frozenset({"procesmanager"}))
SUPPORT = Actor(name="Sam Support", roles=frozenset({"support"}))
MAYOR = Actor(name="Burgemeester", roles=frozenset({"bestuurder"}))
MILA = {
    "role": "kind",
    "first_name": "Mila",
    "last_name": "Peeters",
    "birth_date": date(2017, 5, 1),
}


@pytest.fixture
def store(engine):
    with engine.begin() as conn:
        municipality_id(conn)
        seed_case(conn, number="HV-2026-00041", status="running")
    s = make_store(engine)
    yield s
    s.close()


@pytest.fixture
def case(store):
    """A ban imposed an hour ago through the store: Kevin banned, Sanne achterblijver."""
    return screening(store)


def state(engine, case_id: int) -> tuple[int, int, int]:
    """(version, persons, events) of the case."""
    with engine.connect() as conn:
        version = conn.execute(select(C.version).where(C.id == case_id)).scalar_one()
        persons = conn.execute(
            select(func.count()).select_from(CasePerson.__table__).where(P.case_id == case_id)
        ).scalar()
        events = conn.execute(
            select(func.count()).select_from(Event.__table__).where(E.case_id == case_id)
        ).scalar()
    return version, persons, events


def persons_of(store, case_id: int) -> dict[str, object]:
    return {
        f"{p.first_name} {p.last_name}": p
        for p in store.case_detail(case_id, ANS).persons  # (logged: ANS opened it)
    }


# --- adding and correcting -----------------------------------------------------------------------


def test_a_child_added_after_the_screening_is_on_the_case_and_its_timeline(engine, store, case):
    version = store.add_person(case.case_id, case.version, ANS, person=MILA)
    assert version == case.version + 1
    detail = store.case_detail(case.case_id, ANS)
    mila = next(p for p in detail.persons if p.first_name == "Mila")
    assert (mila.role, mila.birth_date, mila.phone, mila.email) == (
        "kind",
        date(2017, 5, 1),
        None,
        None,
    )
    added = next(e for e in detail.events if e.action == "person_added")
    assert added.actor_name == "Ans Verhoeven" and added.details["rol"] == "kind"
    assert added.details["na"]["persoon"]["first_name"] == "Mila"
    assert added.details["persoon_id"] == mila.id
    with engine.connect() as conn:
        assert verify_chain(conn, case.case_id) is None


def test_correcting_a_person_records_before_and_after_of_what_changed(engine, store, case):
    sanne = persons_of(store, case.case_id)["Sanne Peeters"]
    version = store.correct_person(
        case.case_id,
        case.version,
        sanne.id,
        ANS,
        changes={"last_name": "Peeters-Smit", "email": "sanne@example.nl", "bsn": "123456782"},
    )
    after = persons_of(store, case.case_id)["Sanne Peeters-Smit"]
    assert (after.email, after.bsn, after.phone) == (
        "sanne@example.nl",
        "123456782",
        "+31612345678",
    )
    with engine.connect() as conn:
        details = conn.execute(
            select(E.details).where(E.case_id == case.case_id, E.action == "person_corrected")
        ).scalar_one()
    assert details["velden"] == ["last_name", "bsn", "email"]
    assert details["voor"]["persoon"] == {"last_name": "Peeters", "bsn": None, "email": None}
    assert details["na"]["persoon"]["last_name"] == "Peeters-Smit"
    # Clearing an optional value is a correction too; the same values again are refused.
    store.correct_person(case.case_id, version, after.id, ANS, changes={"email": None})
    with pytest.raises(Refused, match="niets gewijzigd"):
        store.correct_person(case.case_id, version + 1, after.id, ANS, changes={"email": ""})


@pytest.mark.parametrize(
    "person, field, words",
    [
        (dict(MILA, first_name="x" * 10_000), "first_name", "te lang"),
        (dict(MILA, bsn="123456789"), "bsn", "elfproef"),
        (dict(MILA, birth_date=date(2026, 11, 24)), "birth_date", "toekomst"),
        (dict(MILA, role="buurman"), "role", "onbekende rol"),
        (dict(MILA, phone="0612345678"), "phone", "kind"),
        (dict(MILA, role="uithuisgeplaatste", birth_date=None), "role", "eigen zaak"),
        (dict(MILA, last_name="  "), "last_name", "achternaam"),
    ],
)
def test_bad_input_is_refused_at_its_field_and_nothing_is_written(
    engine, store, case, person, field, words
):
    before = state(engine, case.case_id)
    with pytest.raises(Refused) as refused:
        store.add_person(case.case_id, case.version, ANS, person=person)
    assert refused.value.field == field and words in str(refused.value).lower()
    assert state(engine, case.case_id) == before


def test_the_banned_person_stays_banned_and_an_adult_at_t0(engine, store, case):
    kevin = persons_of(store, case.case_id)["Kevin Peeters"]
    before = state(engine, case.case_id)
    with pytest.raises(Refused, match="blijft uithuisgeplaatste"):
        store.correct_person(case.case_id, case.version, kevin.id, ANS, changes={"role": "kind"})
    # T0 is 23-11-2026 07:30 local: born 23-11-2008 is 18 that day, born 24-11-2008 is 17.
    with pytest.raises(Refused, match="Wth art. 2 lid 2") as refused:
        store.correct_person(
            case.case_id, case.version, kevin.id, ANS, changes={"birth_date": date(2008, 11, 24)}
        )
    assert refused.value.field == "birth_date"
    assert state(engine, case.case_id) == before
    store.correct_person(
        case.case_id, case.version, kevin.id, ANS, changes={"birth_date": date(2008, 11, 23)}
    )


def test_a_person_of_another_case_is_not_corrected_here(engine, store, case):
    with engine.begin() as conn:
        other = add_person(conn, 1, "Jan", "Elders", role="achterblijver")
    with pytest.raises(Refused) as refused:
        store.correct_person(case.case_id, case.version, other, ANS, changes={"last_name": "X"})
    assert refused.value.field == "person_id"


def test_who_may_change_the_household(engine, store, case):
    before = state(engine, case.case_id)
    with pytest.raises(Refused, match="support"):
        store.add_person(case.case_id, case.version, SUPPORT, person=MILA)
    with pytest.raises(Refused):  # the mayor decides; the household is the partners' to keep
        store.add_person(case.case_id, case.version, MAYOR, person=MILA)
    with pytest.raises(Conflict):
        store.add_person(case.case_id, case.version - 1, ANS, person=MILA)
    assert state(engine, case.case_id) == before
    assert store.add_person(case.case_id, case.version, HOVJ, person=MILA) == case.version + 1


def test_a_case_outside_the_actors_regions_is_not_found_and_nothing_is_written(engine, store):
    with engine.begin() as conn:
        venlo = seed_case(
            conn, number="HV-2026-00050", municipality="Venlo", region="Noord-Limburg"
        )
        add_person(conn, venlo, "Ruud", "Janssen", birth=date(1980, 1, 1))
        ans = account_id(
            conn, "ans", "Ans Verhoeven", role="procesmanager", regions=("Midden-Limburg",)
        )
    actor = Actor(name="Ans Verhoeven", roles=frozenset({"procesmanager"}), account_id=ans)
    before = state(engine, venlo)
    with pytest.raises(NotFound):
        store.add_person(venlo, before[0], actor, person=MILA)
    with pytest.raises(NotFound):
        store.correct_person(venlo, before[0], 1, actor, changes={"last_name": "X"})
    assert state(engine, venlo) == before


def test_a_repeated_write_key_adds_the_person_once(engine, store, case):
    for _ in range(2):
        with store.write_key("household-test-1"):
            version = store.add_person(case.case_id, case.version, ANS, person=MILA)
    assert version == case.version + 1
    assert state(engine, case.case_id)[1] == 3


# --- personal data in the events -----------------------------------------------------------------


def test_support_sees_the_household_events_as_initials(engine, store, case):
    store.add_person(case.case_id, case.version, ANS, person=dict(MILA, bsn="123456782"))
    store.mask_persons = True
    added = next(
        e for e in store.case_detail(case.case_id, SUPPORT).events if e.action == "person_added"
    )
    person = added.details["na"]["persoon"]
    assert person["first_name"] == "M." and person["bsn"] is None
    assert person["birth_date"] is None and "Mila" not in str(added.details)


def test_destroying_the_case_redacts_the_household_events(engine, store, case):
    version = store.add_person(case.case_id, case.version, ANS, person=MILA)
    sanne = persons_of(store, case.case_id)["Sanne Peeters"]
    version = store.correct_person(
        case.case_id, version, sanne.id, ANS, changes={"last_name": "Smit"}
    )
    with engine.begin() as conn:  # the ban ran out: decided, to be closed
        conn.execute(
            Case.__table__.update()
            .where(C.id == case.case_id)
            .values(status="expired", version=C.version + 1)
        )
    version = store.apply_action(case.case_id, version + 1, "close", ANS, reason="afgerond")
    store.clock = FrozenClock(FROZEN_NOW.add(years=6))  # past the retention term
    beheerder = Actor(name="Beheer", roles=frozenset({"beheerder"}))
    version = store.apply_action(case.case_id, version, "archive", beheerder)
    store.apply_action(case.case_id, version, "destroy", beheerder, reason="bewaartermijn")
    with engine.connect() as conn:
        events = {
            row.action: row.details
            for row in conn.execute(
                select(E.action, E.details).where(
                    E.case_id == case.case_id,
                    E.action.in_(("person_added", "person_corrected")),
                )
            )
        }
        assert verify_chain(conn, case.case_id) is None
    assert events["person_added"]["na"]["persoon"] == REDACTED
    assert events["person_corrected"]["voor"]["persoon"] == REDACTED
    assert events["person_corrected"]["velden"] == ["last_name"]  # which field: no person data
    assert "Mila" not in str(events) and "Smit" not in str(events)


# --- adults only, and one ban per banned person --------------------------------------------------

RUUD = {
    "role": "uithuisgeplaatste",
    "first_name": "Ruud",
    "last_name": "Peeters",
    "birth_date": date(1990, 6, 1),
}


def household(*extra):
    return [
        {
            "role": "uithuisgeplaatste",
            "first_name": "Kevin",
            "last_name": "Peeters",
            "birth_date": date(1988, 4, 2),
        },
        {"role": "achterblijver", "first_name": "Sanne", "last_name": "Peeters"},
        *extra,
    ]


def cases_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Case.__table__)).scalar()


def test_eighteen_on_t0s_local_date_may_be_banned_one_day_short_not(engine, store):
    # T0 23-11-2026 07:30 local.
    before = cases_count(engine)
    minor = dict(RUUD, birth_date=date(2008, 11, 24))
    with pytest.raises(Refused) as refused:
        screening(store, persons=household(minor))
    assert refused.value.field == "p2_birth_date" and "17 jaar" in str(refused.value)
    assert cases_count(engine) == before  # all or none: not even Kevin's case
    new = screening(store, persons=household(dict(RUUD, birth_date=date(2008, 11, 23))))
    assert len(new.linked) == 1 and cases_count(engine) == before + 2


def test_two_banned_persons_give_two_linked_cases_with_their_own_deadlines(engine, store):
    new = screening(store, persons=household(RUUD, MILA))
    assert (new.number, new.linked) == ("HV-2026-00042", ("HV-2026-00043",))
    first = store.queue_rows({new.case_id})[0]
    second = store.case_by_number("HV-2026-00043")
    roles = {
        row.number: {p.name: p.role.value for p in row.facts.persons} for row in (first, second)
    }
    assert roles == {
        "HV-2026-00042": {
            "Kevin Peeters": "uithuisgeplaatste",
            "Sanne Peeters": "achterblijver",
            "Ruud Peeters": "huisgenoot",
            "Mila Peeters": "kind",
        },
        "HV-2026-00043": {
            "Kevin Peeters": "huisgenoot",
            "Sanne Peeters": "achterblijver",
            "Ruud Peeters": "uithuisgeplaatste",
            "Mila Peeters": "kind",
        },
    }
    for row in (first, second):  # each its own ban, T0 and requested documents
        assert row.facts.status.value == "imposed" and row.facts.imposed_at == T0
        assert {d.kind.value for d in row.facts.documents} == {
            "rihg",
            "beschikking",
            "proces_verbaal",
            "zorgadvies",
            "beleidsadvies",
        }
    with engine.connect() as conn:
        households = conn.execute(
            select(C.household_id).where(C.id.in_((first.case_id, second.case_id)))
        ).scalars()
        assert set(households) == {first.case_id}
        for row in (first, second):
            assert verify_chain(conn, row.case_id) is None
        linked = conn.execute(
            select(E.details).where(E.case_id == second.case_id, E.action == "case_created")
        ).scalar_one()["gekoppeld"]
    assert linked == ["HV-2026-00042"]
    assert [c.number for c in store.household_cases(first.case_id)] == ["HV-2026-00043"]
    assert [c.number for c in store.household_cases(second.case_id)] == ["HV-2026-00042"]

    # Extending the first ban leaves the second as it was.
    untouched = case_deadlines(second.facts, FROZEN_NOW)
    until = pendulum.instance(T0).add(days=20)
    store.apply_action(first.case_id, first.version, "extend", MAYOR, extended_until=until)
    first, second = store.queue_rows({first.case_id, second.case_id})
    first, second = sorted((first, second), key=lambda r: r.number)
    assert first.facts.extended_until == until and second.facts.extended_until is None
    assert case_deadlines(second.facts, FROZEN_NOW) == untouched
    assert case_deadlines(first.facts, FROZEN_NOW) != untouched


def test_a_repeated_screening_with_two_banned_persons_makes_its_cases_once(engine, store):
    before = cases_count(engine)
    for _ in range(2):
        with store.write_key("screening-two-bans"):
            new = screening(store, persons=household(RUUD))
    assert new.linked == ("HV-2026-00043",) and cases_count(engine) == before + 2


def test_a_case_that_stands_alone_has_no_linked_cases(store, case):
    assert store.household_cases(case.case_id) == []
    assert case.linked == ()


def test_a_screening_not_imposed_gives_a_screening_per_banned_person_too(engine, store):
    new = screening(store, persons=household(RUUD), decision=None, imposed_at=None)
    rows = store.queue_rows()
    mine = sorted(
        (r for r in rows if r.number in (new.number, *new.linked)), key=lambda r: r.number
    )
    assert [r.facts.status.value for r in mine] == ["screening", "screening"]
    # Each is decided on its own: imposing one leaves the other a screening.
    store.apply_action(mine[0].case_id, mine[0].version, "impose", HOVJ, imposed_at=FROZEN_NOW)
    statuses = {r.number: r.facts.status.value for r in store.queue_rows()}
    assert statuses[new.number] == "imposed" and statuses[new.linked[0]] == "screening"
