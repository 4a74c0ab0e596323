"""Issue 16: serving a decision (uitreiking), in the store on SQLite and PostgreSQL.

A ban imposed by the HOvJ through hvo; its beschikking registered with its content and served on
the banned person at T0; copies to the achterblijver and the officier van justitie; an oral
announcement put in writing later; an extension that counts only when served before the ban's
original end. The edges: exactly at the decision and exactly now accepted, a second before or
after refused; the extension served a second before the end counts, exactly at the end it does
not (Wth art. 9 lid 1, art. 2 lid 7). Scope, role and hostile input: refused, nothing written."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from hvo_tui.domain.deadlines import DeadlineKind, DeadlineState, case_deadlines
from hvo_tui.domain.localtime import FrozenClock
from hvo_tui.domain.retention import FREE_TEXT_KEYS
from hvo_tui.domain.timeline import ban_end
from store.interface import Actor, NotFound, Refused
from store.models import DecisionServing, Document, Event
from store.servings import SERVED_EVENT
from store.sql import SqlStore
from tests.conftest import FROZEN_NOW
from tests.factories import account_id, municipality_id

T0 = FROZEN_NOW.subtract(days=2)  # Saturday 21 November 2026 08:30
END = ban_end(T0)  # Tuesday 1 December 2026 08:30
SV = DecisionServing.__table__.c
D = Document.__table__.c
E = Event.__table__.c

BESCHIKKING = {
    "opgelegd_door": "hovj",
    "uithuisgeplaatste": "Kevin Peeters",
    "woning": "Markt 3, 6041 EL Roermond",
    "feiten": "Slaan en dreigen; de buren belden de politie.",
    "contactverbod": "Sanne Peeters\nNoah Peeters",
}
VERLENGING = {
    "verlengd_tot": "19-12-2026 08:30",
    "motivering": "De dreiging duurt voort; de hulpverlening is net begonnen.",
}


def _actor(engine, username: str, name: str, role: str, **account) -> Actor:
    with engine.begin() as conn:
        acc = account_id(conn, username, name, role=role, **account)
    return Actor(name=name, roles=frozenset({role}), account_id=acc, username=username)


def make_world(engine) -> SimpleNamespace:
    """Roermond (Midden-Limburg) and Venlo (Noord-Limburg); the HOvJ and an agent of the police,
    a procesmanager of the region and one of the next, support, a beleidsmedewerker and the
    mayor of Roermond; a store whose clock stands an hour after T0."""
    with engine.begin() as conn:
        muni = municipality_id(conn, "Roermond", "Midden-Limburg")
        municipality_id(conn, "Venlo", "Noord-Limburg")
    police = {"organisation": "Politie Limburg", "region": "Midden-Limburg"}
    store = SqlStore(engine, clock=FrozenClock(T0.add(hours=1)))
    world = SimpleNamespace(
        engine=engine,
        store=store,
        municipality=muni,
        hovj=_actor(engine, "dewit", "Hoofdagent De Wit", "hovj", **police),
        agent=_actor(engine, "janssen", "Agent Janssen", "politie", **police),
        pm=_actor(engine, "ans", "Ans Visser", "procesmanager", regions=("Midden-Limburg",)),
        outsider=_actor(engine, "piet", "Piet Noord", "procesmanager", regions=("Noord-Limburg",)),
        support=_actor(engine, "sam", "Sam Support", "support", regions=("Midden-Limburg",)),
        policy=_actor(
            engine,
            "peeters",
            "Marieke Peeters",
            "beleidsmedewerker",
            organisation="Gemeente Roermond",
            municipality="Roermond",
        ),
        mayor=_actor(
            engine,
            "burgemeester",
            "Burgemeester van Roermond",
            "bestuurder",
            organisation="Gemeente Roermond",
            municipality="Roermond",
        ),
    )
    return world


@pytest.fixture
def w(engine):
    world = make_world(engine)
    yield world
    world.store.close()


def impose(w, first: str = "Kevin") -> int:
    """The HOvJ opens the screening and imposes at T0; the household: the banned person, his
    partner and their son of 9."""
    return w.store.open_screening(
        w.hovj,
        municipality_id=w.municipality,
        opened_at=T0.subtract(hours=1),
        address={"street": "Markt", "house_number": "3", "postcode": "6041 EL", "city": "Roermond"},
        persons=[
            {
                "role": "uithuisgeplaatste",
                "first_name": first,
                "last_name": "Peeters",
                "birth_date": date(1988, 4, 2),
            },
            {"role": "achterblijver", "first_name": "Sanne", "last_name": "Peeters"},
            {
                "role": "kind",
                "first_name": "Noah",
                "last_name": "Peeters",
                "birth_date": date(2017, 6, 1),
            },
        ],
        rihg={
            **{f"s{n:02d}": ("ja" if n <= 7 else "nee") for n in range(1, 21)},
            "conclusie": "opleggen",
        },
        rihg_author="Hoofdagent De Wit",
        decision="impose",
        imposed_at=T0,
    ).case_id


def version(w, case_id: int) -> int:
    return w.store.queue_rows([case_id])[0].version


def decision_id(w, case_id: int, kind: str = "beschikking") -> int:
    with w.engine.connect() as conn:
        return conn.execute(
            select(D.id).where(D.case_id == case_id, D.kind == kind).order_by(D.id.desc())
        ).scalar_one()


def register_beschikking(w, case_id: int, fields=None) -> int:
    """The HOvJ registers the written beschikking half an hour after T0."""
    w.store.receive_document(
        case_id,
        version(w, case_id),
        "beschikking",
        w.hovj,
        received_at=T0.add(minutes=30),
        author_name="Hoofdagent De Wit",
        fields=fields or BESCHIKKING,
    )
    return decision_id(w, case_id)


def serve(w, case_id: int, document_id: int, actor=None, **kw) -> int:
    values = {
        "recipient": "uithuisgeplaatste",
        "manner": "uitgereikt",
        "served_at": T0,
        "served_by": "Hoofdagent De Wit",
    }
    values.update(kw)
    return w.store.record_serving(
        case_id, version(w, case_id), actor or w.hovj, document_id=document_id, **values
    )


def written(w, case_id: int) -> tuple[int, int, int]:
    """(version, servings, events) of the case: what a refusal must leave as it was."""
    with w.engine.connect() as conn:
        servings = conn.execute(
            select(func.count()).select_from(DecisionServing.__table__).where(SV.case_id == case_id)
        ).scalar_one()
        events = conn.execute(
            select(func.count()).select_from(Event.__table__).where(E.case_id == case_id)
        ).scalar_one()
    return version(w, case_id), servings, events


def rows(w, case_id: int):
    with w.engine.connect() as conn:
        return conn.execute(
            select(DecisionServing.__table__).where(SV.case_id == case_id).order_by(SV.id)
        ).all()


# --- the beschikking: served at T0, copies ------------------------------------------------------


def test_the_beschikking_served_exactly_at_t0_one_second_before_refused(w):
    case_id = impose(w)
    doc = register_beschikking(w, case_id)
    before = written(w, case_id)
    with pytest.raises(Refused) as refused:
        serve(w, case_id, doc, served_at=T0.subtract(seconds=1))
    assert refused.value.field == "served_at" and "vóór het besluit" in str(refused.value)
    assert written(w, case_id) == before
    new = serve(w, case_id, doc, served_at=T0)
    assert new == before[0] + 1
    (row,) = rows(w, case_id)
    assert (row.recipient, row.manner, row.served_at) == ("uithuisgeplaatste", "uitgereikt", T0)
    assert row.served_by_name == "Hoofdagent De Wit"
    assert row.served_by_account_id == w.hovj.account_id  # the actor served it himself
    facts = w.store.queue_rows([case_id])[0].facts
    (beschikking,) = [d for d in facts.documents if d.kind.value == "beschikking"]
    assert beschikking.served_at == T0
    with w.engine.connect() as conn:
        event = conn.execute(
            select(E.action, E.actor_name, E.details).where(E.case_id == case_id).order_by(E.id)
        ).all()[-1]
    assert event.action == SERVED_EVENT and event.actor_name == "Hoofdagent De Wit"
    assert event.details["ontvanger"] == "uithuisgeplaatste"
    assert event.details["wijze"] == "uitgereikt" and event.details["soort"] == "beschikking"
    assert "uitgereikt_door" in FREE_TEXT_KEYS  # redacted with the case's other free text


def test_now_is_accepted_one_second_later_refused_and_copies_do_not_count_as_serving(w):
    case_id = impose(w)
    doc = register_beschikking(w, case_id)
    now = w.store.now()
    before = written(w, case_id)
    with pytest.raises(Refused) as refused:
        serve(
            w,
            case_id,
            doc,
            recipient="officier_van_justitie",
            manner="afschrift",
            served_at=now.add(seconds=1),
        )
    assert refused.value.field == "served_at" and "toekomst" in str(refused.value)
    assert written(w, case_id) == before
    serve(w, case_id, doc, recipient="officier_van_justitie", manner="afschrift", served_at=now)
    serve(w, case_id, doc, w.pm, recipient="achterblijver", manner="afschrift", served_by="Ans")
    assert [(r.recipient, r.manner) for r in rows(w, case_id)] == [
        ("officier_van_justitie", "afschrift"),
        ("achterblijver", "afschrift"),
    ]
    assert rows(w, case_id)[1].served_by_account_id is None  # "Ans" is not the actor's name
    facts = w.store.queue_rows([case_id])[0].facts
    (beschikking,) = [d for d in facts.documents if d.kind.value == "beschikking"]
    assert beschikking.served_at is None  # copies do not serve the decision
    detail = w.store.case_detail(case_id, w.pm)
    assert [(s.recipient, s.served_at) for s in detail.servings] == [  # in the order served
        ("achterblijver", T0),
        ("officier_van_justitie", now),
    ]


def test_an_oral_announcement_is_put_in_writing_later_on_the_same_row(w):
    case_id = impose(w)
    doc = register_beschikking(w, case_id)
    serve(w, case_id, doc, manner="mondeling", served_at=T0)
    w.store.clock.at = T0.add(hours=3)
    for bad in (T0.subtract(seconds=1), T0.add(hours=3, seconds=1)):
        with pytest.raises(Refused) as refused:
            serve(w, case_id, doc, manner="mondeling", served_at=T0, written_at=bad)
        assert refused.value.field == "written_at"
    with pytest.raises(Refused) as refused:  # a written moment belongs to an oral one only
        serve(w, case_id, doc, served_at=T0.add(hours=1), written_at=T0.add(hours=2))
    assert refused.value.field == "written_at"
    before = written(w, case_id)
    serve(w, case_id, doc, manner="mondeling", served_at=T0, written_at=T0.add(hours=2))
    (row,) = rows(w, case_id)
    assert row.written_at == T0.add(hours=2) and row.served_at == T0
    after = written(w, case_id)
    assert after == (before[0] + 1, before[1], before[2] + 1)  # one event, no second row
    with pytest.raises(Refused) as refused:  # the very same serving again
        serve(w, case_id, doc, manner="mondeling", served_at=T0, written_at=T0.add(hours=2))
    assert refused.value.field == "served_at"
    assert written(w, case_id) == after


def test_only_a_decision_that_exists_as_one_is_served(w):
    case_id = impose(w)
    other = impose(w, "Bram")
    requested = decision_id(w, case_id)  # requested at imposing: no content yet
    rihg = decision_id(w, case_id, "rihg")
    foreign = register_beschikking(w, other)
    before = written(w, case_id)
    for doc, words in (
        (requested, "nog niet vastgelegd"),
        (rihg, "geen besluit"),
        (foreign, "hoort niet bij deze zaak"),
        (999_999, "hoort niet bij deze zaak"),
    ):
        with pytest.raises(Refused) as refused:
            serve(w, case_id, doc)
        assert refused.value.field == "document_id" and words in str(refused.value)
    w.store.receive_document(
        case_id,
        version(w, case_id),
        "beschikking",
        w.hovj,
        received_at=T0.add(minutes=30),
        author_name="Hoofdagent De Wit",
        fields={"woning": "Markt 3"},
        status="draft",
    )
    with pytest.raises(Refused, match="concept") as refused:
        serve(w, case_id, requested)
    assert refused.value.field == "document_id"
    assert written(w, case_id)[1] == before[1] == 0


# --- the extension: counts only when served before the original end ----------------------------


def extend(w, case_id: int) -> int:
    """The mayor extends on day 8 and the policy officer registers the written verlenging."""
    w.store.clock.at = T0.add(days=8)
    w.store.apply_action(
        case_id, version(w, case_id), "extend", w.mayor, extended_until=T0.add(days=28)
    )
    w.store.clock.at = T0.add(days=8, hours=2)
    w.store.receive_document(
        case_id,
        version(w, case_id),
        "verlenging",
        w.pm,
        received_at=T0.add(days=8, hours=1),
        author_name="Marieke Peeters",
        fields=VERLENGING,
    )
    return decision_id(w, case_id, "verlenging")


def extension_served(w, case_id: int, now: datetime):
    facts = w.store.queue_rows([case_id])[0].facts
    (deadline,) = [d for d in case_deadlines(facts, now) if d.kind is DeadlineKind.EXTENSION_SERVED]
    return deadline


def test_an_extension_served_one_second_before_the_original_end_counts(w):
    case_id = impose(w)
    doc = extend(w, case_id)
    with pytest.raises(Refused) as refused:  # before the mayor decided it (day 8)
        serve(w, case_id, doc, served_at=T0.add(days=8).subtract(seconds=1))
    assert refused.value.field == "served_at"
    w.store.clock.at = END.add(hours=1)
    serve(w, case_id, doc, w.agent, served_at=END.subtract(seconds=1), served_by="Agent Janssen")
    deadline = extension_served(w, case_id, END.add(hours=1))
    assert deadline.state is DeadlineState.MET and deadline.met_at == END.subtract(seconds=1)


def test_an_extension_served_exactly_at_the_end_is_a_missed_deadline_with_that_reason(w):
    case_id = impose(w)
    doc = extend(w, case_id)
    assert extension_served(w, case_id, END).state is DeadlineState.OPEN
    assert extension_served(w, case_id, END.add(seconds=1)).state is DeadlineState.MISSED
    w.store.clock.at = END.add(hours=1)
    serve(w, case_id, doc, w.agent, served_at=END, served_by="Agent Janssen")
    deadline = extension_served(w, case_id, END.add(hours=1))
    assert deadline.state is DeadlineState.MISSED
    assert deadline.label == "Verlenging te laat uitgereikt (na einde huisverbod)"


# --- who may, where, and hostile input ----------------------------------------------------------


def test_outside_the_region_not_found_support_and_policy_refused_nothing_written(w):
    case_id = impose(w)
    doc = register_beschikking(w, case_id)
    before = written(w, case_id)
    with pytest.raises(NotFound):
        serve(w, case_id, doc, w.outsider)
    for actor in (w.support, w.policy):
        with pytest.raises(Refused) as refused:
            serve(w, case_id, doc, actor)
        assert refused.value.field is None
    assert "support" in str(refused.value) or "rol" in str(refused.value)
    assert written(w, case_id) == before
    serve(w, case_id, doc, w.pm)  # the procesmanager records what the police did
    serve(w, case_id, doc, w.mayor, recipient="advocaat", manner="afschrift")


@pytest.mark.parametrize(
    "kw, field",
    [
        ({"served_by": "x" * 10_000}, "served_by"),
        ({"served_by": "   "}, "served_by"),
        ({"served_by": None}, "served_by"),
        ({"recipient": "buurman"}, "recipient"),
        ({"recipient": "x" * 10_000}, "recipient"),
        ({"recipient": None}, "recipient"),
        ({"manner": "per duif"}, "manner"),
        ({"manner": "afschrift"}, "manner"),  # the banned person is served, not copied
        ({"recipient": "achterblijver"}, "manner"),  # and the others get a copy
        ({"served_at": datetime(2026, 11, 21, 9, 0)}, "served_at"),  # no time zone
        ({"served_at": "21-11-2026 09:00"}, "served_at"),
        ({"written_at": "gisteren"}, "written_at"),
        ({"document_id": "1"}, "document_id"),
    ],
)
def test_hostile_input_is_refused_at_its_field_and_nothing_is_written(w, kw, field):
    case_id = impose(w)
    doc = register_beschikking(w, case_id)
    before = written(w, case_id)
    args = {"document_id": doc, **kw}
    with pytest.raises(Refused) as refused:
        serve(w, case_id, **args)
    assert refused.value.field == field
    assert written(w, case_id) == before
