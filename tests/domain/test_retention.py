"""Retention: which cases are past their term, counted from the last decision, per region; and
which free text leaves the event details when a case is destroyed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hvo_tui.domain import DomainError, RegionRules
from hvo_tui.domain import retention_end as lifecycle_retention_end
from hvo_tui.domain.retention import (
    MIN_RETENTION_YEARS,
    REDACTED,
    last_decision,
    overdue_open,
    past_retention,
    purgeable,
    redact_details,
    retention_end,
)
from hvo_tui.domain.vocab import CaseStatus

from .helpers import T0, at, case

DECIDED = at(2019, 6, 3, 14, 0)
CLOSED = case(CaseStatus.CLOSED, decided_at=DECIDED, closed_at=at(2019, 6, 20, 9, 0))


def test_term_counts_from_the_last_decision_by_default_five_years():
    assert retention_end(CLOSED) == at(2024, 6, 3, 14, 0)
    assert not purgeable(CLOSED, RegionRules(), at(2024, 6, 3, 13, 59))
    assert purgeable(CLOSED, RegionRules(), at(2024, 6, 3, 14, 0))


def test_the_latest_decision_counts_extension_and_appeal_included():
    c = case(
        CaseStatus.ARCHIVED,
        decided_at=DECIDED,
        extension_decided_at=at(2019, 6, 12, 10),
        appeal_decided_at=at(2020, 1, 15, 11),
        closed_at=at(2019, 7, 1, 9),
    )
    assert last_decision(c) == at(2020, 1, 15, 11)
    assert not purgeable(c, RegionRules(), at(2024, 12, 31, 12))
    assert purgeable(c, RegionRules(), at(2025, 1, 15, 11))


def test_without_a_decision_the_closing_then_the_opening_counts():
    closed = case(CaseStatus.CLOSED, t0=None, closed_at=at(2018, 2, 1, 9))
    assert last_decision(closed) == at(2018, 2, 1, 9)
    never = case(CaseStatus.SCREENING, t0=None, opened_at=at(2017, 5, 5, 5))
    assert last_decision(never) == at(2017, 5, 5, 5)


def test_the_region_may_keep_longer_never_shorter_than_five_years():
    longer = RegionRules(retention_years=7)
    assert not purgeable(CLOSED, longer, at(2025, 1, 1, 12))
    assert purgeable(CLOSED, longer, at(2026, 6, 3, 14))
    assert RegionRules.from_toml("retention_years = 10\n").retention_years == 10
    with pytest.raises(DomainError, match="bewaartermijn"):
        RegionRules(retention_years=MIN_RETENTION_YEARS - 1)


def test_only_closed_and_archived_cases_are_purged_open_ones_are_reported():
    later = at(2030, 1, 1, 12)
    assert purgeable(CLOSED, RegionRules(), later)
    archived = case(CaseStatus.ARCHIVED, decided_at=DECIDED)
    assert purgeable(archived, RegionRules(), later)
    running = case(CaseStatus.EXPIRED, decided_at=DECIDED)  # decided but never closed
    assert not purgeable(running, RegionRules(), later)
    assert overdue_open(running, RegionRules(), later)
    destroyed = case(CaseStatus.DESTROYED, decided_at=DECIDED)
    assert not purgeable(destroyed, RegionRules(), later)
    assert not overdue_open(destroyed, RegionRules(), later)
    assert not past_retention(destroyed, RegionRules(), later)


def test_a_decision_on_29_february_ends_on_28_february():
    leap = case(CaseStatus.CLOSED, decided_at=at(2020, 2, 29, 10))
    assert retention_end(leap) == at(2025, 2, 28, 10)


def test_the_life_cycle_uses_the_same_term():
    c = case(CaseStatus.ARCHIVED, decided_at=DECIDED)
    assert lifecycle_retention_end(c, RegionRules(retention_years=6)) == retention_end(
        c, RegionRules(retention_years=6)
    )


def test_a_naive_now_is_refused():
    from datetime import datetime

    with pytest.raises(DomainError):
        past_retention(CLOSED, RegionRules(), datetime(2030, 1, 1))


@given(st.integers(min_value=5, max_value=20), st.integers(min_value=0, max_value=4000))
def test_purgeable_exactly_from_the_term_on(years, days_after_t0):
    decided = T0.add(days=days_after_t0)
    c = case(CaseStatus.ARCHIVED, decided_at=decided)
    rules = RegionRules(retention_years=years)
    end = retention_end(c, rules)
    assert end >= decided.add(years=years).subtract(days=1)
    assert not purgeable(c, rules, end.subtract(seconds=1))
    assert purgeable(c, rules, end)


# --- event details ------------------------------------------------------------------------------


def test_free_text_is_replaced_codes_and_moments_stay():
    details = {
        "voor": {"status": "running", "appeal_outcome": "Jan de Vries wint"},
        "na": {"status": "closed", "appeal_outcome": None},
        "reden": "dader verhuisd naar Markt 3",
        "document_id": 7,
        "uiterlijk": "2019-06-03T14:00:00+02:00",
    }
    clean, paths = redact_details(details)
    assert clean == {
        "voor": {"status": "running", "appeal_outcome": REDACTED},
        "na": {"status": "closed", "appeal_outcome": None},
        "reden": REDACTED,
        "document_id": 7,
        "uiterlijk": "2019-06-03T14:00:00+02:00",
    }
    assert sorted(paths) == ["reden", "voor.appeal_outcome"]
    assert details["reden"] == "dader verhuisd naar Markt 3"  # the input is left alone


def test_nested_lists_are_searched_and_redacting_twice_changes_nothing():
    details = {
        "na": {"status": "received", "auteur": "brigadier K. Smit"},
        "items": [{"tekst": "Piet"}, {"soort": "note"}],
    }
    once, paths = redact_details(details)
    assert paths == ["na.auteur", "items[0].tekst"]
    twice, again = redact_details(once)
    assert twice == once and again == []


def test_details_without_free_text_are_unchanged():
    details = {"note_id": 3, "soort": "note"}
    assert redact_details(details) == (details, [])
    assert redact_details({}) == ({}, [])
