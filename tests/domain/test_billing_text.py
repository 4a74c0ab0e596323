"""The statements a municipality is sent: file names from the municipality's name, and a
statement without any cost still says so."""

from __future__ import annotations

from datetime import date

from hvo_tui.domain.billing import MunicipalityInfo, RegionUsage, compute_invoice, parse_period
from hvo_tui.domain.billing_text import slug, statement_files

from .test_billing import TARIFF


def test_slug_is_lower_case_ascii_with_hyphens():
    assert slug("Roermond") == "roermond"
    assert slug("Súdwest-Fryslân") == "sudwest-fryslan"
    assert slug("Bergen (L.)") == "bergen-l"
    assert slug("  's-Hertogenbosch ") == "s-hertogenbosch"
    assert slug("Echt-Susteren") == "echt-susteren"


def test_statement_files_per_municipality_never_twice_the_same_name():
    usage = RegionUsage(
        "Noord",
        (
            MunicipalityInfo(1, "Bergen (L.)", 13000),
            MunicipalityInfo(2, "Bergen-L", 30000),
            MunicipalityInfo(3, "Ærø", 6000),
        ),
        (),
    )
    inv = compute_invoice(usage, parse_period("2026-07"), TARIFF)
    files = statement_files(inv, date(2026, 8, 3))
    assert [f.name for f in files] == [
        "rekening-2026-07-bergen-l.txt",
        "rekening-2026-07-bergen-l.csv",
        "rekening-2026-07-bergen-l-2.txt",
        "rekening-2026-07-bergen-l-2.csv",
        "rekening-2026-07-aero.txt",
        "rekening-2026-07-aero.csv",
    ]
    text = files[0].text
    assert "Gemeente:   Bergen (L.) (13.000 inwoners)" in text
    assert "Opgemaakt:  03-08-2026" in text
    assert "Geen kosten in deze periode." in text
    assert " ".join(text.split("Totaal te betalen")[1].split()[:2]) == "€ 0,00"
    assert files[1].text == (
        "regio,periode,gemeente,post,aantal,tarief,bedrag,toelichting\n"
        "Noord,2026-07,Bergen (L.),Totaal,,,0.00,\n"
    )
