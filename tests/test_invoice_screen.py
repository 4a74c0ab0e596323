"""The invoice screen, driven with keys through Pilot on real databases: the beheerder opens it from
the command palette, reads every municipality's total and a line's explanation, changes the period;
anyone else neither finds it nor sees it."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input, Static

from hvo_tui.app import HvoApp
from hvo_tui.domain.billing import parse_period
from hvo_tui.domain.localtime import FrozenClock
from screens.invoice import NO_INVOICE, InvoiceScreen, last_quarter
from screens.queue import QueueScreen
from store.interface import Actor, Refused
from store.sql import SqlStore
from tests.billing_data import seed_billing
from tests.conftest import FROZEN_NOW
from tests.test_queue_screen import wait_for  # noqa: E402

BEHEERDER = Actor(
    name="Peter de Graaf", roles=frozenset({"beheerder"}), username="peter", regions=("Testregio",)
)
PROCESMANAGER = Actor(
    name="Ans Verhoeven", roles=frozenset({"procesmanager"}), username="ans", regions=("Testregio",)
)


def make_app(engine, actor: Actor) -> HvoApp:
    return HvoApp(
        SqlStore(engine), clock=FrozenClock(FROZEN_NOW), actor=actor, username=actor.username
    )


def rows(screen: InvoiceScreen) -> list[list[str]]:
    table = screen.query_one(DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def open_from_palette(pilot) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.loaded)
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*"Rekening per gemeente")
    await pilot.pause(0.3)
    await pilot.press("enter")
    await pilot.pause()


def test_last_quarter():
    assert last_quarter(FROZEN_NOW) == "2026-Q3"
    assert last_quarter(FROZEN_NOW.replace(month=2)) == "2025-Q4"


async def test_beheerder_opens_the_invoice_from_the_palette(engine):
    seed_billing(engine)
    app = make_app(engine, BEHEERDER)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_from_palette(pilot)
        screen = app.screen
        assert isinstance(screen, InvoiceScreen)
        await wait_for(pilot, lambda: screen.loaded)
        assert screen.query_one("#invoice-period", Input).value == "2026-Q3"
        summary = text_of(screen, "#invoice-summary")
        assert "Rekening Testregio · 2026-Q3" in summary
        assert "totaal € 385,00 (eigen kosten € 200,00 + gedeeld € 185,00)" in summary
        table = rows(screen)
        totals = {r[1]: r[4] for r in table if r[1].startswith("Totaal")}
        assert totals == {
            "Totaal Aa": "€ 288,50",
            "Totaal Bee": "€ 30,83",
            "Totaal Cee": "€ 65,67",
            "Totaal gedeeld": "€ 185,00",
        }
        assert table[-1][:2] == ["Totaal", "Regio Testregio"] and table[-1][4] == "€ 385,00"
        # The first line (Aa's connection fee) explains itself below the table.
        assert table[0][:5] == ["Aa", "Aansluiting nieuwe accounts", "1", "€ 75,00", "€ 75,00"]
        assert "a.new (aangemaakt 15-08-2026)" in text_of(screen, "#invoice-explanation")
        herstel = next(i for i, r in enumerate(table) if r[1] == "Herstelbeschikking")
        for _ in range(herstel):
            await pilot.press("j")
        await pilot.pause()
        assert "zaken: HV-2026-00001 (2x)" in text_of(screen, "#invoice-explanation")

        # Another period: p, type, Enter.
        await pilot.press("p")
        field = screen.query_one("#invoice-period", Input)
        field.value = ""
        await pilot.press(*"2026-Q4", "enter")
        await wait_for(pilot, lambda: screen.invoice.period.label == "2026-Q4")
        await pilot.pause()
        assert ["Cee", "Beschikking intrekken", "1", "€ 4,00", "€ 4,00"] in rows(screen)

        await pilot.press("p")
        field.value = ""
        await pilot.press(*"2026-Q9", "enter")
        await pilot.pause()
        assert "onbekende periode '2026-Q9'" in text_of(screen, "#banner")

        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)


def test_the_store_refuses_the_use_to_others(engine):
    seed_billing(engine)
    store = SqlStore(engine)
    assert store.billing_regions(BEHEERDER) == ["Anders", "Testregio"]
    q3 = parse_period("2026-Q3")
    assert store.billing_usage(BEHEERDER, "Testregio", q3).region == "Testregio"
    for call in (
        lambda: store.billing_regions(PROCESMANAGER),
        lambda: store.billing_usage(PROCESMANAGER, "Testregio", q3),
    ):
        with pytest.raises(Refused, match="Alleen een functioneel beheerder"):
            call()


async def test_others_neither_find_nor_see_the_invoice(engine):
    seed_billing(engine)
    app = make_app(engine, PROCESMANAGER)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_from_palette(pilot)
        assert not isinstance(app.screen, InvoiceScreen)
        await pilot.press("escape")
        await pilot.pause()
        app.push_screen(InvoiceScreen())
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, InvoiceScreen)
        assert NO_INVOICE in text_of(screen, "#banner")
        assert not screen.query_one(DataTable).display and screen.invoice is None


@pytest.mark.parametrize("db_target", ["sqlite"], indirect=True)  # the store side: test_cli_costs
async def test_e_exports_a_statement_per_municipality(engine, tmp_path, monkeypatch):
    from screens.invoice import ExportScreen

    monkeypatch.setenv("HOME", str(tmp_path))  # the suggested folder is under ~
    (tmp_path / "bestand").write_text("geen map", encoding="utf-8")
    seed_billing(engine)
    app = make_app(engine, BEHEERDER)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_from_palette(pilot)
        screen = app.screen
        await wait_for(pilot, lambda: screen.loaded)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen))
        dialog = app.screen
        field = dialog.query_one("#export-path", Input)
        assert field.value == "~/hvo-rekeningen/2026-Q3-testregio"
        assert "3 gemeenten, 6 bestanden" in str(
            dialog.query_one(".accounts-intro", Static).render()
        )

        # A bad folder: said next to the field, which keeps what was typed; nothing written.
        field.value = str(tmp_path / "bestand" / "rekeningen")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog and field.value == str(tmp_path / "bestand" / "rekeningen")
        error = dialog.query_one("#e-export-path", Static)
        assert error.has_class("visible") and "is een bestand, geen map" in str(error.render())

        field.value = "~/hvo-rekeningen/2026-Q3-testregio"
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen)
        folder = tmp_path / "hvo-rekeningen" / "2026-Q3-testregio"
        assert sorted(p.name for p in folder.iterdir()) == sorted(
            f"rekening-2026-Q3-{m}.{ext}" for m in ("aa", "bee", "cee") for ext in ("txt", "csv")
        )
        aa = (folder / "rekening-2026-Q3-aa.txt").read_text(encoding="utf-8")
        assert f"Opgemaakt:  {app.clock.now():%d-%m-%Y}" in aa
        assert " ".join(aa.split("Totaal te betalen")[1].split()[:2]) == "€ 288,50"
        assert [n.message for n in app._notifications] == [f"6 bestanden geschreven in {folder}"]

        # Again: the files are there; only a second Enter on the same folder overwrites them.
        (folder / "rekening-2026-Q3-bee.txt").write_text("eigen versie", encoding="utf-8")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen))
        dialog = app.screen
        await pilot.press("enter")
        await pilot.pause()
        error = dialog.query_one("#e-export-path", Static)
        assert app.screen is dialog and "bestaan al 6 van de 6" in str(error.render())
        assert "Enter nogmaals" in str(error.render())
        assert (folder / "rekening-2026-Q3-bee.txt").read_text(encoding="utf-8") == "eigen versie"
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen)
        assert "Totaal te betalen" in (folder / "rekening-2026-Q3-bee.txt").read_text("utf-8")
        assert len(app._notifications) == 2
