"""A small database with known counts for the report tests (issue 8), built with tests/factories.

Three municipalities (Roermond and Weert in Midden-Limburg, Leiden in Hollands Midden), seven
cases, five documents with a due moment. Every expected number below is counted by hand from the
rows; the period of most tests is 2026-01-01 to 2026-06-30 (``PERIOD``).

    case  where     opened (local)     T0 (local)         outcome            banned person lives
    HV-1  Roermond  2026-03-10 19:15   2026-03-10 21:15   extended (day 8)   Roermond (6041)
    HV-2  Roermond  2026-04-02 01:05   2026-04-02 03:05   withdrawn (status) Weert (6002)
    HV-3  Roermond  2026-04-15 10:00   -                  not imposed        -
    HV-4  Weert     2026-04-20 19:40   2026-04-20 21:40   withdrawn (doc)    Leiden (2312)
    HV-5  Weert     2026-05-31 22:30   2026-06-01 00:30   extended (day 9)   - (no person)
    HV-6  Leiden    2026-02-14 12:00   2026-02-14 14:00   expired            Leiden (2313)
    HV-7  Roermond  2025-12-31 22:40   2026-01-01 00:10   expired            Roermond (6045)

HV-5 is imposed in June locally but on 31 May in UTC; HV-7 is screened in 2025 and banned in
2026 (local), both on the period's edge.
"""

from __future__ import annotations

from datetime import date, timedelta

import pendulum
from sqlalchemy import insert, update

from hvo_tui.domain.statistics import ReportFilter
from store.models import CasePerson, Municipality
from tests.factories import account_id, add_document, municipality_id, seed_case

PERIOD = ReportFilter(start=date(2026, 1, 1), end=date(2026, 6, 30))

MUNICIPALITIES = {
    # name: (region, population, postcode ranges)
    "Roermond": ("Midden-Limburg", 60_000, "6041-6046"),
    "Weert": ("Midden-Limburg", 50_000, "6001-6006"),
    "Leiden": ("Hollands Midden", 120_000, "2311-2334"),
}


def _local(y, m, d, h, mi):
    return pendulum.datetime(y, m, d, h, mi, tz="Europe/Amsterdam")


def _person(conn, case_id: int, postcode: str) -> None:
    conn.execute(
        insert(CasePerson.__table__).values(
            case_id=case_id,
            role="uithuisgeplaatste",
            first_name="Jan",
            last_name="Test",
            postcode=postcode,
        )
    )


def seed_reports(conn) -> dict[str, int]:
    """The rows of the module docstring; returns case number -> id."""
    mt = Municipality.__table__
    for name, (region, population, postcodes) in MUNICIPALITIES.items():
        mid = municipality_id(conn, name, region)
        conn.execute(
            update(mt).where(mt.c.id == mid).values(population=population, postcodes=postcodes)
        )
    ids: dict[str, int] = {}

    def ban(number, where, t0, status="closed", **values):
        ids[number] = seed_case(
            conn,
            number=number,
            municipality=where,
            region=MUNICIPALITIES[where][0],
            status=status,
            t0=t0,
            **values,
        )
        return ids[number]

    t1 = _local(2026, 3, 10, 21, 15)
    ban(
        "HV-2026-00001",
        "Roermond",
        t1,
        extended_until=t1.add(days=28),
        extension_decided_at=t1.add(hours=192),
    )
    t2 = _local(2026, 4, 2, 3, 5)
    ban("HV-2026-00002", "Roermond", t2, status="withdrawn")
    ids["HV-2026-00003"] = seed_case(
        conn,
        number="HV-2026-00003",
        municipality="Roermond",
        status="not_imposed",
        screening=True,
        t0=_local(2026, 4, 15, 12, 0),
    )  # opened two hours before: 10:00
    t4 = _local(2026, 4, 20, 21, 40)
    ban("HV-2026-00004", "Weert", t4)
    t5 = _local(2026, 6, 1, 0, 30)
    ban(
        "HV-2026-00005",
        "Weert",
        t5,
        status="extended",
        extended_until=t5.add(days=20),
        extension_decided_at=t5.add(hours=216),
    )
    t6 = _local(2026, 2, 14, 14, 0)
    ban("HV-2026-00006", "Leiden", t6)
    t7 = _local(2026, 1, 1, 0, 10)
    ban("HV-2026-00007", "Roermond", t7, opened_at=_local(2025, 12, 31, 22, 40))

    _person(conn, ids["HV-2026-00001"], "6041 AB")
    _person(conn, ids["HV-2026-00002"], "6002 XX")
    _person(conn, ids["HV-2026-00004"], "2312 AA")
    _person(conn, ids["HV-2026-00006"], "2313 BB")
    _person(conn, ids["HV-2026-00007"], "6045 CD")

    agent_r = account_id(
        conn, "agent.r", "Agent Roermond", role="politie", organisation="Politie Roermond"
    )
    agent_w = account_id(
        conn, "agent.w", "Agent Weert", role="politie", organisation="Politie Weert"
    )
    cm = account_id(conn, "cm.amw", "Casemanager AMW", role="casemanager")  # AMW Midden-Limburg
    o1, o2, o4 = (t - timedelta(hours=2) for t in (t1, t2, t4))
    # RiHG: 90, 30 and 60 minutes from request to receipt; HV-2's was due after 15 minutes.
    add_document(
        conn,
        ids["HV-2026-00001"],
        "rihg",
        requested_from_role="politie",
        requested_from_account_id=agent_r,
        requested_at=o1,
        due_at=o1 + timedelta(hours=4),
        received_at=o1 + timedelta(minutes=90),
    )
    add_document(
        conn,
        ids["HV-2026-00002"],
        "rihg",
        requested_from_role="politie",
        requested_from_account_id=agent_r,
        requested_at=o2,
        due_at=o2 + timedelta(minutes=15),
        received_at=o2 + timedelta(minutes=30),
    )
    add_document(
        conn,
        ids["HV-2026-00004"],
        "rihg",
        requested_from_role="politie",
        requested_from_account_id=agent_w,
        requested_at=o4,
        due_at=o4 + timedelta(hours=4),
        received_at=o4 + timedelta(minutes=60),
    )
    # A zorgadvies never delivered (due 9 June), a beleidsadvies a day late without an account.
    add_document(
        conn,
        ids["HV-2026-00005"],
        "zorgadvies",
        status="requested",
        requested_from_role="casemanager",
        requested_from_account_id=cm,
        requested_at=t5.add(days=1),
        due_at=t5.add(days=8),
    )
    add_document(
        conn,
        ids["HV-2026-00001"],
        "beleidsadvies",
        requested_from_role="gemeente",
        requested_at=t1.add(days=2),
        due_at=t1.add(days=8),
        received_at=t1.add(days=9),
    )
    # HV-4 is withdrawn by its signed beschikking intrekken (the case itself is closed).
    add_document(
        conn, ids["HV-2026-00004"], "intrekking", status="signed", received_at=t4.add(days=5)
    )
    return ids
