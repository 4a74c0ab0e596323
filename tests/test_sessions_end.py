"""Issue 18 row 4: a password change, a login reset or a deactivation ends every other session
of that account at once, in this server process and in any other within seconds.

Two ``hvo serve`` processes over one database (two servers in this test, the second with its
own memory of sessions). Before this, session B of the same account kept working for hours."""

from __future__ import annotations

import time

import httpx
import pytest

from store.interface import Actor
from store.sql import SqlStore
from tests.factories import account_id

PASSWORD = "een oud maar lang wachtwoord"
NEW = "een nieuw en ook lang wachtwoord"


@pytest.fixture(autouse=True)
def _quick_argon2(monkeypatch):
    from argon2 import PasswordHasher

    import store.accounts

    monkeypatch.setattr(
        store.accounts, "password_hasher", PasswordHasher(time_cost=1, memory_cost=8 * 1024)
    )


@pytest.fixture
def world(engine, api_server):
    with engine.begin() as conn:
        ans = account_id(conn, "ans", "Ans Visser", role="procesmanager", regions=("ML",))
        account_id(conn, "peter", "Peter de Graaf", role="beheerder", regions=("ML",))
    sql = SqlStore(engine)
    admin = Actor(name="Peter", roles=frozenset({"beheerder"}), account_id=None, username="peter")
    code = sql.reset_login(admin, ans)
    sql.set_password(ans, code, PASSWORD)
    one = api_server(engine, recheck_seconds=1.0)
    two = api_server(engine, recheck_seconds=1.0)
    yield {"ans": ans, "sql": sql, "admin": admin, "one": one, "two": two}
    sql.close()


def _me(server, token: str) -> int:
    return httpx.get(
        f"{server.url}/api/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=10
    ).status_code


def _ended_within(server, token: str, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if _me(server, token) == 401:
            return True
        time.sleep(0.2)
    return False


def test_a_password_change_ends_the_other_sessions_but_not_its_own(world):
    one, two = world["one"], world["two"]
    a, c = one.token_for("ans"), one.token_for("ans")  # two sessions on server one
    b = two.token_for("ans")  # and one on server two
    assert {_me(one, a), _me(one, c), _me(two, b)} == {200}
    changed = httpx.post(
        f"{one.url}/api/v1/password",
        json={"current": PASSWORD, "new_password": NEW},
        headers={"Authorization": f"Bearer {a}"},
        timeout=10,
    )
    assert changed.status_code == 204, changed.text
    assert _me(one, a) == 200  # the session that changed it goes on
    assert _me(one, c) == 401  # this process: at once
    assert _ended_within(two, b, 5.0)  # another process: within its recheck (5 s at most)


@pytest.mark.parametrize("how", ["reset", "deactivate"])
def test_a_reset_or_deactivation_by_the_beheerder_ends_every_session(world, how):
    one, two = world["one"], world["two"]
    a, b = one.token_for("ans"), two.token_for("ans")
    assert {_me(one, a), _me(two, b)} == {200}
    if how == "reset":
        world["sql"].reset_login(world["admin"], world["ans"])
    else:
        world["sql"].deactivate(world["admin"], world["ans"])
    assert _ended_within(one, a, 5.0) and _ended_within(two, b, 5.0)
