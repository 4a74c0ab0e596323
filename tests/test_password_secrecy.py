"""Issue 6: passwords and one-time login codes are never stored or logged in plain text.

Every table of the database is read back as text (and on SQLite the file's bytes too), and every
log record written meanwhile (with SQLAlchemy's statement and parameter logging switched on) is
searched for the password, the login code and a wrong password typed at the login."""

from __future__ import annotations

import logging
from pathlib import Path

import pendulum
import pytest
from sqlalchemy import MetaData, select

from store.accounts import LoginError
from store.interface import Actor
from store.sql import SqlStore

PASSWORD = "Paardenbloem-Zonnescherm-77"
WRONG = "Verkeerd-Wachtwoord-1234"
NEW_PASSWORD = "Kikkerland-Windmolen-2026"


def everything_stored(engine) -> str:
    meta = MetaData()
    meta.reflect(
        engine,
        schema=engine.dialect.default_schema_name if engine.dialect.name == "sqlite" else None,
    )
    chunks = []
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            for row in conn.execute(select(table)):
                chunks.append(repr(tuple(row)))
    return "\n".join(chunks)


def test_passwords_and_codes_never_appear_in_the_database_or_the_logs(engine, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)
    for name in ("sqlalchemy.engine", "sqlalchemy.engine.Engine"):
        logger = logging.getLogger(name)
        monkeypatch.setattr(logger, "disabled", False)  # whatever an earlier test in this process
        monkeypatch.setattr(logger, "propagate", True)  # configured (uvicorn, textual-serve ...)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)  # statements and parameters
    try:
        store = SqlStore(engine)
        admin = Actor(name="Peter de Graaf", roles=frozenset({"beheerder"}))
        org = store.ensure_organisation("Veiligheidshuis Midden-Limburg")
        account, code = store.create_account(
            admin,
            username="kim",
            full_name="Kim de Boer",
            organisation_id=org,
            roles=["procesmanager"],
        )
        now = pendulum.now("UTC")
        store.set_password(account, code, PASSWORD, now=now)
        with pytest.raises(LoginError):
            store.authenticate("kim", WRONG, now=now)
        assert store.authenticate("kim", PASSWORD, now=now).username == "kim"
        store.set_password(account, PASSWORD, NEW_PASSWORD, now=now)
        second_code = store.reset_login(admin, account)
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)

    secrets = {
        "password": PASSWORD,
        "wrong password": WRONG,
        "new password": NEW_PASSWORD,
        "login code": code,
        "second login code": second_code,
    }
    stored = everything_stored(engine)
    assert "argon2id" in stored  # the hashes are there ...
    logged = caplog.text
    assert "INSERT INTO" in logged or "UPDATE" in logged  # ... and the statements were logged
    for what, secret in secrets.items():
        assert secret not in stored, f"{what} stored in plain text"
        assert secret not in logged, f"{what} in the logs"
    if engine.dialect.name == "sqlite":
        raw = Path(engine.url.database).read_bytes()
        for what, secret in secrets.items():
            assert secret.encode() not in raw, f"{what} in the SQLite file"
    store.close()
