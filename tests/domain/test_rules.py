from __future__ import annotations

import pytest

from hvo_tui.domain import DomainError, RegionRules


def test_defaults_are_those_of_domain_md():
    r = RegionRules()
    assert (r.meeting_day, r.advice_day, r.advice_warn_day, r.retention_years) == (3, 8, 7, 5)
    assert (r.informed_hours, r.reachable_hours, r.appeal_hearing_days, r.proces_verbaal_day) == (
        24,
        24,
        3,
        1,
    )


def test_from_toml_reads_values_and_keeps_defaults():
    r = RegionRules.from_toml("meeting_day = 2\nadvice_day = 9\n")
    assert (r.meeting_day, r.advice_day, r.advice_warn_day) == (2, 9, 7)


def test_round_trip_through_toml():
    r = RegionRules(meeting_day=4, informed_hours=12)
    assert RegionRules.from_toml(r.to_toml()) == r


def test_unknown_key_gives_a_suggestion():
    with pytest.raises(DomainError) as err:
        RegionRules.from_toml("meeting_dag = 3\n")
    assert "bedoelde u 'meeting_day'?" in err.value.message
    assert err.value.field == "meeting_dag"


def test_unknown_key_without_look_alike_lists_the_known_keys():
    with pytest.raises(DomainError) as err:
        RegionRules.from_mapping({"kleur": "blauw"})
    assert "bedoelde" not in err.value.message and "advice_day" in err.value.message


@pytest.mark.parametrize(
    "text, field",
    [
        ('advice_day = "acht"', "advice_day"),
        ("advice_day = 8.0", "advice_day"),
        ("meeting_day = true", "meeting_day"),
        ("advice_day = 11", "advice_day"),
        ("retention_years = 4", "retention_years"),  # below the legal 5 years
        ("reachable_hours = 48", "reachable_hours"),  # the law says within 24 h
        ("appeal_hearing_days = 5", "appeal_hearing_days"),
        ("advice_warn_day = 9\nadvice_day = 8", "advice_warn_day"),
    ],
)
def test_wrong_types_and_ranges_are_refused(text, field):
    with pytest.raises(DomainError) as err:
        RegionRules.from_toml(text)
    assert err.value.field == field
    assert err.value.message


def test_invalid_toml_is_a_domain_error():
    with pytest.raises(DomainError) as err:
        RegionRules.from_toml("advice_day = = 8")
    assert "TOML" in err.value.message


def test_direct_construction_is_validated_too():
    with pytest.raises(DomainError):
        RegionRules(meeting_day=-1)
