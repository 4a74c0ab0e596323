"""The standard forms as data: the RiHG's 20 signals in three parts, and the field checks."""

from __future__ import annotations

from hvo_tui.domain.standard_forms import (
    RIHG_PARTS,
    RIHG_SIGNALS,
    STANDARD_FORMS,
    check_fields,
    form_fields,
    rihg_summary,
)
from hvo_tui.domain.vocab import DocumentKind


def test_the_rihg_has_twenty_signals_in_three_parts():
    assert len(RIHG_SIGNALS) == 20
    parts = [part for part, _ in RIHG_PARTS]
    assert parts == ["pleger", "incident", "gezin"]
    assert all(sum(s.part == p for s in RIHG_SIGNALS) >= 5 for p in parts)
    assert len({s.name for s in RIHG_SIGNALS}) == 20


def test_every_document_kind_has_a_form_with_unique_fields():
    assert set(STANDARD_FORMS) == set(DocumentKind)
    for kind in DocumentKind:
        names = [f.name for f in form_fields(kind)]
        assert len(names) == len(set(names)) and "samenvatting" in names


def test_check_fields_reports_missing_and_bad_choices_and_keeps_unknown_fields():
    ok, problems = check_fields(
        "zorgadvies",
        {"advies": "verlengen", "hulp_gestart": "ja", "motivering": "  hulp loopt  "},
        complete=True,
    )
    assert problems == {} and ok["motivering"] == "hulp loopt"
    ok, problems = check_fields(
        "zorgadvies", {"advies": "misschien", "kleur": "rood"}, complete=True
    )
    assert set(problems) == {"advies", "hulp_gestart", "motivering"} and ok == {"kleur": "rood"}
    assert "kies een van" in problems["advies"] and "verplicht" in problems["motivering"]
    # The store's partial check: what is given must fit, nothing else is demanded.
    assert check_fields("zorgadvies", {"advies": "misschien"})[1].keys() == {"advies"}
    assert check_fields("beleidsadvies", {"samenvatting": "per post"}) == (
        {"samenvatting": "per post"},
        {},
    )


def test_rihg_summary_counts_per_part():
    values = {s.name: "nee" for s in RIHG_SIGNALS}
    values.update(s01="ja", s02="ja", s08="ja", s20="onbekend")
    assert (
        rihg_summary(values)
        == "3 van 20 signalen: ja (1 onbekend) · pleger 2, incident 1, gezinsachtergrond 0"
    )
