"""The queue, driven with keys only through Textual's Pilot, against real databases."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import update
from textual.widgets import DataTable, Input, Static

from hvo_tui.app import HvoApp
from hvo_tui.domain.localtime import FrozenClock
from screens.help import HelpScreen
from screens.queue import QueueScreen
from store.db import make_engine
from store.models import Case
from store.sql import SqlStore
from tests.conftest import FROZEN_NOW
from tests.factories import seed_case
from tests.queue_data import seed_queue

C = Case.__table__.c


def make_app(engine, backend=None, **kw) -> HvoApp:
    """``backend``: the fixture that runs a test over the SQL and the HTTP store
    (tests/api_fixtures.py)."""
    return HvoApp(
        backend(engine) if backend else SqlStore(engine), clock=FrozenClock(FROZEN_NOW), **kw
    )


async def wait_for(pilot, condition, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not condition():
        if loop.time() > end:
            raise AssertionError("timed out waiting for the screen")
        await pilot.pause(0.05)


async def loaded(pilot) -> QueueScreen:
    screen = pilot.app.screen
    assert isinstance(screen, QueueScreen)
    await wait_for(pilot, lambda: screen.loaded)
    await pilot.pause()
    return screen


def numbers(screen: QueueScreen) -> list[str]:
    table = screen.query_one(DataTable)
    return [table.get_row_at(i)[1].plain for i in range(table.row_count)]


def row_text(screen: QueueScreen, number: str) -> str:
    table = screen.query_one(DataTable)
    for i in range(table.row_count):
        cells = table.get_row_at(i)
        if cells[1].plain == number:
            return " ".join(c.plain for c in cells)
    raise AssertionError(f"{number} not in the table")


def cursor_number(screen: QueueScreen) -> str:
    table = screen.query_one(DataTable)
    return table.get_row_at(table.cursor_row)[1].plain


@pytest.fixture
def queue_engine(engine):
    with engine.begin() as conn:
        ids = seed_queue(conn)
    engine.ids = ids
    return engine


async def test_rows_in_urgency_order_with_countdowns_and_counts(queue_engine, backend):
    app = make_app(queue_engine, backend)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot)
        shown = numbers(screen)
        # Open cases only; the closed one is not there.
        assert sorted(shown) == [
            "HV-2026-00101",
            "HV-2026-00102",
            "HV-2026-00103",
            "HV-2026-00104",
            "HV-2026-00105",
        ]
        # Missed first, then due today, then the nearest; the extended case later.
        assert shown.index("HV-2026-00101") < shown.index("HV-2026-00102")
        assert shown.index("HV-2026-00102") < shown.index("HV-2026-00103")
        assert shown.index("HV-2026-00103") < shown.index("HV-2026-00104")
        assert "te laat" in row_text(screen, "HV-2026-00101")
        assert "vandaag 17:00" in row_text(screen, "HV-2026-00102")
        assert "nog 1 d" in row_text(screen, "HV-2026-00103")
        assert "Lotte Jansen" in row_text(screen, "HV-2026-00101")
        header = str(screen.query_one("#topbar").render())
        assert "5 open" in header and "1 te laat" in header


async def test_detail_pane_shows_persons_partners_and_deadlines(queue_engine, backend):
    app = make_app(queue_engine, backend)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot)
        assert cursor_number(screen) == "HV-2026-00101"
        case = str(screen.query_one("#detail-case", Static).render())
        partners = str(screen.query_one("#detail-partners", Static).render())
        deadlines = str(screen.query_one("#detail-deadlines", Static).render())
        assert "Jan de Vries" in case and "42 jr" in case
        assert "Lotte Jansen" in partners and "06-12345678" in partners
        assert "Ans Verhoeven" in partners
        assert "Termijnen" in deadlines and "Wth" in deadlines
        await pilot.press("j")
        await pilot.pause()
        case = str(screen.query_one("#detail-case", Static).render())
        assert "HV-2026-00102" in case and "Ahmed Benali" in case


async def test_filter_as_you_type_and_escape_clears(queue_engine):
    app = make_app(queue_engine)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await loaded(pilot)
        await pilot.press("slash", *"martens")
        await pilot.pause()
        assert numbers(screen) == ["HV-2026-00103"]  # a person's name
        await pilot.press("enter")  # keep the filter, back to the table
        assert "martens" in str(screen.query_one("#topbar").render())
        await pilot.press("escape")
        await pilot.pause()
        assert len(numbers(screen)) == 5
        await pilot.press("slash", *"leid")  # municipality, case-insensitive
        await pilot.pause()
        assert numbers(screen) == ["HV-2026-00104"]
        await pilot.press("ctrl+u", *"zzzz")
        await pilot.pause()
        assert numbers(screen) == []
        assert "Geen zaken bij dit filter" in str(screen.query_one("#empty", Static).render())


async def test_colon_commands_jump_and_filter_and_keep_bad_input(queue_engine, backend):
    app = make_app(queue_engine, backend)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await loaded(pilot)
        await pilot.press("colon", *"zaak hv-2026-104", "enter")
        await pilot.pause()
        assert cursor_number(screen) == "HV-2026-00104"
        await pilot.press("colon", *"zaak HV-2026-99999", "enter")
        await pilot.pause()
        box = screen.query_one("#command-input", Input)
        assert box.has_class("visible") and box.value == "zaak HV-2026-99999"
        await pilot.press("escape")
        await pilot.press("colon", *"gemeente roer", "enter")
        await pilot.pause()
        assert sorted(numbers(screen)) == ["HV-2026-00102", "HV-2026-00103"]
        await pilot.press("colon", *"status scr", "enter")
        await pilot.pause()
        assert numbers(screen) == []  # Roermond and screening: none
        await pilot.press("colon", *"alles", "enter", "u")
        await pilot.pause()
        assert numbers(screen) == ["HV-2026-00101", "HV-2026-00102"]  # urgent only


async def test_sort_keeps_the_highlighted_case(queue_engine):
    app = make_app(queue_engine)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await loaded(pilot)
        await pilot.press("j", "j")
        highlighted = cursor_number(screen)
        await pilot.press("s")  # by number
        await pilot.pause()
        assert numbers(screen) == sorted(numbers(screen))
        assert cursor_number(screen) == highlighted
        await pilot.press("S")
        await pilot.pause()
        assert numbers(screen) == sorted(numbers(screen), reverse=True)
        assert cursor_number(screen) == highlighted


async def test_mine_needs_an_account_and_then_filters(queue_engine):
    app = make_app(queue_engine, username="lotte")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await loaded(pilot)
        await pilot.press("m")
        await pilot.pause()
        assert sorted(numbers(screen)) == ["HV-2026-00101", "HV-2026-00103"]


async def test_help_lists_every_binding_and_palette_jumps(queue_engine):
    app = make_app(queue_engine)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await loaded(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        help_screen = app.screen
        listed = [d for _, d in help_screen.bindings_shown] + [
            c for c, _ in help_screen.commands_shown
        ]
        for description in (
            "Zoeken",
            "Opdracht",
            "Urgent",
            "Mijn zaken",
            "Sorteren",
            "Omkeren",
            "Stoppen",
            "Vernieuwen",
            ":zaak NUMMER",
        ):
            assert description in listed
        assert "Zoeken" in app.export_screenshot()  # and it is on the screen
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Zaak HV-2026-00104")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        assert cursor_number(screen) == "HV-2026-00104"


async def test_empty_database_shows_empty_state_and_q_quits(engine, backend):
    app = make_app(engine, backend)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot)
        empty = screen.query_one("#empty", Static)
        assert empty.display and "Geen open zaken." in str(empty.render())
        await pilot.press("q")
    assert app.return_code == 0


async def test_a_write_from_another_connection_shows_without_a_key(
    queue_engine, db_target, backend
):
    app = make_app(queue_engine, backend)
    url, schema = db_target
    other = make_engine(url, schema=schema)
    ids = queue_engine.ids
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await loaded(pilot)
            await pilot.press("j")  # highlight the second row
            highlighted = cursor_number(screen)
            with other.begin() as conn:
                conn.execute(
                    update(Case.__table__)
                    .where(C.id == ids["later"])
                    .values(
                        municipality_id=conn.execute(
                            Case.__table__.select().where(C.id == ids["missed"])
                        )
                        .first()
                        .municipality_id,
                        version=C.version + 1,
                    )
                )
                seed_case(
                    conn, number="HV-2026-00106", status="running", t0=FROZEN_NOW.subtract(days=1)
                )
            await wait_for(pilot, lambda: "HV-2026-00106" in numbers(screen), timeout=3)
            await wait_for(pilot, lambda: "Venlo" in row_text(screen, "HV-2026-00104"), timeout=3)
            assert cursor_number(screen) == highlighted  # the cursor stayed on its case
            assert row_text(screen, "HV-2026-00104").startswith("◆")  # marked as changed
            # A case that is closed elsewhere leaves the queue.
            with other.begin() as conn:
                conn.execute(
                    update(Case.__table__)
                    .where(C.id == ids["today"])
                    .values(status="closed", version=C.version + 1)
                )
            await wait_for(pilot, lambda: "HV-2026-00102" not in numbers(screen), timeout=3)
    finally:
        other.dispose()


@pytest.mark.postgres
async def test_lost_connection_shows_banner_keeps_rows_and_recovers(pg_schema_url):
    from sqlalchemy.engine import make_url

    from store.db import open_database
    from tests.tcp_proxy import TcpProxy

    url, schema = pg_schema_url
    direct = open_database(url, auto_upgrade=True, schema=schema)
    with direct.begin() as conn:
        seed_queue(conn)
    real = make_url(url)
    proxy = TcpProxy(real.host or "127.0.0.1", real.port or 5432)
    proxied = make_engine(
        real.set(port=proxy.port).render_as_string(hide_password=False), schema=schema
    )
    app = HvoApp(SqlStore(proxied), clock=FrozenClock(FROZEN_NOW))
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await loaded(pilot)
            before = numbers(screen)
            banner = screen.query_one("#banner", Static)
            proxy.cut()
            await wait_for(pilot, lambda: banner.has_class("visible"), timeout=5)
            assert "verbroken" in str(banner.render()) or "niet bereikbaar" in str(banner.render())
            assert "VERBINDING VERBROKEN" in str(screen.query_one("#topbar").render())
            assert numbers(screen) == before  # the last known rows stay
            # A change made while the app could not see it shows after the reconnect.
            with direct.begin() as conn:
                seed_case(
                    conn, number="HV-2026-00107", status="running", t0=FROZEN_NOW.subtract(days=2)
                )
            proxy.restore()
            await wait_for(pilot, lambda: not banner.has_class("visible"), timeout=10)
            await wait_for(pilot, lambda: "HV-2026-00107" in numbers(screen), timeout=3)
            assert "VERBINDING VERBROKEN" not in str(screen.query_one("#topbar").render())
    finally:
        proxy.close()
        proxied.dispose()
        direct.dispose()


async def test_countdowns_tick_from_the_clock_and_a_case_turning_urgent_raises_a_toast(
    queue_engine,
):
    clock = FrozenClock(FROZEN_NOW)
    app = HvoApp(SqlStore(queue_engine), clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot)
        assert "nog 1 d 13:30" in row_text(screen, "HV-2026-00103")  # day-3 meeting Tue 22:00
        clock.advance(hours=14)  # Monday 22:30: less than 24 hours left
        screen.tick()
        await pilot.pause()
        assert "nog 23:30" in row_text(screen, "HV-2026-00103") or "▲" in row_text(
            screen, "HV-2026-00103"
        )
        assert any("HV-2026-00103 is urgent" in n.message for n in app._notifications)
        clock.advance(days=1, minutes=10)  # Tuesday 22:40: the meeting was due at 22:00
        screen.tick()
        await pilot.pause()
        assert "te laat" in row_text(screen, "HV-2026-00103")
        assert numbers(screen).index("HV-2026-00103") < numbers(screen).index("HV-2026-00104")


def test_hvo_status_prints_the_case_as_tables(sqlite_url, capsys):
    """Through the real CLI, which takes a database URL (the PostgreSQL test schemas are not
    addressable by URL; the store underneath is tested on both databases above)."""
    from hvo_tui.cli import main
    from store.db import open_database

    engine = open_database(sqlite_url, auto_upgrade=True)
    with engine.begin() as conn:
        seed_queue(conn)
    engine.dispose()
    url = sqlite_url
    assert main(["--database", url, "status", "hv-2026-101"]) == 0
    out = capsys.readouterr().out
    for expected in (
        "HV-2026-00101",
        "Venlo",
        "Termijnen",
        "Besluit verlenging",
        "gemist",
        "Lotte Jansen",
        "06-12345678",
        "Documenten",
        "zorgadvies",
    ):
        assert expected in out
    assert main(["--database", url, "status", "HV-2026-99999"]) == 2
    assert "bestaat niet" in capsys.readouterr().err
    assert main(["--database", url, "status", "onzin"]) == 2


def test_scope_and_masking_are_applied_in_the_store_queries(queue_engine):
    """A casemanager sees only her cases, with every partner listed; support sees initials."""
    from store.interface import Actor

    store = SqlStore(queue_engine)
    with queue_engine.connect() as conn:
        lotte = conn.exec_driver_sql("select id from account where username = 'lotte'").scalar()
    store.act_as(
        Actor(
            name="Lotte Jansen",
            roles=frozenset({"casemanager"}),
            account_id=lotte,
            username="lotte",
        )
    )
    rows = {r.number: r for r in store.queue_rows()}
    assert sorted(rows) == ["HV-2026-00101", "HV-2026-00103"]
    assert {p.name for p in rows["HV-2026-00101"].partners} == {"Lotte Jansen", "Ans Verhoeven"}
    assert rows["HV-2026-00101"].facts.persons[0].name == "Jan de Vries"
    assert store.case_by_number("HV-2026-00102") is None  # not hers: not even by number

    support = SqlStore(queue_engine)
    support.act_as(Actor(name="Fatima", roles=frozenset({"support"})))
    row = support.case_by_number("HV-2026-00101")
    person = row.facts.persons[0]
    assert person.name != "Jan de Vries" and person.name.startswith("J.")
    assert person.bsn is None and person.birth_date is None
    assert row.address == "" and row.facts.address is None  # the household's home address
