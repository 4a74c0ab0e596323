"""The short version of the load benchmark (benchmarks/load.py): 10 simulated users, each with its
own connection, doing case actions at once on real PostgreSQL for a few seconds; then the write
side's invariants must hold: no lost update, an event for every change and a change for every
event, intact hash chains. And the check itself must catch a lost update and a half-written case."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select, update

from benchmarks.load import build, check_invariants, run_load
from store.db import make_engine
from store.models import Case, Note

pytestmark = pytest.mark.postgres


def test_ten_users_at_once_lose_no_update_and_log_every_change(pg_schema_url):
    url, schema = pg_schema_url
    build(url, schema, cases=300)
    # Half of the actions on each region's busiest cases, so users do run into each other.
    result = run_load(url, schema, users=10, seconds=5, hot=0.5)

    assert not result.errors, result.summary()
    assert result.writes >= 10, result.summary()  # every user got work done
    assert all(sum(r.writes.values()) > 0 for r in result.results), result.summary()
    assert check_invariants(url, schema, result) == [], result.summary()

    # The check is not blind: a version bumped without its event, and a note without its
    # change, are both reported.
    engine = make_engine(url, schema=schema)
    try:
        C = Case.__table__.c
        case_id = next(iter(result.before["versions"]))
        with engine.begin() as conn:
            conn.execute(
                update(Case.__table__).where(C.id == case_id).values(version=C.version + 1)
            )
            other = conn.execute(select(C.id).where(C.id != case_id).limit(1)).scalar()
            conn.execute(
                insert(Note.__table__).values(
                    case_id=other, kind="note", text="buiten de API", at=result_now()
                )
            )
    finally:
        engine.dispose()
    problems = check_invariants(url, schema, result)
    assert any(f"zaak {case_id}: versie +" in p for p in problems), problems
    assert any(f"zaak {other}:" in p and "rijen note" in p for p in problems), problems


def result_now():
    import pendulum

    return pendulum.now("UTC")
