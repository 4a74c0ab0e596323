"""The change feed sees writes made through another connection, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time

from sqlalchemy import update

from store.db import make_engine
from store.models import Case
from store.sql import SqlStore
from tests.factories import seed_case


def _other_engine(engine, db_target):
    url, schema = db_target
    return make_engine(url, schema=schema)


def test_feed_reports_a_write_from_another_connection(engine, db_target):
    with engine.begin() as conn:
        case_id = seed_case(conn)
    store = SqlStore(engine)
    feed = store.change_feed()
    try:
        assert feed.wait(0.3) == set()  # quiet database: nothing
        other = _other_engine(engine, db_target)

        def write():
            time.sleep(0.2)
            with other.begin() as conn:
                conn.execute(
                    update(Case.__table__)
                    .where(Case.__table__.c.id == case_id)
                    .values(status="advice_due", version=Case.__table__.c.version + 1)
                )

        writer = threading.Thread(target=write)
        writer.start()
        changed = feed.wait(5.0)
        writer.join()
        other.dispose()
        # PostgreSQL names the case; SQLite only knows that something changed.
        assert changed is None or changed == {case_id}
        if engine.url.get_backend_name() == "postgresql":
            assert changed == {case_id}
        rows = store.queue_rows({case_id})
        assert rows[0].facts.status.value == "advice_due" and rows[0].version == 2
    finally:
        feed.close()


def test_queue_rows_by_id_include_cases_that_left_the_queue(engine):
    with engine.begin() as conn:
        open_id = seed_case(conn, number="HV-2026-00001")
        closed_id = seed_case(conn, number="HV-2026-00002", status="closed")
    store = SqlStore(engine)
    assert [r.case_id for r in store.queue_rows()] == [open_id]
    assert {r.case_id for r in store.queue_rows({open_id, closed_id})} == {open_id, closed_id}
