"""Minimal rows for tests that need a case without the whole demo data set."""

from __future__ import annotations

from datetime import datetime, timezone

import pendulum
from sqlalchemy import insert, select

from store.models import Case, Municipality, Region


def seed_case(
    conn,
    *,
    number: str = "HV-2026-00042",
    status: str = "running",
    t0: datetime | None = None,
    municipality: str = "Roermond",
) -> int:
    """Insert (or reuse) region and municipality, then one case; returns the case id."""
    region_id = conn.execute(
        select(Region.__table__.c.id).where(Region.__table__.c.name == "Midden-Limburg")
    ).scalar()
    if region_id is None:
        region_id = conn.execute(
            insert(Region.__table__).values(name="Midden-Limburg")
        ).inserted_primary_key[0]
    mun_id = conn.execute(
        select(Municipality.__table__.c.id).where(Municipality.__table__.c.name == municipality)
    ).scalar()
    if mun_id is None:
        mun_id = conn.execute(
            insert(Municipality.__table__).values(
                cbs_code=f"GM{abs(hash(municipality)) % 10000:04d}", name=municipality,
                population=59076, population_year=2024, region_id=region_id,
            )
        ).inserted_primary_key[0]
    t0 = t0 or pendulum.datetime(2026, 3, 27, 20, 0, tz="Europe/Amsterdam")
    now = datetime.now(timezone.utc)
    return conn.execute(
        insert(Case.__table__).values(
            number=number, kind="huisverbod", status=status, municipality_id=mun_id,
            opened_at=t0 - pendulum.duration(hours=2), imposed_at=t0,
            ends_at=t0 + pendulum.duration(days=10), created_at=now, updated_at=now,
        )
    ).inserted_primary_key[0]
