"""Change feeds: learn, without polling every row, that someone changed a case.

``wait(timeout)`` blocks up to ``timeout`` seconds and returns
- an empty set: nothing changed;
- a set of case ids: these cases changed (PostgreSQL, from NOTIFY payloads);
- ``None``: something changed, but not known which (SQLite's data_version): reread everything.
It raises ``ConnectionLost`` when the database cannot be reached; the caller reconnects with
``reopen()`` after a backoff and then rereads everything, since notifications were missed.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time

from sqlalchemy.engine import URL

from .interface import ConnectionLost

CHANNEL = "hvo_changes"


class SqliteChangeFeed:
    """Polls ``PRAGMA data_version``, which changes whenever another connection commits."""

    def __init__(self, path: str, *, interval: float = 0.2) -> None:
        self.path = path
        self.interval = interval
        self._conn: sqlite3.Connection | None = None
        self._version: int | None = None
        self.reopen()

    def reopen(self) -> None:
        self.close()
        try:
            self._conn = sqlite3.connect(self.path, check_same_thread=False)
            self._version = self._read()
        except sqlite3.Error as exc:
            self._conn = None
            raise ConnectionLost(f"database niet bereikbaar: {exc}") from exc

    def _read(self) -> int:
        assert self._conn is not None
        return self._conn.execute("PRAGMA data_version").fetchone()[0]

    def wait(self, timeout: float) -> set[int] | None:
        if self._conn is None:
            self.reopen()
        deadline = time.monotonic() + timeout
        while True:
            try:
                version = self._read()
            except sqlite3.Error as exc:
                raise ConnectionLost(f"database niet bereikbaar: {exc}") from exc
            if version != self._version:
                self._version = version
                return None
            left = deadline - time.monotonic()
            if left <= 0:
                return set()
            time.sleep(min(self.interval, left))

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class PostgresChangeFeed:
    """LISTENs on the channel the triggers of migration 0002 notify."""

    def __init__(self, url: URL, schema: str, *, connect_timeout: int = 5) -> None:
        self.conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self.schema = schema
        self.connect_timeout = connect_timeout
        self._conn = None
        self.reopen()

    def reopen(self) -> None:
        import psycopg  # lazy: only a PostgreSQL feed needs it (start-up of the SQLite app)

        self.close()
        try:
            self._conn = psycopg.connect(
                self.conninfo, autocommit=True, connect_timeout=self.connect_timeout
            )
            self._conn.execute(f"LISTEN {CHANNEL}")
        except psycopg.Error as exc:
            self._conn = None
            raise ConnectionLost(f"database niet bereikbaar: {exc}") from exc

    def wait(self, timeout: float) -> set[int] | None:
        import psycopg  # lazy: only a PostgreSQL feed needs it (start-up of the SQLite app)

        if self._conn is None:
            self.reopen()
        assert self._conn is not None
        ids: set[int] = set()
        deadline = time.monotonic() + timeout
        try:
            # One generator at a time: a nested notifies() on the same connection deadlocks on
            # its lock. Wait for a notification of this schema (other schemas share the
            # channel: skip theirs), then collect what arrived with it (one transaction
            # touching several rows) with a short second wait.
            while not ids:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                for note in self._conn.notifies(timeout=left, stop_after=1):
                    ids.update(self._parse(note.payload))
            if ids:
                for note in self._conn.notifies(timeout=0.005):
                    ids.update(self._parse(note.payload))
        except psycopg.Error as exc:
            self.close()
            raise ConnectionLost(f"verbinding met de database verbroken: {exc}") from exc
        return ids

    def _parse(self, payload: str) -> set[int]:
        schema, _, rest = payload.partition(":")
        if schema != self.schema:
            return set()
        case_id, _, _tx = rest.partition(":")
        return {int(case_id)} if case_id.isdigit() else set()

    def close(self) -> None:
        if self._conn is not None:
            # closing a broken connection may fail; it is gone
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = None
