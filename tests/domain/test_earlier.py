from __future__ import annotations

from dataclasses import replace
from datetime import date

from hvo_tui.domain import address_key, earlier_label, find_earlier, person_keys
from hvo_tui.domain.vocab import CaseStatus, PersonRole

from .helpers import at, case, person

BSN = "111222333"  # passes the elfproef


def now_case(**kw):
    return case(CaseStatus.RUNNING, t0=at(2026, 11, 20, 22), number="HV-2026-00100", **kw)


def old_case(number, year=2024, **kw):
    return case(CaseStatus.CLOSED, t0=at(year, 5, 1, 21), number=number, **kw)


def test_person_keys():
    p = person("  José  van   den Berg ", date(1980, 2, 29), BSN)
    assert person_keys(p) == {"bsn:111222333", "naam:jose van den berg|1980-02-29"}
    assert person_keys(person("Jan", None, "123456789")) == set()  # invalid BSN, no birth date


def test_match_by_bsn():
    me = now_case(persons=(person("Piet Jansen", None, BSN),))
    other = old_case("HV-2024-00001", persons=(person("P. Jansen", None, BSN),))
    stranger = old_case("HV-2024-00002", persons=(person("Piet Jansen", None, "123456782"),))
    assert find_earlier(me, [other, stranger]) == [other]


def test_match_by_name_and_birth_date_across_accents_and_case():
    me = now_case(persons=(person("Zoë  Ándersson-de Vries", date(1990, 1, 2)),))
    other = old_case(
        "HV-2024-00003",
        persons=(
            person("zoe andersson de vries", date(1990, 1, 2), role=PersonRole.ACHTERBLIJVER),
        ),
    )
    other_born = old_case(
        "HV-2024-00004", persons=(person("Zoe Andersson de Vries", date(1990, 1, 3)),)
    )
    assert find_earlier(me, [other, other_born]) == [other]


def test_match_by_address():
    assert address_key("Kerkstraat 12a, 6041 AB Roermond") == address_key(
        "kerkstraat 12 A, 6041ab ROERMOND"
    )
    assert address_key("Kerkstraat 12, 6041 AB Roermond") != address_key(
        "Kerkstraat 12a, 6041 AB Roermond"
    )
    assert address_key("Kerkstraat 12, Roermond") == "straat:kerkstraat|12|roermond"
    assert address_key("Kerkstraat, Roermond") is None
    me = now_case(address="Kerkstraat 12a, 6041 AB Roermond")
    same = old_case("HV-2024-00005", address="Kerkstraat 12 A, 6041AB Roermond")
    other = old_case("HV-2024-00006", address="Kerkstraat 14, 6041 AB Roermond")
    assert find_earlier(me, [same, other]) == [same]


def test_only_earlier_bans_never_itself_most_recent_first():
    p = (person("Piet Jansen", None, BSN),)
    me = now_case(persons=p)
    a = old_case("HV-2023-00001", year=2023, persons=p)
    b = old_case("HV-2025-00001", year=2025, persons=p)
    later = case(CaseStatus.RUNNING, t0=at(2026, 11, 22, 1), number="HV-2026-00200", persons=p)
    screening = case(
        CaseStatus.NOT_IMPOSED, t0=None, number="HV-2024-00009", persons=p, opened_at=at(2024, 1, 1)
    )
    destroyed = replace(a, number="HV-2019-00001", status=CaseStatus.DESTROYED)
    found = find_earlier(me, [me, a, b, later, screening, destroyed])
    assert [c.number for c in found] == ["HV-2025-00001", "HV-2023-00001"]
    assert len(find_earlier(me, [a, screening], bans_only=False)) == 2


def test_earlier_label():
    assert earlier_label(0) == ""
    assert earlier_label(1) == "eerder huisverbod"
    assert earlier_label(2) == "eerder huisverbod (2x)"
