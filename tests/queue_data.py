"""A small, fixed set of cases around FROZEN_NOW (Monday 23 Nov 2026 08:30) for the queue's
Pilot and snapshot tests: one of every urgency, a screening, a closed case."""

from __future__ import annotations

from datetime import date

import pendulum

from tests.factories import (
    add_document,
    add_meeting,
    add_partner,
    add_person,
    add_serving,
    seed_case,
)


def at(day: int, hour: int, minute: int = 0, month: int = 11):
    return pendulum.datetime(2026, month, day, hour, minute, tz="Europe/Amsterdam")


def _informed(t0):
    """Everything the law wants right after T0, done: so only the deadlines a test means count."""
    soon = t0.add(hours=1)
    return dict(
        mayor_informed_at=soon,
        household_informed_at=soon,
        vt_informed_at=soon,
        reachable_address_at=soon,
        imposed_by_hovj=True,
    )


def _basics(conn, case_id, t0):
    if t0.add(days=3) < at(23, 8, 30):
        add_meeting(conn, case_id, t0.add(days=3))
    for kind in ("rihg", "beschikking", "proces_verbaal"):
        add_document(conn, case_id, kind, "received", received_at=t0.add(hours=2))


def seed_queue(conn) -> dict[str, int]:
    """Returns case ids by a short name."""
    ids: dict[str, int] = {}
    # Ended last night without a decision on extension: missed.
    t0 = at(12, 21, 10)
    ids["missed"] = seed_case(
        conn,
        number="HV-2026-00101",
        status="advice_received",
        t0=t0,
        municipality="Venlo",
        region="Noord-Limburg",
        **_informed(t0),
    )
    _basics(conn, ids["missed"], t0)
    for kind in ("zorgadvies", "beleidsadvies"):
        add_document(conn, ids["missed"], kind, "received", received_at=at(20, 10))
    add_person(conn, ids["missed"], "Jan", "de Vries", birth=date(1984, 5, 2), bsn="111222333")
    add_partner(conn, ids["missed"], "casemanager", "lotte", "Lotte Jansen")
    add_partner(
        conn,
        ids["missed"],
        "procesmanager",
        "ans",
        "Ans Verhoeven",
        organisation="Zorg- en Veiligheidshuis Midden-Limburg",
        regions=("Midden-Limburg",),  # she sees the region's cases, and those she is partner on
    )

    # Ends today at 17:00; both advices in.
    t0 = at(13, 17, 0)
    ids["today"] = seed_case(
        conn,
        number="HV-2026-00102",
        status="advice_received",
        t0=t0,
        municipality="Roermond",
        **_informed(t0),
    )
    _basics(conn, ids["today"], t0)
    for kind in ("zorgadvies", "beleidsadvies"):
        add_document(conn, ids["today"], kind, "received", received_at=at(21, 9))
    add_person(conn, ids["today"], "Ahmed", "Benali", birth=date(1979, 1, 30))
    add_partner(
        conn,
        ids["today"],
        "procesmanager",
        "ans",
        "Ans Verhoeven",
        organisation="Zorg- en Veiligheidshuis Midden-Limburg",
        regions=("Midden-Limburg",),  # she sees the region's cases, and those she is partner on
    )

    # Imposed Saturday night: the day-3 meeting is due Tuesday night.
    t0 = at(21, 22, 0)
    ids["soon"] = seed_case(
        conn,
        number="HV-2026-00103",
        status="running",
        t0=t0,
        municipality="Roermond",
        child_abuse=True,
        vt_consulted_at=t0.subtract(hours=1),
        **_informed(t0),
    )
    _basics(conn, ids["soon"], t0)
    add_person(conn, ids["soon"], "Kees", "Martens", birth=date(1990, 7, 14))
    add_person(conn, ids["soon"], "Sanne", "Martens", role="achterblijver", birth=date(1992, 3, 3))
    add_partner(conn, ids["soon"], "casemanager", "lotte", "Lotte Jansen")

    # Extended to 5 December: nothing due for a while.
    t0 = at(10, 19, 30)
    ids["later"] = seed_case(
        conn,
        number="HV-2026-00104",
        status="extended",
        t0=t0,
        municipality="Leiden",
        region="Hollands Midden",
        extended_until=at(5, 19, 30, month=12),
        extension_decided_at=at(19, 16),
        decided_at=at(19, 16),
        **_informed(t0),
    )
    _basics(conn, ids["later"], t0)
    for kind in ("zorgadvies", "beleidsadvies", "verlenging"):
        verlenging = add_document(conn, ids["later"], kind, "received", received_at=at(18, 12))
    # The extension reached the banned person before the ban's end (issue 16: else it is missed).
    add_serving(conn, ids["later"], verlenging, at(19, 18))
    add_person(conn, ids["later"], "Piet", "Bakker", birth=date(1975, 11, 11))

    # A screening started this morning.
    ids["screening"] = seed_case(
        conn,
        number="HV-2026-00105",
        status="screening",
        t0=at(23, 7, 0),
        municipality="Gouda",
        region="Hollands Midden",
        screening=True,
    )

    # Closed: never in the queue.
    ids["closed"] = seed_case(
        conn,
        number="HV-2026-00001",
        status="closed",
        t0=at(1, 12, 0, month=10),
        closed_at=at(20, 12, 0, month=10),
    )
    return ids
