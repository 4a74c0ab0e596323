"""The household on screen (issue 16), with keys only, against a real database: the screening
form takes any number of persons (F3 adds, F4 removes) and refuses a banned person under 18 at
T0 at that person's birth date (18 on the day accepted); a child added
from the case screen (over the database and over the API) shows with its age on the case, as a
flag in the queue and on the timeline; a person corrected shows before and after; a refusal lands
at its field with nothing saved; support is not offered the action; the linked cases of a home
with two banned persons open from each other with one key."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from textual.widgets import Input, Select, Static, TabbedContent

from screens.case import CaseScreen
from screens.case_actions import BY_ID
from screens.case_actions.household import HouseholdForm
from screens.queue_model import QueueModel
from screens.screening import ScreeningForm
from store.household import HOUSEHOLD_PERMISSIONS
from store.interface import Actor
from store.models import Case, CasePerson, Event
from store.sql import SqlStore
from tests.conftest import FROZEN_NOW, make_store
from tests.factories import municipality_id
from tests.test_case_actions_keys import _plain, open_case
from tests.test_case_screen import app_for, goto
from tests.test_queue_screen import loaded, wait_for
from tests.test_screening import screening
from tests.test_screening_screen import app_for as screening_app
from tests.test_screening_screen import cases, fill_at_once

C = Case.__table__.c
P = CasePerson.__table__.c
E = Event.__table__.c
SOON = "HV-2026-00103"  # Kees Martens banned, Sanne Martens achterblijver (tests/queue_data.py)


async def household_form(pilot) -> HouseholdForm:
    await pilot.press("h")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, HouseholdForm))
    form = pilot.app.screen
    # the persons are read when the form opens: the select offers them
    await wait_for(pilot, lambda: len(form.persons) >= 2, timeout=10)
    await pilot.pause()
    return form


async def type_into(pilot, field: str, text: str) -> None:
    pilot.app.screen.query_one(f"#f-{field}", Input).focus()
    await pilot.pause()
    await pilot.press("ctrl+a", "ctrl+k", *text)


async def choose(pilot, field: str, steps: int) -> None:
    select_ = pilot.app.screen.query_one(f"#f-{field}", Select)
    select_.focus()
    await pilot.pause()
    await pilot.press("enter", "home", *(["down"] * steps), "enter")
    await pilot.pause()


def shown(screen: CaseScreen, tab: str) -> str:
    return _plain(screen.query_one(f"#case-{tab}", Static))


def persons(engine, case_id: int) -> dict[str, tuple]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(P.first_name, P.last_name, P.role, P.birth_date, P.phone).where(
                P.case_id == case_id
            )
        ).all()
    return {r.first_name: tuple(r) for r in rows}


def test_the_form_offers_what_the_store_allows():
    assert BY_ID["household"].permissions == HOUSEHOLD_PERMISSIONS


async def test_a_child_added_with_keys_shows_on_the_case_with_its_age(world, backend):
    app = app_for(world, world.ans, backend)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_case(pilot)
        await household_form(pilot)
        # "nieuwe persoon" and the role "kind" come prefilled: the names and the birth date
        await type_into(pilot, "first_name", "Mila")
        await type_into(pilot, "last_name", "Martens")
        await type_into(pilot, "birth_date", "01-05-2017")
        await pilot.press("f2")
        await wait_for(pilot, lambda: not isinstance(app.screen, HouseholdForm), timeout=10)
        await wait_for(pilot, lambda: "Mila" in shown(screen, "overview"), timeout=10)
        overview = shown(screen, "overview")
        assert "Mila Martens, 9 jaar (geboren 01-05-2017)" in overview
        assert "1 kind in het huishouden (Veilig Thuis informeren)" in overview
        screen.query_one(TabbedContent).active = "tab-timeline"
        await wait_for(pilot, lambda: "persoon toegevoegd" in shown(screen, "timeline"))
        assert "kind: Mila Martens, geboren 01-05-2017" in shown(screen, "timeline")
    assert persons(world, world.ids["soon"])["Mila"] == (
        "Mila",
        "Martens",
        "kind",
        date(2017, 5, 1),
        None,
    )


async def test_a_person_is_chosen_corrected_and_the_timeline_says_what_changed(world):
    app = app_for(world, world.ans)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_case(pilot)
        form = await household_form(pilot)
        await choose(pilot, "person", 2)  # nieuwe persoon, Kees, Sanne
        assert form.query_one("#f-last_name", Input).value == "Martens"
        assert form.query_one("#f-birth_date", Input).value == "03-03-1992"
        assert form.query_one("#f-role", Select).value == "achterblijver"
        await type_into(pilot, "last_name", "Martens-Smit")
        await type_into(pilot, "phone", "06 1234 5678")
        await pilot.press("f2")
        await wait_for(pilot, lambda: not isinstance(app.screen, HouseholdForm), timeout=10)
        screen.query_one(TabbedContent).active = "tab-timeline"
        await wait_for(pilot, lambda: "persoon gecorrigeerd" in shown(screen, "timeline"))
        timeline = shown(screen, "timeline")
        assert "achterblijver: achternaam Martens → Martens-Smit" in timeline
        assert "telefoon – → +31612345678" in timeline
    assert persons(world, world.ids["soon"])["Sanne"][1:] == (
        "Martens-Smit",
        "achterblijver",
        date(1992, 3, 3),
        "+31612345678",
    )


async def test_a_refusal_lands_at_its_field_and_nothing_is_saved(world):
    before = persons(world, world.ids["soon"])
    app = app_for(world, world.ans)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_case(pilot)
        form = await household_form(pilot)
        await type_into(pilot, "first_name", "Mila")
        await type_into(pilot, "last_name", "Martens")
        await type_into(pilot, "phone", "0612345678")  # a child: no phone of its own
        await pilot.press("f2")
        error = form.query_one("#e-phone", Static)
        await wait_for(pilot, lambda: "kind" in str(error.render()), timeout=10)
        assert isinstance(app.screen, HouseholdForm)
        await type_into(pilot, "phone", "")
        await type_into(pilot, "bsn", "123456789")
        await pilot.press("f2")
        await wait_for(pilot, lambda: "elfproef" in str(form.query_one("#e-bsn").render()))
        assert form.query_one("#f-first_name", Input).value == "Mila"  # kept as typed
        # a second banned person: refused at the role, with the reason
        await type_into(pilot, "bsn", "")
        await choose(pilot, "role", 0)  # uithuisgeplaatste
        await pilot.press("f2")
        await wait_for(pilot, lambda: "eigen zaak" in str(form.query_one("#e-role").render()))
    assert persons(world, world.ids["soon"]) == before


async def test_support_is_not_offered_the_household(world):
    support = Actor(name="Sam", roles=frozenset({"support"}), username="sam")
    app = app_for(world, support)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_case(pilot)
        assert screen.check_action("case_action", ("household",)) is False
        await pilot.press("h")
        await pilot.pause()
        assert not isinstance(app.screen, HouseholdForm)


def test_a_child_in_the_household_is_a_flag_in_the_queue(world):
    store = SqlStore(world)
    with world.begin() as conn:
        conn.execute(
            CasePerson.__table__.insert().values(
                case_id=world.ids["today"],
                role="achterblijver",
                first_name="Tim",
                last_name="M",
                birth_date=date(2009, 1, 1),  # 17: a child, whatever the role
            )
        )
    model = QueueModel()
    model.replace_all(store.queue_rows(), FROZEN_NOW)
    assert model.flags(world.ids["today"]) == {"B": False, "O": False, "k": True, "E": False}
    assert model.flags(world.ids["soon"])["K"] is True  # child abuse: the capital says more
    assert model.flags(world.ids["later"])["K"] is False  # no child: the letter is off


async def test_linked_cases_open_from_each_other_with_one_key(world):
    store = make_store(world)
    with world.begin() as conn:
        roermond = municipality_id(conn, "Roermond")  # in Ans's region
    new = screening(
        store,
        municipality_id=roermond,
        persons=[
            {"role": "uithuisgeplaatste", "first_name": "Kevin", "last_name": "Peeters"},
            {"role": "uithuisgeplaatste", "first_name": "Ruud", "last_name": "Peeters"},
            {"role": "kind", "first_name": "Mila", "last_name": "Peeters"},
        ],
    )
    [other] = new.linked
    app = app_for(world, world.ans)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await goto(pilot, new.number)
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, CaseScreen)
                and app.screen.detail is not None
                and "Gekoppelde zaken" in shown(app.screen, "overview")
            ),
            timeout=10,
        )
        overview = shown(app.screen, "overview")
        assert f"{other} (opgelegd) · z opent" in overview
        assert "huisgenoot" in overview and "Ruud Peeters" in overview
        await pilot.press("z")
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, CaseScreen)
                and app.screen.number == other
                and new.number in shown(app.screen, "overview")
            ),
            timeout=10,
        )
        await pilot.press("z")
        await wait_for(pilot, lambda: app.screen.number == new.number, timeout=10)
        await pilot.press("escape")  # the case replaced the other: Esc goes back to the queue
        await wait_for(pilot, lambda: not isinstance(app.screen, CaseScreen))


# --- the screening form: the household with keys, adults only ------------------------------------


async def new_screening(pilot) -> ScreeningForm:
    await loaded(pilot)
    await pilot.press("N")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ScreeningForm))
    await pilot.pause()
    fill_at_once(pilot.app.screen)  # where, Kevin (born 1988) and the RiHG, imposed at 07:45
    await pilot.pause()
    return pilot.app.screen


def household_of(engine, number: str) -> dict[str, str]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(P.first_name, P.role)
            .join(Case.__table__, C.id == P.case_id)
            .where(C.number == number)
        ).all()
    return {r.first_name: r.role for r in rows}


def newest(engine, n: int = 1) -> list[tuple]:
    with engine.connect() as conn:
        return conn.execute(
            select(C.number, C.household_id, C.status).order_by(C.id.desc()).limit(n)
        ).all()[::-1]


# The store's side of a screening runs on both databases in tests/test_household.py.
SQLITE_ONLY = pytest.mark.parametrize("db_target", ["sqlite"], indirect=True)


@SQLITE_ONLY
async def test_persons_are_added_and_removed_with_keys_and_empty_ones_are_not_sent(seeded):
    app = screening_app(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await new_screening(pilot)
        await pilot.press("f3")  # a third person, role kind, the cursor on its first name
        await wait_for(
            pilot, lambda: form.focused is not None and form.focused.id == "f-p2_first_name"
        )
        await pilot.press(*"Mila", "tab", *"Peeters", "tab", *"01-05-2017")
        await pilot.press("f3")  # a fourth, then taken away again where the cursor is
        await wait_for(
            pilot, lambda: form.focused is not None and form.focused.id == "f-p3_first_name"
        )
        await pilot.press(*"Foutje")
        await pilot.press("f4")
        await wait_for(pilot, lambda: not form.query("#f-p3_first_name"))
        titles = [str(s.render()) for s in form.query(".form-section")]
        assert any(t.startswith("Persoon 3") for t in titles)
        assert not any(t.startswith("Persoon 4") for t in titles)
        assert form.query_one("#f-p2_first_name", Input).value == "Mila"
        await pilot.press("f2")
        await wait_for(pilot, lambda: not isinstance(app.screen, ScreeningForm), timeout=10)
    [(number, household, status)] = newest(seeded)
    assert status == "imposed" and household is None  # one banned person: a case alone
    # the achterblijver's block was left empty: not sent
    assert household_of(seeded, number) == {"Kevin": "uithuisgeplaatste", "Mila": "kind"}


@SQLITE_ONLY
async def test_a_banned_person_one_day_short_of_18_is_refused_at_that_persons_birth_date(seeded):
    before = cases(seeded)
    app = screening_app(seeded)
    async with app.run_test(size=(100, 30)) as pilot:
        form = await new_screening(pilot)
        await pilot.press("f3")  # the second banned person, in the third block (p1 stays empty)
        await wait_for(
            pilot, lambda: form.focused is not None and form.focused.id == "f-p2_first_name"
        )
        await pilot.press(*"Ruud", "tab", *"Peeters", "tab", *"24-11-2008")
        await choose(pilot, "p2_role", 0)  # uithuisgeplaatste
        await pilot.press("f2")  # T0 23-11-2026 07:45: Ruud is 17 that day
        error = form.query_one("#e-p2_birth_date", Static)
        await wait_for(pilot, lambda: "17 jaar" in str(error.render()), timeout=10)
        assert "Wth art. 2 lid 2" in str(error.render())
        assert str(form.query_one("#e-p0_birth_date", Static).render()) == ""
        assert form.query_one("#f-p2_first_name", Input).value == "Ruud"  # kept as typed
        assert cases(seeded) == before  # nothing saved, not even Kevin's case
        # exactly 18 on T0's local date: both bans are imposed, one case each
        form.query_one("#f-p2_birth_date", Input).focus()
        await pilot.press("ctrl+a", "ctrl+k", *"23-11-2008", "f2")
        await wait_for(pilot, lambda: not isinstance(app.screen, ScreeningForm), timeout=10)
    first, second = newest(seeded, 2)
    assert first.household_id == second.household_id is not None
    assert (first.status, second.status) == ("imposed", "imposed")
    assert household_of(seeded, first.number) == {
        "Kevin": "uithuisgeplaatste",
        "Ruud": "huisgenoot",
    }
    assert household_of(seeded, second.number) == {
        "Kevin": "huisgenoot",
        "Ruud": "uithuisgeplaatste",
    }
