"""A new screening from the queue, with keys only: the HOvJ fills in where, who and the RiHG,
imposes the ban, and the case is in the queue with T0 and its document requests. Bad input shows
its message next to the field and keeps everything typed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from textual.widgets import Input, Select, Static

from hvo_tui.app import HvoApp
from hvo_tui.domain.localtime import FrozenClock
from hvo_tui.domain.standard_forms import RIHG_SIGNALS
from screens.screening import ScreeningForm
from store.interface import Actor
from store.models import Case, Document, Event
from store.sql import SqlStore
from tests.conftest import FROZEN_NOW
from tests.test_queue_screen import cursor_number, loaded, wait_for

HOVJ = Actor(name="Hoofdagent De Wit", roles=frozenset({"hovj"}), username="dewit")


def app_for(engine, actor=HOVJ) -> HvoApp:
    return HvoApp(
        SqlStore(engine), clock=FrozenClock(FROZEN_NOW), actor=actor, username=actor.username
    )


def cases(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Case.__table__)).scalar()


async def type_into(pilot, field: str, text: str) -> None:
    form = pilot.app.screen
    widget = form.query_one(f"#f-{field}", Input)
    widget.focus()
    await pilot.pause()
    await pilot.press("ctrl+a", "ctrl+k", *text)  # replace what is there, by keys


async def choose(pilot, field: str, steps: int) -> None:
    """Open the select with Enter and take the option ``steps`` down from the top."""
    select_ = pilot.app.screen.query_one(f"#f-{field}", Select)
    select_.focus()
    await pilot.press("enter", "home", *(["down"] * steps), "enter")


async def fill_screening(pilot, *, bsn: str = "111222333", postcode: str = "6041 EL") -> None:
    await choose(pilot, "municipality_id", 1)
    await type_into(pilot, "opened_at", "23-11-2026 07:30")
    await type_into(pilot, "street", "Markt")
    await type_into(pilot, "house_number", "12")
    await type_into(pilot, "postcode", postcode)
    await type_into(pilot, "city", "Roermond")
    await type_into(pilot, "p0_first_name", "Kevin")
    await type_into(pilot, "p0_last_name", "Peeters")
    await type_into(pilot, "p0_birth_date", "02-04-1988")
    await type_into(pilot, "p0_bsn", bsn)
    for i, signal in enumerate(RIHG_SIGNALS):  # the first six "ja", the rest "nee"
        await choose(pilot, signal.name, 1 if i < 6 else 2)
    await choose(pilot, "conclusie", 1)
    await choose(pilot, "decision", 1)  # opleggen
    await type_into(pilot, "imposed_at", "23-11-2026 07:45")


def fill_at_once(form, *, bsn: str = "111222333") -> None:
    """The same form content as ``fill_screening``, set directly (for the bad-input cases, where
    the keys are not what is tested: only the bad value is typed)."""
    values = {
        "opened_at": "23-11-2026 07:30",
        "street": "Markt",
        "house_number": "12",
        "postcode": "6041 EL",
        "city": "Roermond",
        "p0_first_name": "Kevin",
        "p0_last_name": "Peeters",
        "p0_birth_date": "02-04-1988",
        "p0_bsn": bsn,
        "imposed_at": "23-11-2026 07:45",
    }
    for name, value in values.items():
        form.query_one(f"#f-{name}", Input).value = value
    municipality = form.query_one("#f-municipality_id", Select)
    municipality.value = form.specs[0].options[0][1]
    for i, signal in enumerate(RIHG_SIGNALS):
        form.query_one(f"#f-{signal.name}", Select).value = "ja" if i < 6 else "nee"
    form.query_one("#f-conclusie", Select).value = "opleggen"
    form.query_one("#f-decision", Select).value = "impose"


# The store's side of a new screening runs on both databases in tests/test_screening.py; the
# screen's, which is the same on both, on SQLite.
SQLITE_ONLY = pytest.mark.parametrize("db_target", ["sqlite"], indirect=True)


@SQLITE_ONLY
async def test_new_screening_with_the_rihg_imposed_from_the_queue(seeded):
    before = cases(seeded)
    app = app_for(seeded)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("N")
        await wait_for(pilot, lambda: isinstance(app.screen, ScreeningForm))
        await pilot.pause()
        await fill_screening(pilot)
        await pilot.press("f2")
        await wait_for(pilot, lambda: not isinstance(app.screen, ScreeningForm), timeout=10)
        await wait_for(
            pilot, lambda: (cursor_number(app.screen) or "").startswith("HV-2026-"), timeout=10
        )
        number = cursor_number(app.screen)
    with seeded.connect() as conn:
        case = conn.execute(select(Case.__table__).where(Case.__table__.c.number == number)).one()
        kinds = {
            d.kind: d.status
            for d in conn.execute(
                select(Document.__table__).where(Document.__table__.c.case_id == case.id)
            )
        }
        actions = (
            conn.execute(
                select(Event.__table__.c.action)
                .where(Event.__table__.c.case_id == case.id)
                .order_by(Event.__table__.c.id)
            )
            .scalars()
            .all()
        )
    assert cases(seeded) == before + 1
    assert case.status == "imposed" and case.postcode == "6041 EL"
    assert case.imposed_at is not None
    assert kinds == {
        "rihg": "received",
        "beschikking": "requested",
        "proces_verbaal": "requested",
        "zorgadvies": "requested",
        "beleidsadvies": "requested",
    }
    assert actions[:3] == ["case_created", "document_received", "impose"]


@pytest.mark.parametrize(
    "field, bad, words",
    [
        ("p0_bsn", "123456789", "elfproef"),
        ("postcode", "60411 E", "postcode"),
        ("imposed_at", "01-01-2031 10:00", "toekomst"),
        ("p0_birth_date", "31-02-1990", "datum"),
    ],
)
@SQLITE_ONLY
async def test_bad_input_is_shown_at_its_field_and_nothing_is_saved(seeded, field, bad, words):
    before = cases(seeded)
    app = app_for(seeded)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("N")
        await wait_for(pilot, lambda: isinstance(app.screen, ScreeningForm))
        await pilot.pause()
        fill_at_once(app.screen)
        await pilot.pause()
        await type_into(pilot, field, bad)
        await pilot.press("f2")
        form = app.screen
        error = form.query_one(f"#e-{field}", Static)
        await wait_for(pilot, lambda: words in str(error.render()).lower(), timeout=10)
        assert isinstance(app.screen, ScreeningForm)
        assert form.query_one(f"#f-{field}", Input).value == bad  # kept as typed
        assert form.query_one("#f-p0_last_name", Input).value == "Peeters"
    assert cases(seeded) == before


async def test_the_new_screening_key_is_absent_for_a_casemanager(seeded):
    app = app_for(seeded, Actor(name="Lotte", roles=frozenset({"casemanager"})))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await loaded(pilot)
        assert screen.check_action("new_screening", ()) is False
        await pilot.press("N")
        await pilot.pause()
        assert not isinstance(app.screen, ScreeningForm)
