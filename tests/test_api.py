"""The HTTP API (``hvo serve``) and the HTTP store, against a real uvicorn over real SQLite and
PostgreSQL: permissions refused with 403 and nothing changed, scope and masking per token, the
409 conflict, token expiry and logout, the change feed as server-sent events, and the client's
error mapping and retry policy."""

from __future__ import annotations

import hashlib
import threading
from datetime import timedelta

import httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from store.codec import from_json, to_json
from store.interface import CaseDetail, Conflict, ConnectionLost, NotFound, QueueRow, Refused
from store.models import Account, Case, Event, Note
from store.sql import SqlStore
from tests.api_fixtures import grant_all_regions
from tests.conftest import FROZEN_NOW
from tests.factories import account_id
from tests.queue_data import seed_queue

C = Case.__table__.c
PASSWORD = "paarden-batterij-nietje-7"


class World:
    def __init__(self, engine, server, ids, accounts):
        self.engine, self.server, self.ids, self.accounts = engine, server, ids, accounts
        self.sql = SqlStore(engine)

    def raw(self, username: str | None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.server.token_for(username)}"} if username else {}
        return httpx.Client(base_url=self.server.url + "/api/v1", headers=headers, timeout=10)

    def http(self, username: str):
        from store.http import HttpStore

        return HttpStore(self.server.url, token=self.server.token_for(username), retries=0)

    def version(self, case: str) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(C.version).where(C.id == self.ids[case])).scalar_one()

    def count(self, table, **where) -> int:
        query = select(func.count()).select_from(table.__table__)
        for key, value in where.items():
            query = query.where(table.__table__.c[key] == value)
        with self.engine.connect() as conn:
            return conn.execute(query).scalar_one()

    def snapshot(self) -> str:
        """A digest of every table a refused request could have touched."""
        from store.models import (
            AccountRegion,
            AccountRole,
            CasePartner,
            Document,
            Meeting,
            Outbox,
        )

        digest = hashlib.sha256()
        with self.engine.connect() as conn:
            for model in (
                Case,
                Event,
                Note,
                Account,
                AccountRole,
                AccountRegion,
                CasePartner,
                Document,
                Meeting,
                Outbox,
            ):
                table = model.__table__
                rows = conn.execute(select(table).order_by(*table.primary_key.columns)).all()
                digest.update(repr([tuple(r) for r in rows]).encode())
        return digest.hexdigest()


def build_world(engine, server) -> World:
    with engine.begin() as conn:
        ids = seed_queue(conn)
        accounts = {
            "mayor": account_id(
                conn,
                "mayor",
                "A. Schreurs",
                role="bestuurder",
                organisation="Gemeente Roermond",
                region="Midden-Limburg",
            ),
            "sam": account_id(
                conn,
                "sam",
                "Sam Support",
                role="support",
                organisation="hvo support",
                region="Midden-Limburg",
            ),
            "peter": account_id(
                conn,
                "peter",
                "Peter de Graaf",
                role="beheerder",
                organisation="Zorg- en Veiligheidshuis Midden-Limburg",
                region="Midden-Limburg",
            ),
            "bea": account_id(
                conn,
                "bea",
                "Bea Beleid",
                role="beleidsmedewerker",
                organisation="Gemeente Roermond",
                region="Midden-Limburg",
            ),
            "paul": account_id(
                conn,
                "paul",
                "Paul Politie",
                role="politie",
                organisation="Politie Limburg",
                region="Midden-Limburg",
            ),
        }
    for username in ("ans", "mayor", "sam", "peter", "bea", "paul"):
        grant_all_regions(engine, username)
    with engine.connect() as conn:
        for username in ("ans", "lotte"):
            accounts[username] = conn.execute(
                select(Account.__table__.c.id).where(Account.__table__.c.username == username)
            ).scalar_one()
    return World(engine, server, ids, accounts)


@pytest.fixture
def world(engine, api_server, monkeypatch):
    import store.accounts

    monkeypatch.setattr(
        store.accounts,
        "password_hasher",
        PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1),
    )
    return build_world(engine, api_server(engine))


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def shared_world(request, tmp_path_factory):
    """One world per database for the refusal tests: a refused request changes nothing (each test
    proves it), so they can share it, and the suite stays fast."""
    import uuid

    from hvo_tui.domain.localtime import FrozenClock
    from store.db import make_engine, open_database
    from tests.api_fixtures import ApiServer
    from tests.conftest import PG_URL, require_postgres

    schema = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('api') / 'hvo.db'}"
    else:
        require_postgres()
        url, schema = PG_URL, f"hvo_t_{uuid.uuid4().hex[:12]}"
        admin = make_engine(PG_URL)
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    engine = open_database(url, auto_upgrade=True, schema=schema)
    server = ApiServer(engine, clock=FrozenClock(FROZEN_NOW))
    try:
        yield build_world(engine, server)
    finally:
        server.stop()
        engine.dispose()
        if schema:
            with admin.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            admin.dispose()


def note(case_version: int, text: str = "gebeld") -> dict:
    return {"version": case_version, "text": text}


# --- the codec -----------------------------------------------------------------------------------


def test_rows_and_case_details_survive_the_wire_exactly(world):
    """The HTTP store returns the very dataclasses the SQL store returns (moments with their
    offset, frozensets, nested tuples, enums, dates)."""
    api = world.http("ans")
    over_http = {row.case_id: row for row in api.queue_rows()}
    direct = {row.case_id: row for row in world.sql.queue_rows()}
    assert over_http == direct and len(direct) == 5
    detail = api.case_detail(world.ids["missed"])
    assert isinstance(detail, CaseDetail) and detail.row == direct[world.ids["missed"]]
    assert detail.persons[0].birth_date.year == 1984
    assert from_json(CaseDetail, to_json(detail)) == detail
    assert api.case_by_number("HV-2026-00104") == direct[world.ids["later"]]
    assert api.case_by_number("HV-2026-99999") is None
    assert api.queue_rows({world.ids["closed"]})[0].facts.status.value == "closed"
    assert api.queue_rows([]) == []


# --- refused permissions: 403 and nothing changed ------------------------------------------------


def _write(world, username, path, body):
    with world.raw(username) as client:
        return client.post(path, json=body)


REFUSED = [
    # (who, method, path template, body template) - {missed}/{today}/{soon}: case ids,
    # {v...}: versions
    ("sam", "POST", "/cases/{soon}/notes", {"version": "{v_soon}", "text": "support schrijft"}),
    (
        "sam",
        "POST",
        "/cases/{soon}/meetings",
        {"version": "{v_soon}", "kind": "mdo", "held_at": "2026-11-23T08:00:00+01:00"},
    ),
    ("bea", "POST", "/cases/{soon}/notes", {"version": "{v_soon}", "text": "beleid schrijft"}),
    (
        "bea",
        "POST",
        "/cases/{today}/partners",
        {"version": "{v_today}", "role": "casemanager", "external": {"name": "X"}},
    ),
    ("peter", "POST", "/cases/{soon}/notes", {"version": "{v_soon}", "text": "beheerder schrijft"}),
    (
        "mayor",
        "POST",
        "/cases/{soon}/documents/requests",
        {
            "version": "{v_soon}",
            "kind": "zorgadvies",
            "from_role": "casemanager",
            "due_at": "2026-11-24T12:00:00+01:00",
        },
    ),
    (
        "ans",
        "POST",
        "/cases/{today}/actions",
        {
            "version": "{v_today}",
            "action": "extend",
            "params": {"extended_until": "2026-12-11T17:00:00+01:00"},
        },
    ),
    ("lotte", "POST", "/cases/{soon}/actions", {"version": "{v_soon}", "action": "close"}),
    ("ans", "GET", "/accounts", None),
    ("ans", "GET", "/organisations", None),
    ("ans", "GET", "/organisation-counts", None),
    ("ans", "GET", "/accounts/{peter}", None),
    ("ans", "GET", "/accounts/{peter}/activity", None),
    (
        "ans",
        "POST",
        "/accounts",
        {
            "username": "nieuw",
            "full_name": "Nieuw",
            "organisation_id": 1,
            "roles": ["procesmanager"],
        },
    ),
    ("ans", "PATCH", "/accounts/{lotte}", {"full_name": "Lotte Gewijzigd"}),
    ("ans", "POST", "/accounts/{lotte}/deactivate", {}),
    ("ans", "POST", "/accounts/{lotte}/reactivate", {}),
    ("ans", "POST", "/accounts/{lotte}/login-reset", {"reset_totp": True}),
    ("ans", "POST", "/accounts/{lotte}/totp", {}),
    ("ans", "DELETE", "/accounts/{lotte}/totp", None),
    (
        "ans",
        "POST",
        "/accounts/import",
        {
            "dry_run": False,
            "text": (
                "gebruikersnaam,naam,organisatie,rollen,regio,telefoon,email\n"
                "x.y,X Y,Gemeente Roermond,politie,,,x@y.nl\n"
            ),
        },
    ),
    (
        "ans",
        "POST",
        "/password",
        {"account_id": "{lotte}", "current": "x", "new_password": "y" * 14},
    ),
]


def _fill(value, world):
    names = {
        **{k: v for k, v in world.ids.items()},
        **world.accounts,
        "v_soon": world.version("soon"),
        "v_today": world.version("today"),
    }
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}") and value[1:-1] in names:
            return names[value[1:-1]]
        return value.format(**names)
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    return value


@pytest.mark.parametrize(
    "who, method, path, body", REFUSED, ids=[f"{w}-{m}-{p}" for w, m, p, _ in REFUSED]
)
def test_a_refused_permission_is_403_with_a_dutch_message_and_changes_nothing(
    shared_world, who, method, path, body
):
    world = shared_world
    before = world.snapshot()
    with world.raw(who) as client:
        response = client.request(
            method, _fill(path, world), json=_fill(body, world) if body is not None else None
        )
    assert response.status_code == 403, response.text
    answer = response.json()
    assert answer["kind"] == "refused" and answer["detail"]
    assert " " in answer["detail"]  # a sentence, not a code
    assert world.snapshot() == before


def test_the_http_store_raises_refused_with_the_message_and_field(world):
    api = world.http("sam")
    with pytest.raises(Refused, match="support"):
        api.add_note(world.ids["soon"], world.version("soon"), text="mag niet")
    with pytest.raises(Refused) as refused:
        world.http("ans").request_document(
            world.ids["soon"],
            world.version("soon"),
            "zorgadvies",
            from_role="casemanager",
            due_at=FROZEN_NOW.subtract(days=1),
        )
    assert refused.value.field == "due_at" and "verleden" in str(refused.value)
    assert world.count(Event, action="document_requested") == 0


def test_a_case_outside_the_scope_is_404_and_its_opening_is_not_logged(world):
    lotte = world.http("lotte")  # a casemanager: only her own cases (101 and 103)
    assert sorted(r.number for r in lotte.queue_rows()) == ["HV-2026-00101", "HV-2026-00103"]
    before = world.snapshot()
    with pytest.raises(NotFound):
        lotte.case_detail(world.ids["today"])
    with pytest.raises(NotFound):
        lotte.add_note(world.ids["today"], world.version("today"), text="niet mijn zaak")
    assert lotte.case_by_number("HV-2026-00102") is None
    assert lotte.queue_rows({world.ids["today"]}) == []
    assert lotte.earlier_counts([world.ids["today"]]) == {}
    assert world.snapshot() == before


def test_support_sees_initials_over_the_api(world):
    row = world.http("sam").case_by_number("HV-2026-00101")
    person = row.facts.persons[0]
    assert person.name.startswith("J.") and "Vries" not in person.name
    assert person.bsn is None and row.address == ""
    detail = world.http("sam").case_detail(world.ids["missed"])
    assert all(p.bsn is None and p.address == "" for p in detail.persons)


def test_a_session_that_must_change_its_password_may_only_do_that(world):
    code = world.sql.reset_login(world.sql.actor_for("peter"), world.accounts["ans"])
    from store.http import HttpStore

    api = HttpStore(world.server.url, retries=0)
    actor = api.authenticate("ans", code)
    assert actor.must_change_password
    with pytest.raises(Refused, match="nieuw wachtwoord"):
        api.queue_rows()
    api.set_password(actor.account_id, code, PASSWORD)
    assert len(api.queue_rows()) == 5


# --- scope per request, concurrently ------------------------------------------------------------


def test_concurrent_requests_never_see_each_others_scope(world):
    """Two accounts with different scopes and masking hammer the same server at once."""
    lotte, sam = world.http("lotte"), world.http("sam")
    errors: list[str] = []

    def run(store, expected_numbers, masked):
        for _ in range(15):
            rows = store.queue_rows()
            numbers = sorted(r.number for r in rows)
            if numbers != expected_numbers:
                errors.append(f"{numbers} != {expected_numbers}")
            if any(
                ("Vries" in p.name) == masked
                for r in rows
                for p in r.facts.persons
                if r.number == "HV-2026-00101"
            ):
                errors.append("masking leaked")

    threads = [
        threading.Thread(target=run, args=(lotte, ["HV-2026-00101", "HV-2026-00103"], False)),
        threading.Thread(
            target=run,
            args=(
                sam,
                [
                    "HV-2026-00101",
                    "HV-2026-00102",
                    "HV-2026-00103",
                    "HV-2026-00104",
                    "HV-2026-00105",
                ],
                True,
            ),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


# --- conflict, expiry, logout -------------------------------------------------------------------


def test_a_stale_version_is_409_with_the_current_version_and_writes_nothing(world):
    stale = world.version("soon")
    world.sql.add_note(world.ids["soon"], stale, world.sql.actor_for("ans"), text="eerst")
    with world.raw("ans") as client:
        response = client.post(f"/cases/{world.ids['soon']}/notes", json=note(stale, "daarna"))
    assert response.status_code == 409
    assert response.json()["current_version"] == stale + 1 and response.json()["kind"] == "conflict"
    with pytest.raises(Conflict) as conflict:
        world.http("ans").add_note(world.ids["soon"], stale, text="daarna")
    assert conflict.value.current_version == stale + 1
    assert world.count(Note, case_id=world.ids["soon"]) == 1


def test_login_token_expires_and_logout_revokes_it(world):
    world.sql.set_password(
        world.accounts["ans"],
        world.sql.reset_login(world.sql.actor_for("peter"), world.accounts["ans"]),
        PASSWORD,
    )
    from store.http import HttpStore, SessionExpired

    api = HttpStore(world.server.url, retries=0)
    expired = []
    api.on_session_expired = lambda: expired.append(True)
    api.authenticate("ans", PASSWORD)
    assert len(api.queue_rows()) == 5
    sessions = world.server.state.sessions
    real_now = sessions.now
    sessions.now = lambda: real_now() + timedelta(hours=8, seconds=1)  # past the 8 hours
    try:
        with pytest.raises(SessionExpired):
            api.queue_rows()
    finally:
        sessions.now = real_now
    assert expired == [True] and api.token is None
    # A fresh login; logout revokes the token on the server.
    api.authenticate("ans", PASSWORD)
    token = api.token
    api.logout()
    with httpx.Client(base_url=world.server.url) as client:
        response = client.get("/api/v1/queue", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401 and response.json()["kind"] == "session"
    # A wrong password is a refused login, not an expired session.
    from store.accounts import LoginError

    with pytest.raises(LoginError, match="onjuist wachtwoord"):
        api.authenticate("ans", "fout")


def test_sessions_live_in_the_database_shared_by_server_processes_and_restarts(world, api_server):
    """Two servers on one database, as ``hvo serve --workers 2`` (or a restart) has them: a token
    from one works at the other, and a logout at one ends it at the other within the recheck."""
    from store.models import ApiSession

    second = api_server(world.engine, recheck_seconds=0)
    token = world.server.token_for("ans")
    with httpx.Client(
        base_url=second.url + "/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=10
    ) as other:
        me = other.get("/me")
        assert me.status_code == 200 and me.json()["username"] == "ans"
        assert len(other.get("/queue").json()) == 5  # with ans's scope, reread at the second server
        with world.engine.connect() as conn:
            stored = conn.execute(select(ApiSession.__table__.c.token_hash)).scalars().all()
        assert token not in stored and hashlib.sha256(token.encode()).hexdigest() in stored
        with httpx.Client(
            base_url=world.server.url + "/api/v1",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        ) as first:
            assert first.post("/logout").status_code == 204
        gone = other.get("/queue")
        assert gone.status_code == 401 and gone.json()["kind"] == "session"


def test_deactivating_an_account_ends_its_sessions(world):
    ans = world.http("ans")
    assert ans.queue_rows()
    world.http("peter").deactivate(None, world.accounts["ans"])
    from store.http import SessionExpired

    with pytest.raises(SessionExpired):
        ans.queue_rows()


def test_invalid_input_is_422_with_a_dutch_message(world):
    with world.raw("ans") as client:
        response = client.post(f"/cases/{world.ids['soon']}/notes", json={"text": "zonder versie"})
        assert response.status_code == 422
        assert response.json()["detail"] == "Verplicht veld 'version' ontbreekt."
        assert response.json()["field"] == "version"
        naive = client.post(
            f"/cases/{world.ids['soon']}/meetings",
            json={"version": 1, "kind": "mdo", "held_at": "2026-11-23T08:00:00"},
        )
        assert naive.status_code == 422 and "tijdzone" in naive.json()["detail"]
        nul = client.post(f"/cases/{world.ids['soon']}/notes", json=note(1, "a\x00b"))
        assert nul.status_code == 422 and "NUL" in nul.json()["detail"]
    assert world.count(Note) == 0


# --- the change feed ------------------------------------------------------------------------------


def test_the_event_stream_names_the_changed_case(world):
    api = world.http("ans")
    feed = api.change_feed()
    try:
        assert feed.wait(0.2) == set()
        world.sql.add_note(
            world.ids["soon"],
            world.version("soon"),
            world.sql.actor_for("ans"),
            text="via de database",
        )
        changed = feed.wait(5)
        # PostgreSQL names the case; SQLite only knows that something changed (reread all).
        assert changed is None or world.ids["soon"] in changed
    finally:
        feed.close()


# --- the client: retries, errors ----------------------------------------------------------------


def test_only_gets_are_retried_and_a_dead_server_is_connection_lost():
    from store.http import HttpStore

    calls: list[str] = []

    def flaky(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        if len(calls) % 2 == 1:
            return httpx.Response(
                503, json={"detail": "database niet bereikbaar", "kind": "unavailable"}
            )
        if request.method == "GET":
            return httpx.Response(200, json=[])
        return httpx.Response(200, json={"version": 2})

    api = HttpStore(
        "http://hvo.test", token="t", transport=httpx.MockTransport(flaky), backoff=0.001
    )
    assert api.queue_rows() == []
    assert calls == ["GET", "GET"]  # the 503 was retried
    calls.clear()
    with pytest.raises(ConnectionLost, match="niet bereikbaar"):
        api.add_note(1, 1, text="x")
    assert calls == ["POST"]  # a write is never sent twice

    with socketless_port() as port:
        dead = HttpStore(f"http://127.0.0.1:{port}", token="t", retries=1, backoff=0.001, timeout=2)
        with pytest.raises(ConnectionLost, match="niet bereikbaar"):
            dead.queue_rows()
        with pytest.raises(ConnectionLost):
            dead.change_feed()


class socketless_port:
    """A port nothing listens on (bound and closed again)."""

    def __enter__(self) -> int:
        import socket

        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        sock.close()
        return self.port

    def __exit__(self, *exc) -> None:
        return None


def test_queue_row_codec_roundtrip_on_plain_values():
    row_type = QueueRow
    assert from_json(dict[int, int], {"3": 4}) == {3: 4}
    assert from_json(frozenset[str], ["b", "a"]) == frozenset({"a", "b"})
    assert from_json(tuple[int, str], [1, "x"]) == (1, "x")
    assert row_type.__name__ == "QueueRow"


# --- new screenings ------------------------------------------------------------------------------


def test_a_new_screening_over_the_api_and_its_refusals(world):
    from hvo_tui.domain.standard_forms import RIHG_FIELDS

    api = world.http("ans")
    places = {m.name: m for m in api.municipalities()}
    assert "Roermond" in places
    rihg = {f.name: (f.choices[0][1] if f.choices else "x") for f in RIHG_FIELDS}
    new = dict(
        municipality_id=places["Roermond"].id,
        opened_at=FROZEN_NOW.subtract(hours=1),
        address={"street": "Markt", "house_number": "7", "postcode": "6041 EL", "city": "Roermond"},
        persons=[
            {
                "role": "uithuisgeplaatste",
                "first_name": "Tom",
                "last_name": "Kok",
                "birth_date": FROZEN_NOW.date().replace(year=1980),
            }
        ],
        rihg=rihg,
        rihg_author="Agent Bakker",
    )
    before = world.snapshot()
    with pytest.raises(Refused) as refused:
        api.open_screening(None, **{**new, "persons": [{**new["persons"][0], "last_name": ""}]})
    assert refused.value.field == "p0_last_name"
    with pytest.raises(Refused):
        world.http("sam").open_screening(None, **new)  # support only reads
    assert world.snapshot() == before
    try:
        created = api.open_screening(None, **new)
    except Refused as exc:  # a RiHG field this test filled wrongly: say which
        pytest.fail(f"refused: {exc} ({exc.field})")
    row = api.queue_rows({created.case_id})[0]
    assert row.number == created.number and row.facts.status.value == "screening"
    assert row.facts.persons[0].birth_date.year == 1980


# --- 401: the app asks the password again --------------------------------------------------------


async def test_an_ended_session_brings_the_login_back_and_the_queue_resumes(world):
    from hvo_tui.app import HvoApp
    from hvo_tui.domain.localtime import FrozenClock
    from screens.login import LoginScreen
    from store.http import HttpStore
    from tests.test_queue_screen import loaded, wait_for

    world.sql.set_password(
        world.accounts["ans"],
        world.sql.reset_login(world.sql.actor_for("peter"), world.accounts["ans"]),
        PASSWORD,
    )
    store = HttpStore(world.server.url, retries=0)
    ans = store.authenticate("ans", PASSWORD)
    app = HvoApp(store, clock=FrozenClock(FROZEN_NOW), actor=ans, username="ans")
    async with app.run_test(size=(120, 40)) as pilot:
        queue = await loaded(pilot)
        await pilot.press("j")
        highlighted = queue.query_one("DataTable").cursor_row
        world.server.state.sessions.revoke_account(world.accounts["ans"])  # e.g. a restart
        await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen), timeout=10)
        login = app.screen
        await pilot.pause(0.2)  # mounted: the password field has the focus
        assert "verlopen" in login.login_title
        assert login.query_one("#login-username").value == "ans"
        await pilot.press(*PASSWORD, "enter")
        await wait_for(pilot, lambda: app.screen is queue, timeout=10)
        assert queue.query_one("DataTable").cursor_row == highlighted  # the work stayed
        banner = queue.query_one("#banner")
        await wait_for(pilot, lambda: not banner.has_class("visible"), timeout=15)
        # The feed follows changes again.
        world.sql.add_note(
            world.ids["soon"],
            world.version("soon"),
            world.sql.actor_for("ans"),
            text="na opnieuw inloggen",
        )
        await wait_for(
            pilot,
            lambda: any(
                r.version == world.version("soon")
                for r in queue.model.rows.values()
                if r.case_id == world.ids["soon"]
            ),
            timeout=10,
        )
    store.close()


def test_hvo_serve_with_two_workers_shares_the_sessions(tmp_path):
    """`hvo serve --workers 2`: separate processes; a token issued by whichever worker answered
    the login works on fresh connections (which the kernel hands to either worker)."""
    import os
    import subprocess
    import sys
    import time

    import pendulum

    from store.db import open_database
    from tests.test_web import free_port, stop

    db = f"sqlite:///{tmp_path / 'hvo.db'}"
    engine = open_database(db, auto_upgrade=True)
    store = SqlStore(engine)
    org = store.ensure_organisation("Veiligheidshuis Midden-Limburg")
    from store.interface import Actor

    admin = Actor(name="test", roles=frozenset({"beheerder"}))
    kim, code = store.create_account(
        admin, username="kim", full_name="Kim de Boer", organisation_id=org, roles=["procesmanager"]
    )
    store.set_password(kim, code, PASSWORD, now=pendulum.now("UTC"))
    store.close()
    engine.dispose()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HVO_")}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hvo_tui",
            "--database",
            db,
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        end = time.monotonic() + 30
        while True:
            assert server.poll() is None, server.stderr.read().decode()[-2000:]
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < end, "hvo serve --workers 2 did not start"
            time.sleep(0.1)
        token = httpx.post(f"{base}/login", json={"username": "kim", "password": PASSWORD}).json()[
            "token"
        ]
        answers = [
            httpx.get(f"{base}/me", headers={"Authorization": f"Bearer {token}"}) for _ in range(8)
        ]
        assert [a.status_code for a in answers] == [200] * 8
        assert {a.json()["username"] for a in answers} == {"kim"}
    finally:
        stop(server)


async def test_every_connection_of_hvo_serve_has_tcp_nodelay():
    """With --workers uvicorn binds the socket itself (protocol 0) and asyncio leaves Nagle's
    algorithm on; hvo's protocol turns it off per connection (else a POST waits ~40 ms for a
    delayed ACK). Checked on a real listening socket bound as uvicorn binds it."""
    import asyncio
    import socket

    import uvicorn
    from uvicorn.protocols.http.h11_impl import H11Protocol
    from uvicorn.server import ServerState

    from hvo_tui.api.protocol import NoDelayH11Protocol

    async def app(scope, receive, send):  # never called: only the connection matters
        raise AssertionError

    config = uvicorn.Config(app, log_level="warning")
    config.load()
    state = ServerState()

    async def nodelay_with(protocol: type) -> int:
        seen: list[int] = []

        class Probe(protocol):
            def connection_made(self, transport) -> None:
                super().connection_made(transport)
                sock = transport.get_extra_info("socket")
                seen.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

        listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # no proto: as uvicorn does
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: Probe(config, state, {}), sock=listening)
        _, writer = await asyncio.open_connection(*listening.getsockname())
        for _ in range(200):
            if seen:
                break
            await asyncio.sleep(0.01)
        writer.close()
        server.close()
        await server.wait_closed()
        return seen[0]

    assert await nodelay_with(H11Protocol) == 0  # the trap
    assert await nodelay_with(NoDelayH11Protocol) != 0
