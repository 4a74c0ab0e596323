"""What every repository of the SQL store shares: the engine, the one clock, who is looking.

``Database`` is one object per ``SqlStore``; every repository (store/queue.py, case_writes.py,
screening.py, accounts.py, reports.py, billing.py, signing.py) gets the same one, so they all
stamp writes with the same ``now()`` and read with the same scope. ``Repository`` is their base:
``self.engine``, ``self.now()``, ``self.scope`` and ``self._guard`` read through to the database.

Small helpers that several repositories need (``format_address``, ``region_rules``) live here too,
below all of them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from hvo_tui.domain import DomainError, RegionRules
from hvo_tui.domain.localtime import WALL_CLOCK, Clock
from hvo_tui.domain.permissions import Scope

from .db import mask_url
from .interface import ConnectionLost, StoreInfo
from .secrets import SecretBox

CONNECTION_LOST = "verbinding met de database verbroken"


def format_address(street, house_number, postcode, city) -> str:
    line = " ".join(part for part in (street, house_number) if part)
    place = " ".join(part for part in (postcode, city) if part)
    return ", ".join(part for part in (line, place) if part)


def region_rules(rules_toml: str | None) -> RegionRules:
    """A region's rules from its TOML; the defaults when it has none or a broken one (a broken
    region setting must not block the mayor's decision)."""
    if not rules_toml:
        return RegionRules()
    try:
        return RegionRules.from_toml(rules_toml)
    except DomainError:
        return RegionRules()


def guarded(fn, *args, **kwargs):
    """``fn(*args, **kwargs)``; a lost connection becomes ``ConnectionLost`` (in Dutch)."""
    try:
        return fn(*args, **kwargs)
    except (OperationalError, DBAPIError) as exc:
        if isinstance(exc, OperationalError) or exc.connection_invalidated:
            raise ConnectionLost(CONNECTION_LOST) from exc
        raise


class Database:
    """The engine, the clock and who is looking, shared by the repositories of one store.

    ``clock``: the app's clock (tests freeze it); None: the wall clock. ``scope`` limits the
    cases every query returns and every write may touch; ``mask_persons`` turns names into
    initials and leaves out BSN and addresses (support staff). ``SqlStore.act_as`` sets both."""

    def __init__(
        self, engine: Engine, clock: Clock | None = None, secrets: SecretBox | None = None
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.secrets = secrets or SecretBox()  # sealed values (TOTP secrets): store/secrets.py
        self.scope: Scope | None = None
        self.mask_persons = False
        url = engine.url
        if url.get_backend_name() == "sqlite":
            self.info = StoreInfo(kind="sqlite", location=url.database or ":memory:")
        else:
            self.info = StoreInfo(kind="postgresql", location=mask_url(url))

    def now(self) -> datetime:
        """The one "now" of the store: the injected clock's, else the wall clock's."""
        return (self.clock or WALL_CLOCK).now()

    def read(self, fn):
        """``fn(conn)`` on a connection in autocommit: a single statement needs no BEGIN and
        ROLLBACK round trips (under load each one waits for the database's turn on the CPU), and
        it sees committed data exactly as it would in a READ COMMITTED transaction."""

        def run():
            with self.engine.connect() as conn:
                return fn(conn.execution_options(isolation_level="AUTOCOMMIT"))

        return guarded(run)

    def close(self) -> None:
        self.engine.dispose()


class Repository:
    """Base of the store's repositories: one job each, over the shared ``Database``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @property
    def engine(self) -> Engine:
        return self.db.engine

    @property
    def scope(self) -> Scope | None:
        return self.db.scope

    @property
    def mask_persons(self) -> bool:
        return self.db.mask_persons

    def now(self) -> datetime:
        return self.db.now()

    @staticmethod
    def _guard(fn, *args, **kwargs):
        """``fn(*args, **kwargs)``; a lost connection becomes ``ConnectionLost``."""
        return guarded(fn, *args, **kwargs)

    def _read(self, fn: Any):
        return self.db.read(fn)


__all__ = [
    "Database",
    "Repository",
    "format_address",
    "guarded",
    "region_rules",
]
