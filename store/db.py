"""Engines, schema migrations and the checks made before a database is used.

Every failure a user can cause (a malformed or unreachable URL, a schema newer than this code, a
corrupt SQLite file) becomes a ``DatabaseOpenError`` with one Dutch line that names the URL with
its password masked.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, NoSuchModuleError, OperationalError

SQLITE_MAGIC = b"SQLite format 3\x00"


class DatabaseOpenError(Exception):
    """The database cannot be used; ``str(err)`` is a one-line Dutch message for the user."""


def mask_url(url: str | URL) -> str:
    """The URL as text with its password replaced by ***; unparseable text is returned as is."""
    try:
        parsed = make_url(url) if isinstance(url, str) else url
    except ArgumentError:
        return str(url)
    return parsed.render_as_string(hide_password=True)


def parse_url(url: str) -> URL:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseOpenError(
            f"ongeldige database-URL {url!r}: verwacht bijvoorbeeld "
            "sqlite:///pad/naar/hvo.db of postgresql+psycopg://gebruiker@host:5432/hvo"
        ) from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise DatabaseOpenError(
            f"database {mask_url(parsed)}: alleen SQLite en PostgreSQL worden ondersteund"
        )
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() != "psycopg":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def make_engine(url: str | URL, *, schema: str | None = None, **kw) -> Engine:
    """An engine for ``url``. ``schema`` (PostgreSQL) puts every table in that schema via the
    search_path: the tests use it to give each run a fresh schema."""
    parsed = parse_url(url) if isinstance(url, str) else url
    try:
        if parsed.get_backend_name() == "sqlite":
            engine = create_engine(parsed, **kw)
            event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        connect_args = dict(kw.pop("connect_args", {}))
        connect_args.setdefault("connect_timeout", 5)
        if schema:
            connect_args["options"] = f"-csearch_path={schema}"
        return create_engine(parsed, pool_pre_ping=True, connect_args=connect_args, **kw)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise DatabaseOpenError(f"database {mask_url(parsed)}: {exc}") from None


def sqlite_path(url: URL) -> Path | None:
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def check_sqlite_file(path: Path) -> None:
    """Refuse a file that is not an SQLite database, without touching it."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as fh:
        header = fh.read(len(SQLITE_MAGIC))
    if header != SQLITE_MAGIC:
        raise DatabaseOpenError(
            f"database {path}: dit bestand is geen (of een beschadigde) SQLite-database; "
            "het bestand is niet aangeraakt"
        )


# --- migrations ---------------------------------------------------------------------------------


def _alembic_config(connection: Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", "store:migrations")
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    cfg = Config()
    cfg.set_main_option("script_location", "store:migrations")
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    cfg = Config()
    cfg.set_main_option("script_location", "store:migrations")
    return {rev.revision for rev in ScriptDirectory.from_config(cfg).walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), revision)


def downgrade(engine: Engine, revision: str) -> None:
    with engine.begin() as conn:
        command.downgrade(_alembic_config(conn), revision)


@dataclass(frozen=True)
class SchemaState:
    current: str | None
    head: str
    has_tables: bool

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def schema_state(engine: Engine) -> SchemaState:
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
        has_tables = bool(inspect(conn).get_table_names())
    return SchemaState(current=current, head=head_revision(), has_tables=has_tables)


def probe(url: str, *, schema: str | None = None) -> tuple[Engine, SchemaState]:
    """Connect and read the schema state, mapping every failure to a DatabaseOpenError."""
    parsed = parse_url(url)
    shown = mask_url(parsed)
    path = sqlite_path(parsed)
    if path is not None:
        check_sqlite_file(path)
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(parsed, schema=schema)
    try:
        state = schema_state(engine)
    except OperationalError as exc:
        engine.dispose()
        raise DatabaseOpenError(f"kan database {shown} niet openen: {_reason(exc)}") from None
    except DatabaseError as exc:
        engine.dispose()
        raise DatabaseOpenError(
            f"database {shown} is onleesbaar ({_reason(exc)}); het bestand is niet aangeraakt"
        ) from None
    if state.current is not None and state.current not in known_revisions():
        engine.dispose()
        raise DatabaseOpenError(
            f"database {shown} heeft schema {state.current}, nieuwer dan deze versie van hvo "
            f"kent (tot {state.head}); werk hvo bij"
        )
    return engine, state


def _reason(exc: DatabaseError) -> str:
    text = str(exc.orig if exc.orig is not None else exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def open_database(url: str, *, auto_upgrade: bool, schema: str | None = None) -> Engine:
    """Connect, check and (for the embedded database, or when asked) migrate to the head."""
    engine, state = probe(url, schema=schema)
    if not state.up_to_date:
        if auto_upgrade:
            upgrade(engine)
        else:
            engine.dispose()
            what = "is leeg" if state.current is None else f"heeft schema {state.current}"
            raise DatabaseOpenError(
                f"database {mask_url(engine.url)} {what}, hvo verwacht {state.head}: "
                "voer 'hvo db upgrade' uit"
            )
    return engine
