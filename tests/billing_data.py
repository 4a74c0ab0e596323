"""A small region with known use in 2026-Q3, for the billing store and CLI tests.

Testregio: Aa (30,000 inhabitants), Bee (10,000), Cee (20,000); a second region, Anders, whose
use must never show. Expected, with tests/domain/test_billing.TARIFF-like tariffs:

- Gemeente Aa: a.new created 15-08 (connection), a.one, a.gone (deactivated 10-07); burgemeester
  free. Gemeente Bee: only its (free) bestuurlijk account.
- Shared: Politie X (p.one), ZVH (v.new, created 30-09 23:59 local). Not passed on: Veilig Thuis.
- Steps: Aa: RiHG 1, beschikking 1 (document and event: once), herstel 2 (one document, two
  events: the larger count), zorgadvies 1 (received 30-09 23:59 local); not counted: a RiHG of
  30-06 23:30 local, a proces-verbaal only requested, a draft beleidsadvies, a rejected RiHG.
  Cee: verlenging 1 (an event without document); an intrekking signed 01-10 00:00 local is Q4.
"""

from __future__ import annotations

import pendulum
from sqlalchemy import insert

from store.models import Account, Event, Municipality, Organisation, Region

from .factories import add_document, seed_case

TZ = "Europe/Amsterdam"


def at(*args) -> pendulum.DateTime:
    return pendulum.datetime(*args, tz=TZ)


def _event(conn, case_id: int, action: str, moment) -> None:
    conn.execute(
        insert(Event.__table__).values(
            case_id=case_id, actor_name="test", action=action, at=moment, details={}
        )
    )


def seed_billing(engine) -> None:
    with engine.begin() as conn:
        regions = {}
        for name in ("Testregio", "Anders"):
            regions[name] = conn.execute(
                insert(Region.__table__).values(name=name)
            ).inserted_primary_key[0]
        munis = {}
        for i, (name, population, region) in enumerate(
            (
                ("Aa", 30000, "Testregio"),
                ("Bee", 10000, "Testregio"),
                ("Cee", 20000, "Testregio"),
                ("Dee", 50000, "Anders"),
            )
        ):
            munis[name] = conn.execute(
                insert(Municipality.__table__).values(
                    cbs_code=f"GM90{i:02d}",
                    name=name,
                    population=population,
                    population_year=2024,
                    region_id=regions[region],
                )
            ).inserted_primary_key[0]
        orgs = {}
        for name, kind, muni, region in (
            ("Gemeente Aa", "gemeente", "Aa", "Testregio"),
            ("Gemeente Bee", "gemeente", "Bee", "Testregio"),
            ("Politie X", "politie", None, "Testregio"),
            ("ZVH", "veiligheidshuis", None, "Testregio"),
            ("Veilig Thuis", "veilig_thuis", None, "Testregio"),
            ("Gemeente Dee", "gemeente", "Dee", "Anders"),
            ("Politie Anders", "politie", None, "Anders"),
        ):
            orgs[name] = conn.execute(
                insert(Organisation.__table__).values(
                    name=name, kind=kind, municipality_id=munis.get(muni), region_id=regions[region]
                )
            ).inserted_primary_key[0]
        for username, org, created, deactivated, bestuurlijk in (
            ("a.one", "Gemeente Aa", at(2025, 1, 1), None, False),
            ("a.new", "Gemeente Aa", at(2026, 8, 15, 10), None, False),
            ("a.gone", "Gemeente Aa", at(2024, 5, 1), at(2026, 7, 10, 12), False),
            ("a.later", "Gemeente Aa", at(2026, 10, 1), None, False),
            ("burgemeester.aa", "Gemeente Aa", at(2024, 1, 1), None, True),
            ("burgemeester.bee", "Gemeente Bee", at(2026, 8, 1), None, True),
            ("p.one", "Politie X", at(2020, 1, 1), None, False),
            ("v.new", "ZVH", at(2026, 9, 30, 23, 59), None, False),
            ("vt.one", "Veilig Thuis", at(2020, 1, 1), None, False),
            ("d.one", "Gemeente Dee", at(2026, 8, 1), None, False),
            ("p.anders", "Politie Anders", at(2020, 1, 1), None, False),
        ):
            conn.execute(
                insert(Account.__table__).values(
                    username=username,
                    full_name=username.title(),
                    organisation_id=orgs[org],
                    created_at=created,
                    deactivated_at=deactivated,
                    bestuurlijk=bestuurlijk,
                    active=deactivated is None,
                )
            )

        c1 = seed_case(
            conn,
            number="HV-2026-00001",
            municipality="Aa",
            region="Testregio",
            t0=at(2026, 7, 5, 22),
        )
        add_document(conn, c1, "rihg", "received", received_at=at(2026, 7, 5, 21))
        add_document(conn, c1, "beschikking", "signed", received_at=at(2026, 7, 5, 22))
        _event(conn, c1, "impose", at(2026, 7, 5, 22))
        add_document(conn, c1, "herstel", "signed", received_at=at(2026, 8, 1, 12))
        _event(conn, c1, "herstel", at(2026, 8, 1, 12))
        _event(conn, c1, "herstel", at(2026, 8, 2, 9))
        _event(conn, c1, "note_added", at(2026, 8, 2, 9))

        c2 = seed_case(
            conn,
            number="HV-2026-00002",
            municipality="Aa",
            region="Testregio",
            t0=at(2026, 6, 30, 23),
        )
        add_document(conn, c2, "rihg", "received", received_at=at(2026, 6, 30, 23, 30))
        add_document(conn, c2, "rihg", "rejected", received_at=at(2026, 7, 2))
        add_document(conn, c2, "proces_verbaal", "requested", requested_at=at(2026, 7, 1))
        add_document(conn, c2, "zorgadvies", "received", received_at=at(2026, 9, 30, 23, 59))
        add_document(conn, c2, "beleidsadvies", "draft")

        c3 = seed_case(
            conn,
            number="HV-2026-00003",
            municipality="Cee",
            region="Testregio",
            t0=at(2026, 8, 20, 20),
        )
        _event(conn, c3, "case.extended", at(2026, 9, 1, 10))
        add_document(conn, c3, "intrekking", "signed", received_at=at(2026, 10, 1))

        c4 = seed_case(
            conn,
            number="HV-2026-00004",
            municipality="Dee",
            region="Anders",
            t0=at(2026, 8, 20, 20),
        )
        add_document(conn, c4, "rihg", "received", received_at=at(2026, 8, 20, 19))
        _event(conn, c4, "impose", at(2026, 8, 20, 20))
