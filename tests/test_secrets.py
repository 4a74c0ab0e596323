"""Issue 18 row 11: TOTP secrets are sealed at rest with a key outside the database.

The ``account`` table never holds the secret in plain text; the key file is made at first use,
owner-only; a key others may read, a missing key or the wrong key is a clear Dutch refusal, never
a new key; a secret from before sealing still works and is sealed at the next login."""

from __future__ import annotations

import os
import stat

import pyotp
import pytest
from sqlalchemy import select, update

from hvo_tui.domain.localtime import FrozenClock
from store.interface import Actor
from store.models import Account
from store.secrets import PREFIX, SecretBox, SecretKeyError
from store.sql import SqlStore
from tests.conftest import FROZEN_NOW
from tests.factories import account_id as make_account

A = Account.__table__.c
PASSWORD = "een lange zin als wachtwoord"


def test_a_sealed_secret_opens_with_its_key_only(tmp_path):
    box = SecretBox(tmp_path / "keys" / "secret.key")
    sealed = box.seal("JBSWY3DPEHPK3PXP")
    assert sealed.startswith(PREFIX) and "JBSWY3DPEHPK3PXP" not in sealed
    assert box.open(sealed) == "JBSWY3DPEHPK3PXP"
    key = tmp_path / "keys" / "secret.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    assert SecretBox(key).open(sealed) == "JBSWY3DPEHPK3PXP"  # another process, same file
    other = SecretBox(tmp_path / "other.key")
    other.seal("x")  # makes its own key
    with pytest.raises(SecretKeyError, match="past niet"):
        other.open(sealed)
    assert SecretBox(key).open("JBSWY3DPEHPK3PXP") == "JBSWY3DPEHPK3PXP"  # plain: from before


def test_opening_never_creates_a_key_and_an_open_key_file_is_refused(tmp_path):
    key = tmp_path / "secret.key"
    sealed = SecretBox(key).seal("JBSWY3DPEHPK3PXP")
    moved = tmp_path / "elders.key"
    key.rename(moved)
    with pytest.raises(SecretKeyError, match="ontbreekt"):
        SecretBox(key).open(sealed)
    assert not key.exists()  # no new key that opens nothing
    os.chmod(moved, 0o640)
    with pytest.raises(SecretKeyError, match="leesbaar voor anderen"):
        SecretBox(moved).open(sealed)
    os.chmod(moved, 0o600)
    assert SecretBox(moved).open(sealed) == "JBSWY3DPEHPK3PXP"


def test_the_key_file_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("HVO_SECRET_KEY_FILE", str(tmp_path / "uit-env.key"))
    SecretBox().seal("x")
    assert (tmp_path / "uit-env.key").exists()


@pytest.fixture(autouse=True)
def _quick_argon2(monkeypatch):
    from argon2 import PasswordHasher

    import store.accounts

    monkeypatch.setattr(
        store.accounts, "password_hasher", PasswordHasher(time_cost=1, memory_cost=8 * 1024)
    )


def _store(engine, tmp_path) -> tuple[SqlStore, int, Actor]:
    with engine.begin() as conn:
        account = make_account(conn, "jan", "Jan Jansen", role="procesmanager", organisation="X")
    sql = SqlStore(engine, clock=FrozenClock(FROZEN_NOW), secrets=SecretBox(tmp_path / "k.key"))
    admin = Actor(name="Beheer", roles=frozenset({"beheerder"}), account_id=None, username="b")
    code = sql.reset_login(admin, account)
    sql.set_password(account, code, PASSWORD, now=FROZEN_NOW)
    return sql, account, admin


def test_the_account_table_never_holds_the_secret_in_plain_text(engine, tmp_path):
    sql, account, admin = _store(engine, tmp_path)
    secret = sql.enable_totp(admin, account)
    with engine.connect() as conn:
        stored = conn.execute(select(A.totp_secret).where(A.id == account)).scalar_one()
    assert stored.startswith(PREFIX) and secret not in stored
    code = pyotp.TOTP(secret).at(FROZEN_NOW)
    assert sql.authenticate("jan", PASSWORD, totp_code=code, now=FROZEN_NOW).account_id == account
    # the same database with another key file: the login fails clearly, nothing is replaced
    stranger = SqlStore(engine, clock=FrozenClock(FROZEN_NOW), secrets=SecretBox(tmp_path / "x"))
    stranger.db.secrets.seal("maak de sleutel")
    later = FROZEN_NOW.add(seconds=30)
    with pytest.raises(SecretKeyError, match="past niet"):
        stranger.authenticate("jan", PASSWORD, totp_code=pyotp.TOTP(secret).at(later), now=later)
    with engine.connect() as conn:
        assert conn.execute(select(A.totp_secret).where(A.id == account)).scalar_one() == stored
    sql.close()
    stranger.close()


def test_a_plain_secret_from_before_is_sealed_at_the_next_login(engine, tmp_path):
    sql, account, _ = _store(engine, tmp_path)
    plain = pyotp.random_base32()
    with engine.begin() as conn:  # as an older hvo stored it
        conn.execute(update(Account.__table__).where(A.id == account).values(totp_secret=plain))
    code = pyotp.TOTP(plain).at(FROZEN_NOW)
    assert sql.authenticate("jan", PASSWORD, totp_code=code, now=FROZEN_NOW).account_id == account
    with engine.connect() as conn:
        stored = conn.execute(select(A.totp_secret).where(A.id == account)).scalar_one()
    assert stored.startswith(PREFIX) and plain not in stored
    later = FROZEN_NOW.add(seconds=30)
    code = pyotp.TOTP(plain).at(later)
    assert sql.authenticate("jan", PASSWORD, totp_code=code, now=later).account_id == account
    sql.close()
