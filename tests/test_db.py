"""Opening databases: migrations, round trips and the messages a user sees when it goes wrong."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pendulum
import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError

from store import db
from store.models import Case, CasePerson, Document, Event, Municipality, Region


def _seed_case(conn) -> int:
    region_id = conn.execute(
        insert(Region.__table__).values(name="Midden-Limburg")
    ).inserted_primary_key[0]
    mun_id = conn.execute(
        insert(Municipality.__table__).values(
            cbs_code="GM0957",
            name="Roermond",
            population=59076,
            population_year=2024,
            region_id=region_id,
        )
    ).inserted_primary_key[0]
    t0 = pendulum.datetime(2026, 3, 27, 20, 0, tz="Europe/Amsterdam")
    return conn.execute(
        insert(Case.__table__).values(
            number="HV-2026-00042",
            kind="huisverbod",
            status="running",
            municipality_id=mun_id,
            opened_at=t0.subtract(hours=2),
            imposed_at=t0,
            ends_at=t0.add(days=10),
            created_at=datetime.now(UTC),
            updated_at=datetime.now(UTC),
        )
    ).inserted_primary_key[0]


def test_round_trip_keeps_moments_aware_and_exact(engine):
    with engine.begin() as conn:
        case_id = _seed_case(conn)
        conn.execute(
            insert(CasePerson.__table__).values(
                case_id=case_id,
                role="uithuisgeplaatste",
                first_name="Jan",
                last_name="Jansen",
                birth_date=date(1980, 5, 17),
                bsn="111222333",
            )
        )
        conn.execute(
            insert(Document.__table__).values(
                case_id=case_id,
                kind="rihg",
                status="received",
                fields={"deel1": {"signalen": [1, 4]}},
                created_at=datetime.now(UTC),
                updated_at=datetime.now(UTC),
            )
        )
        conn.execute(
            insert(Event.__table__).values(
                case_id=case_id,
                actor_name="Ans",
                action="case.created",
                at=datetime.now(UTC),
                details={"voor": None, "na": {"status": "running"}},
            )
        )
    with engine.connect() as conn:
        row = conn.execute(select(Case.__table__).where(Case.__table__.c.id == case_id)).one()
        person = conn.execute(select(CasePerson.__table__)).one()
        doc = conn.execute(select(Document.__table__)).one()
        event = conn.execute(select(Event.__table__)).one()
    # 20:00 in Amsterdam (CET, +01:00 on 27 March 2026) is 19:00 UTC, returned aware.
    assert row.imposed_at == datetime(2026, 3, 27, 19, 0, tzinfo=UTC)
    assert row.imposed_at.tzinfo is not None
    assert pendulum.instance(row.ends_at).in_timezone("Europe/Amsterdam").hour == 20
    assert row.version == 1
    assert person.birth_date == date(1980, 5, 17)
    assert doc.fields == {"deel1": {"signalen": [1, 4]}}
    assert event.details["na"]["status"] == "running"


def test_naive_datetimes_are_refused(engine):
    with pytest.raises(Exception, match="naive"), engine.begin() as conn:
        conn.execute(
            insert(Event.__table__).values(
                actor_name="x", action="y", at=datetime(2026, 1, 1), details={}
            )
        )


def test_foreign_keys_are_enforced(engine):
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(
            insert(CasePerson.__table__).values(
                case_id=999999, role="kind", first_name="a", last_name="b"
            )
        )


def test_migrations_downgrade_and_upgrade_again(engine):
    assert db.current_revision(engine) == db.head_revision()
    db.downgrade(engine, "base")
    assert db.current_revision(engine) is None
    with engine.connect() as conn:
        tables = set(db.inspect(conn).get_table_names())
    assert "hvo_case" not in tables
    db.upgrade(engine)
    assert db.current_revision(engine) == db.head_revision()
    with engine.begin() as conn:
        _seed_case(conn)


def test_models_match_migrated_schema(engine):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from store.models import metadata

    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), metadata
        )
    assert diff == [], "models changed without a migration: add an Alembic revision"


def test_shared_database_is_not_upgraded_silently(db_target):
    url, schema = db_target
    with pytest.raises(db.DatabaseOpenError, match="hvo db upgrade"):
        db.open_database(url, auto_upgrade=False, schema=schema)


def test_newer_schema_refuses_to_open(engine, db_target):
    url, schema = db_target
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(db.DatabaseOpenError, match="nieuwer dan deze versie"):
        db.open_database(url, auto_upgrade=True, schema=schema)


def test_corrupt_sqlite_file_is_refused_untouched(tmp_path):
    path = tmp_path / "kapot.db"
    payload = b"dit is geen database" * 100
    path.write_bytes(payload)
    with pytest.raises(db.DatabaseOpenError, match="geen .*SQLite-database"):
        db.open_database(f"sqlite:///{path}", auto_upgrade=True)
    assert path.read_bytes() == payload


def test_sqlite_with_damaged_pages_is_refused_untouched(tmp_path):
    path = tmp_path / "half.db"
    eng = db.open_database(f"sqlite:///{path}", auto_upgrade=True)
    eng.dispose()
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # keep the magic header, wreck the schema page
    path.write_bytes(bytes(data))
    with pytest.raises(db.DatabaseOpenError, match="onleesbaar|beschadigd"):
        db.open_database(f"sqlite:///{path}", auto_upgrade=True)
    assert path.read_bytes() == bytes(data)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("niet-een-url", "ongeldige database-URL"),
        ("mysql://root@localhost/x", "alleen SQLite en PostgreSQL"),
        (
            "postgresql+psycopg://hvo:geheim@127.0.0.1:1/hvo",
            "kan database postgresql\\+psycopg://hvo:\\*\\*\\*@127.0.0.1:1/hvo niet openen",
        ),
    ],
)
def test_bad_urls_give_one_clear_line(url, expected):
    with pytest.raises(db.DatabaseOpenError, match=expected) as info:
        db.open_database(url, auto_upgrade=False)
    assert "geheim" not in str(info.value)
    assert "\n" not in str(info.value)


def test_mask_url_hides_password():
    assert db.mask_url("postgresql+psycopg://u:s3cret@h/db") == "postgresql+psycopg://u:***@h/db"


def test_moments_compare_across_zones():
    # A guard for the type decorator's contract: an aware pendulum moment is stored as UTC.
    from store.types import UTCDateTime

    t = UTCDateTime()

    class _D:  # noqa: D401 - a minimal dialect stand-in exposing only its name
        name = "postgresql"

    value = t.process_bind_param(pendulum.datetime(2026, 7, 1, 12, 0, tz="Europe/Amsterdam"), _D)
    assert value == datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
    assert type(value) is datetime
