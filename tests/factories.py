"""Minimal rows for tests that need a few cases without the whole demo data set."""

from __future__ import annotations

import zlib
from datetime import UTC, date, datetime

import pendulum
from sqlalchemy import insert, select

from hvo_tui.domain.timeline import ban_end
from store.models import (
    Account,
    AccountRegion,
    AccountRole,
    Case,
    CasePartner,
    CasePerson,
    DecisionServing,
    Document,
    Municipality,
    Organisation,
    Region,
)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _get_or_insert(conn, table, where: dict, values: dict) -> int:
    query = select(table.c.id)
    for key, value in where.items():
        query = query.where(table.c[key] == value)
    found = conn.execute(query).scalar()
    if found is not None:
        return found
    return conn.execute(insert(table).values(**where, **values)).inserted_primary_key[0]


def municipality_id(conn, name: str = "Roermond", region: str = "Midden-Limburg") -> int:
    region_id = _get_or_insert(conn, Region.__table__, {"name": region}, {})
    return _get_or_insert(
        conn,
        Municipality.__table__,
        {"name": name},
        {
            "cbs_code": f"GM{zlib.crc32(name.encode()) % 10000:04d}",
            "population": 59076,
            "population_year": 2024,
            "region_id": region_id,
        },
    )


def seed_case(
    conn,
    *,
    number: str = "HV-2026-00042",
    status: str = "running",
    t0: datetime | None = None,
    municipality: str = "Roermond",
    region: str = "Midden-Limburg",
    screening: bool = False,
    **values,
) -> int:
    """Insert (or reuse) region and municipality, then one case; returns the case id.

    ``screening`` leaves T0 empty; other keyword arguments are columns of hvo_case."""
    mun_id = municipality_id(conn, municipality, region)
    t0 = t0 or pendulum.datetime(2026, 3, 27, 20, 0, tz="Europe/Amsterdam")
    now = _utcnow()
    imposed = None if screening else t0
    row = dict(
        number=number,
        kind="screening" if screening else "huisverbod",
        status=status,
        municipality_id=mun_id,
        opened_at=t0 - pendulum.duration(hours=2),
        imposed_at=imposed,
        ends_at=ban_end(imposed, values.get("extended_until")) if imposed else None,
        created_at=now,
        updated_at=now,
        street="Markt",
        house_number=str(int(number[-5:])),
        postcode="6041 EL",
        city=municipality,
    )
    row.update(values)
    return conn.execute(insert(Case.__table__).values(**row)).inserted_primary_key[0]


def add_person(
    conn,
    case_id: int,
    first: str,
    last: str,
    *,
    role: str = "uithuisgeplaatste",
    birth: date | None = None,
    bsn: str | None = None,
) -> int:
    return conn.execute(
        insert(CasePerson.__table__).values(
            case_id=case_id,
            role=role,
            first_name=first,
            last_name=last,
            birth_date=birth,
            bsn=bsn,
        )
    ).inserted_primary_key[0]


def account_id(
    conn,
    username: str,
    full_name: str,
    *,
    role: str = "casemanager",
    organisation: str = "AMW Midden-Limburg",
    phone: str | None = "06-12345678",
    email: str | None = None,
    region: str | None = None,
    regions: tuple[str, ...] = (),
    municipality: str | None = None,
) -> int:
    """An account (reused by username) with one role. ``region``: its organisation's region;
    ``regions``: the account's own regions (what a procesmanager sees); ``municipality``: its
    organisation's municipality (a gemeente: what its bestuurder sees and signs for)."""
    region_id = _get_or_insert(conn, Region.__table__, {"name": region}, {}) if region else None
    municipality_ref = (
        municipality_id(conn, municipality, region or "Midden-Limburg") if municipality else None
    )
    org_id = _get_or_insert(
        conn,
        Organisation.__table__,
        {"name": organisation},
        {
            "kind": "gemeente" if municipality else "casemanagement",
            "region_id": region_id,
            "municipality_id": municipality_ref,
        },
    )
    found = conn.execute(
        select(Account.__table__.c.id).where(Account.__table__.c.username == username)
    ).scalar()
    if found is not None:
        return found
    acc = conn.execute(
        insert(Account.__table__).values(
            username=username,
            full_name=full_name,
            organisation_id=org_id,
            phone=phone,
            email=email or f"{username}@example.nl",
            created_at=_utcnow(),
        )
    ).inserted_primary_key[0]
    conn.execute(insert(AccountRole.__table__).values(account_id=acc, role=role))
    for name in regions:
        region_ref = _get_or_insert(conn, Region.__table__, {"name": name}, {})
        conn.execute(insert(AccountRegion.__table__).values(account_id=acc, region_id=region_ref))
    return acc


def add_partner(conn, case_id: int, role: str, username: str, full_name: str, **account) -> int:
    acc = account_id(conn, username, full_name, role=role, **account)
    return conn.execute(
        insert(CasePartner.__table__).values(
            case_id=case_id, role=role, account_id=acc, assigned_at=_utcnow()
        )
    ).inserted_primary_key[0]


def add_document(conn, case_id: int, kind: str, status: str = "received", **values) -> int:
    now = _utcnow()
    row = dict(case_id=case_id, kind=kind, status=status, fields={}, created_at=now, updated_at=now)
    if status in ("received", "signed") and "received_at" not in values:
        row["received_at"] = now
    row.update(values)
    return conn.execute(insert(Document.__table__).values(**row)).inserted_primary_key[0]


def add_meeting(conn, case_id: int, held_at: datetime, kind: str = "overleg_dag3") -> int:
    from store.models import Meeting

    return conn.execute(
        insert(Meeting.__table__).values(
            case_id=case_id, kind=kind, held_at=held_at, participants="", outcome=""
        )
    ).inserted_primary_key[0]


def add_serving(
    conn,
    case_id: int,
    document_id: int,
    served_at: datetime,
    *,
    recipient: str = "uithuisgeplaatste",
    manner: str = "uitgereikt",
    served_by: str = "Agent Janssen",
    written_at: datetime | None = None,
) -> int:
    """A decision served (issue 16, store/servings.py), straight into the table."""
    return conn.execute(
        insert(DecisionServing.__table__).values(
            document_id=document_id,
            case_id=case_id,
            recipient=recipient,
            manner=manner,
            served_at=served_at,
            written_at=written_at,
            served_by_name=served_by,
            created_at=_utcnow(),
        )
    ).inserted_primary_key[0]
