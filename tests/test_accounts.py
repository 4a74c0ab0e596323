"""Account administration, CSV import, login, lockout, TOTP and passwords, on real SQLite and real
PostgreSQL (the ``engine`` fixture). No mocks: argon2 and pyotp do their real work."""

from __future__ import annotations

from dataclasses import dataclass

import pyotp
import pytest
from argon2 import PasswordHasher, Type
from sqlalchemy import func, insert, select

from hvo_tui.domain.localtime import FrozenClock
from hvo_tui.domain.permissions import LOGIN_CODE_DAYS
from store.accounts import (
    Accounts,
    ImportReport,
    LoggedIn,
    LoginError,
    OrganisationCount,
    totp_uri,
)
from store.db import make_engine
from store.interface import Actor, NotFound, Refused
from store.models import Account, AccountRegion, AccountRole, Event, Organisation, Region, metadata
from store.sql import SqlStore
from tests.conftest import FROZEN_NOW
from tests.factories import account_id as make_account
from tests.factories import municipality_id

NOW = FROZEN_NOW  # Monday 2026-11-23 08:30 Europe/Amsterdam
PASSWORD = "paarden-batterij-nietje-7"
A = Account.__table__.c
E = Event.__table__.c


_Store = SqlStore  # the facade hands account calls to its Accounts repository
assert isinstance(SqlStore(make_engine("sqlite://")).accounts, Accounts)


@dataclass
class World:
    store: _Store
    engine: object
    admin: Actor
    politie: int  # organisation ids
    gemeente: int
    amw: int
    ml: int  # region ids
    nl: int


@pytest.fixture
def quick_argon2(monkeypatch):
    """Real argon2id with test-sized cost (a production verify takes ~0.15 s; these tests do
    hundreds). ``test_production_hasher`` checks the parameters that ship."""
    import store.accounts

    monkeypatch.setattr(
        store.accounts,
        "password_hasher",
        PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1),
    )


def test_production_hasher_is_argon2id_with_sound_parameters():
    import store.accounts

    hasher = store.accounts.password_hasher
    assert hasher.type is Type.ID
    assert hasher.time_cost >= 2 and hasher.memory_cost >= 19 * 1024  # OWASP minimum for argon2id
    assert hasher.hash("x").startswith("$argon2id$")


@pytest.fixture
def world(engine, quick_argon2) -> World:
    with engine.begin() as conn:
        municipality_id(conn, "Roermond", "Midden-Limburg")
        mun_venlo = municipality_id(conn, "Venlo", "Noord-Limburg")
        ml = conn.execute(
            select(Region.__table__.c.id).where(Region.__table__.c.name == "Midden-Limburg")
        ).scalar_one()
        nl = conn.execute(
            select(Region.__table__.c.id).where(Region.__table__.c.name == "Noord-Limburg")
        ).scalar_one()
        org = Organisation.__table__
        politie = conn.execute(
            insert(org).values(name="Politie Limburg", kind="politie", region_id=ml)
        ).inserted_primary_key[0]
        gemeente = conn.execute(
            insert(org).values(
                name="Gemeente Venlo", kind="gemeente", region_id=nl, municipality_id=mun_venlo
            )
        ).inserted_primary_key[0]
        amw = conn.execute(
            insert(org).values(name="AMW Limburg", kind="casemanagement")
        ).inserted_primary_key[0]
        peter = make_account(
            conn, "peter", "Peter de Graaf", role="beheerder", organisation="ZVH Midden-Limburg"
        )
    admin = Actor(
        name="Peter de Graaf", roles=frozenset({"beheerder"}), account_id=peter, username="peter"
    )
    return World(_Store(engine), engine, admin, politie, gemeente, amw, ml, nl)


def _new(w: World, username: str = "j.jansen", **kw) -> tuple[int, str]:
    values = dict(
        username=username,
        full_name="Jan Jansen",
        organisation_id=w.politie,
        roles=["politie"],
        regions=["Midden-Limburg"],
        phone="06-12345678",
        email=f"{username}@politie.nl",
    )
    values.update(kw)
    return w.store.create_account(w.admin, **values)


def _count(w: World, table) -> int:
    with w.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def _events(w: World, action: str | None = None) -> list:
    query = select(Event.__table__).order_by(E.id)
    if action:
        query = query.where(E.action == action)
    with w.engine.connect() as conn:
        return conn.execute(query).all()


# --- creating and logging in ---------------------------------------------------------------------


def test_new_account_logs_in_with_its_code_then_must_set_a_password(world):
    w = world
    account, code = _new(w)
    row = w.store.account(account)
    assert row.must_change_password and row.active and row.roles == ("politie",)
    assert row.regions == ("Midden-Limburg",) and row.phone == "+31612345678"

    first = w.store.authenticate("J.Jansen", code.lower().replace("-", " "), now=NOW)
    assert isinstance(first, LoggedIn) and isinstance(first, Actor)
    assert first.must_change_password
    assert (first.name, first.username, first.account_id) == ("Jan Jansen", "j.jansen", account)
    assert first.roles == frozenset({"politie"}) and first.regions == ("Midden-Limburg",)
    assert first.organisation == "Politie Limburg"

    with pytest.raises(Refused, match="minstens 12 tekens") as short:
        w.store.set_password(account, code, "kort", now=NOW)
    assert short.value.field == "new_password"
    w.store.set_password(account, code, PASSWORD, now=NOW)

    second = w.store.authenticate("j.jansen", PASSWORD, now=NOW)
    assert not second.must_change_password
    assert not w.store.account(account).must_change_password
    with pytest.raises(LoginError, match="onbekende gebruiker of onjuist wachtwoord"):
        w.store.authenticate("j.jansen", code, now=NOW)  # the code is used up
    actions = [e.action for e in _events(w) if e.account_id == account]
    assert actions == ["login", "password_changed", "login", "login_failed"]


def test_create_refuses_bad_input_in_dutch_and_writes_nothing(world):
    w = world
    _new(w)
    before = (_count(w, Account.__table__), _count(w, Event.__table__))
    cases = [
        (dict(username="J.Jansen"), "gebruikersnaam bestaat al", "username"),
        (dict(username="x y"), "gebruikersnaam", "username"),
        (dict(email="geen-apenstaartje.nl"), "e-mailadres zonder @", "email"),
        (dict(email="a@b"), "ongeldig e-mailadres", "email"),
        (dict(phone="12345"), "telefoonnummer", "phone"),
        (dict(roles=[]), "ten minste één rol", "roles"),
        (dict(roles=["burgemeester"]), "onbekende rol", "roles"),
        (dict(regions=["Atlantis"]), "onbekende regio", "regions"),
        (dict(organisation_id=9999), "onbekende organisatie", "organisation_id"),
        (dict(full_name="  "), "naam ontbreekt", "full_name"),
        (dict(bestuurlijk=True), "bestuurlijk account heeft de rol bestuurder", "bestuurlijk"),
    ]
    for n, (change, message, field) in enumerate(cases):
        values = {"username": f"nieuw{n}", **change}
        with pytest.raises(Refused, match=message) as err:
            _new(w, **values)
        assert err.value.field == field, change
    assert (_count(w, Account.__table__), _count(w, Event.__table__)) == before


def test_only_a_beheerder_administers_accounts(world):
    w = world
    account, _ = _new(w)
    pm = Actor(name="Ans", roles=frozenset({"procesmanager"}), account_id=None)
    before = (_count(w, Account.__table__), _count(w, Event.__table__))
    for attempt in (
        lambda: _new(w.__class__(**{**w.__dict__, "admin": pm}), username="x.y"),
        lambda: w.store.update_account(pm, account, full_name="X"),
        lambda: w.store.deactivate(pm, account),
        lambda: w.store.reset_login(pm, account),
        lambda: w.store.enable_totp(pm, account),
        lambda: w.store.import_accounts_csv(pm, CLEAN_CSV, dry_run=True),
    ):
        with pytest.raises(Refused, match="functioneel beheerder"):
            attempt()
    assert (_count(w, Account.__table__), _count(w, Event.__table__)) == before


def test_unknown_user_and_wrong_password_get_the_same_message(world):
    w = world
    account, code = _new(w)
    w.store.set_password(account, code, PASSWORD, now=NOW)
    with pytest.raises(LoginError) as unknown:
        w.store.authenticate("niemand", PASSWORD, now=NOW)
    with pytest.raises(LoginError) as wrong:
        w.store.authenticate("j.jansen", "verkeerd-wachtwoord", now=NOW)
    assert str(unknown.value) == str(wrong.value) == "onbekende gebruiker of onjuist wachtwoord"
    failed = _events(w, "login_failed")
    assert [(e.account_id, e.case_id) for e in failed] == [(None, None), (account, None)]
    assert failed[1].prev_hash == failed[0].hash  # the account log is one hash chain
    assert failed[0].details["invoer"] == "ni***** (7 tekens)"


# --- lockout -------------------------------------------------------------------------------------


def test_five_failures_lock_for_fifteen_minutes(world):
    w = world
    account, code = _new(w)
    w.store.set_password(account, code, PASSWORD, now=NOW)
    for attempt in range(4):
        with pytest.raises(LoginError, match="onjuist wachtwoord"):
            w.store.authenticate("j.jansen", f"fout-{attempt}", now=NOW.add(seconds=attempt))
    with pytest.raises(LoginError, match="^account geblokkeerd tot 08:45$") as fifth:
        w.store.authenticate("j.jansen", "fout-5", now=NOW.add(seconds=4))
    assert fifth.value.locked_until is not None
    assert w.store.account(account, now=NOW.add(minutes=1)).locked

    # The right password does not help while locked, nor does it extend the lock.
    for minutes in (1, 14):
        with pytest.raises(LoginError, match="account geblokkeerd tot 08:45"):
            w.store.authenticate("j.jansen", PASSWORD, now=NOW.add(minutes=minutes))
    actor = w.store.authenticate("j.jansen", PASSWORD, now=NOW.add(minutes=15, seconds=5))
    assert actor.account_id == account
    assert not w.store.account(account, now=NOW.add(minutes=16)).locked
    with w.engine.connect() as conn:
        assert conn.execute(select(A.failed_logins).where(A.id == account)).scalar_one() == 0
    reasons = [e.details["reden"] for e in _events(w, "login_failed")]
    assert reasons == ["onjuist wachtwoord"] * 5 + ["geblokkeerd"] * 2


def test_success_resets_the_failure_count(world):
    w = world
    account, code = _new(w)
    w.store.set_password(account, code, PASSWORD, now=NOW)
    for _ in range(4):
        with pytest.raises(LoginError):
            w.store.authenticate("j.jansen", "fout", now=NOW)
    w.store.authenticate("j.jansen", PASSWORD, now=NOW)
    for _ in range(4):
        with pytest.raises(LoginError, match="onjuist"):
            w.store.authenticate("j.jansen", "fout", now=NOW)
    assert not w.store.account(account, now=NOW).locked


def test_reset_login_gives_a_new_code_kills_the_password_and_lifts_the_lock(world):
    w = world
    account, code = _new(w)
    w.store.set_password(account, code, PASSWORD, now=NOW)
    for _ in range(5):
        with pytest.raises(LoginError):
            w.store.authenticate("j.jansen", "fout", now=NOW)
    new_code = w.store.reset_login(w.admin, account)
    assert new_code != code
    with pytest.raises(LoginError, match="onjuist"):
        w.store.authenticate("j.jansen", PASSWORD, now=NOW.add(minutes=1))
    actor = w.store.authenticate("j.jansen", new_code, now=NOW.add(minutes=1))
    assert actor.must_change_password
    assert _events(w, "account_login_reset")[0].details["account_id"] == account


# --- second factor -------------------------------------------------------------------------------


def test_totp_is_required_once_enabled(world):
    w = world
    account, code = _new(w)
    w.store.set_password(account, code, PASSWORD, now=NOW)
    me = w.store.authenticate("j.jansen", PASSWORD, now=NOW)
    secret = w.store.enable_totp(me, account)  # an account may set up its own second factor
    assert totp_uri(secret, "j.jansen").startswith("otpauth://totp/")
    totp = pyotp.TOTP(secret)

    with pytest.raises(LoginError, match="tweede factor nodig") as missing:
        w.store.authenticate("j.jansen", PASSWORD, now=NOW)
    assert missing.value.second_factor
    wrong = "000000" if totp.at(NOW) != "000000" else "111111"
    with pytest.raises(LoginError, match="onjuiste code"):
        w.store.authenticate("j.jansen", PASSWORD, totp_code=wrong, now=NOW)
    with pytest.raises(LoginError, match="onjuiste code"):  # two steps old: outside the window
        w.store.authenticate(
            "j.jansen", PASSWORD, totp_code=totp.at(NOW.subtract(seconds=75)), now=NOW
        )
    # One step (30 s) of clock drift either way is accepted.
    w.store.authenticate("j.jansen", PASSWORD, totp_code=totp.at(NOW.subtract(seconds=30)), now=NOW)
    assert (
        w.store.authenticate("j.jansen", PASSWORD, totp_code=totp.at(NOW), now=NOW).account_id
        == account
    )
    # A code is accepted once: the same code again, or an older one, is refused (someone who saw it
    # over a shoulder cannot log in with it) and counts as a failed attempt.
    for replayed in (totp.at(NOW), totp.at(NOW.subtract(seconds=30))):
        with pytest.raises(LoginError, match="al gebruikt") as reused:
            w.store.authenticate("j.jansen", PASSWORD, totp_code=replayed, now=NOW)
        assert reused.value.second_factor
    assert (
        w.store.authenticate(
            "j.jansen", PASSWORD, totp_code=totp.at(NOW.add(seconds=30)), now=NOW.add(seconds=30)
        ).account_id
        == account
    )
    # A wrong password with a right code is still a wrong password.
    with pytest.raises(LoginError, match="onjuist wachtwoord"):
        w.store.authenticate("j.jansen", "fout", totp_code=totp.at(NOW), now=NOW)
    assert w.store.account(account).totp

    w.store.disable_totp(w.admin, account)
    w.store.authenticate("j.jansen", PASSWORD, now=NOW)


def test_login_codes_expire_after_a_week(world):
    w = world
    w.store.clock = FrozenClock(NOW)
    account, code = _new(w)  # handed out at NOW
    week_later = NOW.add(days=LOGIN_CODE_DAYS)
    with pytest.raises(LoginError, match="inlogcode is verlopen"):
        w.store.authenticate("j.jansen", code, now=week_later)
    with pytest.raises(LoginError, match="inlogcode is verlopen"):
        w.store.set_password(account, code, PASSWORD, now=week_later)
    assert [e.details["reden"] for e in _events(w, "login_failed")] == ["inlogcode verlopen"] * 2
    # A new code from the beheerder works for another week; the password replaces it for good.
    fresh = w.store.reset_login(w.admin, account)
    w.store.set_password(account, fresh, PASSWORD, now=NOW.add(days=6, hours=23))
    assert w.store.authenticate("j.jansen", PASSWORD, now=NOW.add(days=30)).account_id == account


def test_wrong_totp_codes_count_towards_the_lock(world):
    w = world
    account, code = _new(w)
    w.store.set_password(account, code, PASSWORD, now=NOW)
    secret = w.store.enable_totp(w.admin, account)
    good = pyotp.TOTP(secret).at(NOW)
    wrong = str((int(good) + 500_000) % 1_000_000).zfill(6)
    for _ in range(4):
        with pytest.raises(LoginError, match="onjuiste code"):
            w.store.authenticate("j.jansen", PASSWORD, totp_code=wrong, now=NOW)
    with pytest.raises(LoginError, match="account geblokkeerd"):
        w.store.authenticate("j.jansen", PASSWORD, totp_code=wrong, now=NOW)


# --- deactivate, update ------------------------------------------------------------------------


def test_deactivate_keeps_the_row_and_its_history_and_refuses_login(world):
    w = world
    account, code = _new(w)
    w.store.set_password(account, code, PASSWORD, now=NOW)
    w.store.authenticate("j.jansen", PASSWORD, now=NOW)
    events_before = [e.id for e in _events(w) if e.account_id == account]

    w.store.deactivate(w.admin, account)
    row = w.store.account(account)
    assert not row.active and row.roles == ("politie",)
    with w.engine.connect() as conn:
        assert (
            conn.execute(select(A.deactivated_at).where(A.id == account)).scalar_one() is not None
        )
    assert [e.id for e in _events(w) if e.account_id == account] == events_before
    with pytest.raises(LoginError, match="gedeactiveerd"):
        w.store.authenticate("j.jansen", PASSWORD, now=NOW)
    with pytest.raises(Refused, match="al gedeactiveerd"):
        w.store.deactivate(w.admin, account)
    assert [r.id for r in w.store.list_accounts(active=False)] == [account]

    w.store.reactivate(w.admin, account)
    assert w.store.authenticate("j.jansen", PASSWORD, now=NOW).account_id == account
    actions = [e.action for e in _events(w) if e.details.get("account_id") == account]
    assert actions == ["account_created", "account_deactivated", "account_reactivated"]


def test_a_beheerder_keeps_the_last_way_in(world):
    w = world
    with pytest.raises(Refused, match="eigen account"):
        w.store.deactivate(w.admin, w.admin.account_id)
    system = Actor(name="systeem", roles=frozenset({"beheerder"}))
    with pytest.raises(Refused, match="laatste actieve functioneel beheerder"):
        w.store.deactivate(system, w.admin.account_id)
    with pytest.raises(Refused, match="laatste actieve functioneel beheerder"):
        w.store.update_account(system, w.admin.account_id, roles=["procesmanager"])
    second, _ = _new(w, "beheer2", roles=["beheerder"])
    w.store.update_account(system, w.admin.account_id, roles=["procesmanager"])
    assert w.store.account(w.admin.account_id).roles == ("procesmanager",)
    assert w.store.account(second).roles == ("beheerder",)


def test_update_account_changes_fields_and_logs_before_and_after(world):
    w = world
    account, _ = _new(w)
    w.store.update_account(
        w.admin,
        account,
        phone="+31 (0)6 8765 4321",
        email="jan@politie.nl",
        roles=["politie", "hovj"],
        regions=["Noord-Limburg", "Midden-Limburg"],
        organisation_id=w.gemeente,
        full_name="Jan Jansen-de Boer",
    )
    row = w.store.account(account)
    assert (row.phone, row.email, row.full_name) == (
        "+31687654321",
        "jan@politie.nl",
        "Jan Jansen-de Boer",
    )
    assert row.roles == ("hovj", "politie") and row.regions == ("Midden-Limburg", "Noord-Limburg")
    assert row.organisation == "Gemeente Venlo"
    event = _events(w, "account_updated")[-1]
    assert event.account_id == w.admin.account_id and event.actor_name == "Peter de Graaf"
    assert event.case_id is None and event.hash is not None and event.prev_hash is not None
    assert event.details["voor"]["rollen"] == ["politie"]
    assert event.details["na"]["rollen"] == ["hovj", "politie"]
    assert set(event.details["voor"]) == {
        "naam",
        "telefoon",
        "email",
        "rollen",
        "regio's",
        "organisatie",
    }

    n = len(_events(w))
    w.store.update_account(w.admin, account, phone="06 87654321")  # the same number: no event
    assert len(_events(w)) == n
    for change, message in (
        (dict(email="jan.politie.nl"), "zonder @"),
        (dict(roles=[]), "ten minste één rol"),
        (dict(username="anders"), "niet te wijzigen"),
        (dict(bestuurlijk=True), "rol bestuurder"),
        (dict(organisation_id=4242), "onbekende organisatie"),
    ):
        with pytest.raises(Refused, match=message):
            w.store.update_account(w.admin, account, **change)
    assert w.store.account(account) == row
    with pytest.raises(NotFound):
        w.store.update_account(w.admin, 4242, full_name="X")


# --- listing and counts --------------------------------------------------------------------------


def test_list_accounts_filters(world):
    w = world
    jan, _ = _new(w, "j.jansen", full_name="Jan Jansen", roles=["politie", "hovj"])
    els, _ = _new(
        w,
        "e.smit",
        full_name="Els Smit",
        organisation_id=w.amw,
        roles=["casemanager"],
        regions=["Noord-Limburg"],
    )
    burg, _ = _new(
        w,
        "burgemeester.venlo",
        full_name="Burgemeester van Venlo",
        organisation_id=w.gemeente,
        roles=["bestuurder"],
        regions=[],
        bestuurlijk=True,
    )
    w.store.deactivate(w.admin, els)
    peter = w.admin.account_id

    def ids(**filters):
        return [r.id for r in w.store.list_accounts(**filters)]

    assert ids() == [burg, els, jan, peter]  # by name
    assert ids(role="hovj") == [jan]
    assert ids(role="casemanager") == [els]
    assert ids(organisation_id=w.gemeente) == [burg]
    assert ids(region="noord-limburg") == [els]
    assert ids(region="Midden-Limburg") == [jan]
    assert ids(active=True) == [burg, jan, peter]
    assert ids(active=False) == [els]
    assert ids(text="SMIT") == [els]
    assert ids(text="politie limburg") == [jan]  # organisation name
    assert ids(text="%") == []
    assert ids(role="politie", region="Midden-Limburg", active=True) == [jan]
    burg_row = w.store.list_accounts(organisation_id=w.gemeente)[0]
    assert (
        burg_row.bestuurlijk
        and burg_row.organisation == "Gemeente Venlo"
        and burg_row.regions == ()
    )


def test_organisation_counts(world):
    w = world
    _new(w, "a.politie")
    gone, _ = _new(w, "b.politie")
    _new(
        w,
        "burgemeester.venlo",
        full_name="Burgemeester van Venlo",
        organisation_id=w.gemeente,
        roles=["bestuurder"],
        bestuurlijk=True,
    )
    _new(
        w,
        "oov.venlo",
        full_name="Olga Oov",
        organisation_id=w.gemeente,
        roles=["beleidsmedewerker"],
    )
    w.store.deactivate(w.admin, gone)
    counts = w.store.organisation_counts()
    assert counts == [
        OrganisationCount("AMW Limburg", 0, 0),
        OrganisationCount("Gemeente Venlo", 2, 1),
        OrganisationCount("Politie Limburg", 1, 0),
        OrganisationCount("ZVH Midden-Limburg", 1, 0),
    ]
    assert counts[1] == ("Gemeente Venlo", 2, 1)


# --- CSV import ----------------------------------------------------------------------------------

HEADER = "gebruikersnaam,naam,organisatie,rollen,regio,telefoon,email\n"
CLEAN_CSV = HEADER + (
    "k.bakker,Kees Bakker,Politie Limburg,politie,Midden-Limburg,06-11111111,k.bakker@politie.nl\n"
    "m.visser,Mira Visser,politie limburg,politie;hovj,,,m.visser@politie.nl\n"
    '"s.meijer","Sanne Meijer, inspecteur",Politie Limburg,HOvJ,'
    "Noord-Limburg;Midden-Limburg,0612345678,\n"
)
MIXED_CSV = HEADER + (
    "k.bakker,Kees Bakker,Politie Limburg,politie,Midden-Limburg,06-11111111,k.bakker@politie.nl\n"
    "m.visser,Mira Visser,Politie Limburg,politie,,,m.visser.politie.nl\n"
    "\n"
    "j.jansen,Jan Jansen,Politie Limburg,politie,,,jan@politie.nl\n"
    "t.smit,Tom Smit,Politie Utrecht,agent,Atlantis,12,t.smit@politie.nl\n"
    "k.bakker,Kees Bakker,Politie Limburg,politie,,,\n"
    "kort,regel\n"
)


def _world_state(w: World) -> tuple[int, int, int, int]:
    return (
        _count(w, Account.__table__),
        _count(w, AccountRole.__table__),
        _count(w, AccountRegion.__table__),
        _count(w, Event.__table__),
    )


def test_csv_dry_run_reports_every_bad_line_and_writes_nothing(world):
    w = world
    _new(w, "j.jansen")
    before = _world_state(w)
    report = w.store.import_accounts_csv(w.admin, MIXED_CSV, dry_run=True)
    assert isinstance(report, ImportReport) and report.dry_run and not report.applied
    by_line = {line.line: line for line in report.lines}
    assert sorted(by_line) == [2, 3, 5, 6, 7, 8]
    assert (by_line[2].status, by_line[2].errors) == ("nieuw", ())
    assert by_line[3].status == "fout"
    assert by_line[3].errors == ("e-mailadres zonder @: 'm.visser.politie.nl'",)
    assert by_line[5].status == "bestaat al" and by_line[5].errors == ("gebruikersnaam bestaat al",)
    assert by_line[6].errors == (
        "onbekende organisatie: 'Politie Utrecht'",
        "onbekende rol: 'agent'",
        "onbekende regio: 'Atlantis'",
        "Geen Nederlands telefoonnummer: '12' (verwacht bijv. 06 12345678).",
    )
    assert by_line[7].errors == ("gebruikersnaam staat ook op regel 2",)
    assert by_line[8].errors == ("verwacht 7 kolommen, gevonden 2",)
    assert [line.line for line in report.errors] == [3, 5, 6, 7, 8]
    assert report.lines[1].text == "regel 3 (m.visser): e-mailadres zonder @: 'm.visser.politie.nl'"
    assert "niets opgeslagen" in report.message
    assert report.codes == {}
    assert _world_state(w) == before


def test_csv_apply_with_any_error_applies_nothing(world):
    w = world
    _new(w, "j.jansen")
    before = _world_state(w)
    report = w.store.import_accounts_csv(w.admin, MIXED_CSV, dry_run=False)
    assert not report.applied and not report.dry_run
    assert "alles of niets" in report.message and len(report.errors) == 5
    assert report.codes == {}
    assert _world_state(w) == before


def test_csv_apply_of_a_clean_file_creates_every_account_with_a_code(world):
    w = world
    dry = w.store.import_accounts_csv(w.admin, "\ufeff" + CLEAN_CSV, dry_run=True)
    assert [line.status for line in dry.lines] == ["nieuw"] * 3 and not dry.errors
    report = w.store.import_accounts_csv(w.admin, CLEAN_CSV, dry_run=False)
    assert report.applied and report.message == "3 account(s) aangemaakt"
    assert sorted(report.codes) == ["k.bakker", "m.visser", "s.meijer"]
    rows = {r.username: r for r in w.store.list_accounts(organisation_id=w.politie)}
    assert rows["m.visser"].roles == ("hovj", "politie") and rows["m.visser"].phone is None
    assert rows["s.meijer"].full_name == "Sanne Meijer, inspecteur"
    assert rows["s.meijer"].regions == ("Midden-Limburg", "Noord-Limburg")
    assert rows["s.meijer"].email is None and rows["s.meijer"].phone == "+31612345678"
    assert all(r.must_change_password for r in rows.values())
    for username, code in report.codes.items():
        assert w.store.authenticate(username, code, now=NOW).must_change_password
    created = _events(w, "account_created")
    assert [e.details["regel"] for e in created] == [2, 3, 4]
    assert {e.details["bron"] for e in created} == {"csv-import"}
    again = w.store.import_accounts_csv(w.admin, CLEAN_CSV, dry_run=True)
    assert [line.status for line in again.lines] == ["bestaat al"] * 3


def test_csv_with_a_wrong_header_or_no_lines(world):
    w = world
    report = w.store.import_accounts_csv(w.admin, "naam,email\nJan,jan@x.nl\n", dry_run=True)
    assert report.lines[0].line == 1 and "kopregel" in report.lines[0].errors[0]
    empty = w.store.import_accounts_csv(w.admin, HEADER, dry_run=False)
    assert not empty.applied and empty.lines == () and "geen accounts" in empty.message


# --- secrets never in plain text -----------------------------------------------------------------


def test_passwords_and_codes_never_stored_in_plain_text(world):
    w = world
    account, code = _new(w)
    w.store.authenticate("j.jansen", code, now=NOW)
    w.store.set_password(account, code, PASSWORD, now=NOW)
    w.store.authenticate("j.jansen", PASSWORD, now=NOW)
    typo = "Geheim-typo-wachtwoord-99"
    with pytest.raises(LoginError):
        w.store.authenticate("j.jansen", typo, now=NOW)
    with pytest.raises(LoginError):  # the password typed into the name field
        w.store.authenticate(PASSWORD, PASSWORD, now=NOW)
    reset_code = w.store.reset_login(w.admin, account)
    report = w.store.import_accounts_csv(w.admin, CLEAN_CSV, dry_run=False)
    secrets = [
        PASSWORD,
        typo,
        code,
        code.replace("-", ""),
        reset_code,
        reset_code.replace("-", ""),
        *report.codes.values(),
        *(c.replace("-", "") for c in report.codes.values()),
    ]

    with w.engine.connect() as conn:
        hashes = conn.execute(select(A.password_hash, A.login_code_hash)).all()
        seen = 0
        for table in metadata.sorted_tables:
            for row in conn.execute(select(table)):
                seen += 1
                blob = repr(tuple(row)).lower()
                for secret in secrets:
                    assert secret.lower() not in blob, (table.name, secret)
    assert seen > 10
    stored = [h for pair in hashes for h in pair if h]
    assert stored and all(h.startswith("$argon2id$") for h in stored)


# --- scope in SQL --------------------------------------------------------------------------------


def test_case_scope_clause_keeps_exactly_the_cases_an_account_sees(world):
    from hvo_tui.domain.permissions import Scope, scope_for
    from store.models import Case, CasePartner, Municipality
    from store.scope import case_scope_clause
    from tests.factories import seed_case

    w = world
    with w.engine.connect() as conn:
        zvh = conn.execute(
            select(Organisation.__table__.c.id).where(
                Organisation.__table__.c.name == "ZVH Midden-Limburg"
            )
        ).scalar_one()
    pm, _ = _new(w, "ans", full_name="Ans", organisation_id=zvh, roles=["procesmanager"])
    els, _ = _new(
        w, "els", full_name="Els", organisation_id=w.amw, roles=["casemanager"], regions=[]
    )
    mayor, _ = _new(
        w,
        "burg.venlo",
        full_name="Burgemeester",
        organisation_id=w.gemeente,
        roles=["bestuurder"],
        regions=[],
        bestuurlijk=True,
    )
    cop, _ = _new(w, "cop", full_name="Agent", roles=["politie"], regions=[])
    with w.engine.begin() as conn:
        c1 = seed_case(
            conn, number="HV-2026-00001", municipality="Roermond", region="Midden-Limburg"
        )
        c2 = seed_case(conn, number="HV-2026-00002", municipality="Venlo", region="Noord-Limburg")
        c3 = seed_case(conn, number="HV-2026-00003", municipality="Venlo", region="Noord-Limburg")
        c4 = seed_case(
            conn, number="HV-2026-00004", municipality="Leiden", region="Hollands Midden"
        )
        colleague = make_account(conn, "collega", "Collega", organisation="AMW Limburg")
        partner = CasePartner.__table__
        for case_id, role, account, ended in (
            (c2, "casemanager", els, None),
            (c3, "casemanager", colleague, None),
            (c4, "politie", cop, NOW),
            (c4, "procesmanager", pm, None),
        ):
            conn.execute(
                insert(partner).values(
                    case_id=case_id, role=role, account_id=account, assigned_at=NOW, ended_at=ended
                )
            )
        facts = conn.execute(
            select(Case.__table__.c.id, Case.__table__.c.municipality_id, Region.__table__.c.name)
            .join(
                Municipality.__table__,
                Municipality.__table__.c.id == Case.__table__.c.municipality_id,
            )
            .join(Region.__table__, Region.__table__.c.id == Municipality.__table__.c.region_id)
        ).all()
        partners = conn.execute(
            select(partner.c.case_id, partner.c.account_id, Account.__table__.c.organisation_id)
            .join(Account.__table__, A.id == partner.c.account_id)
            .where(partner.c.ended_at.is_(None))
        ).all()
        venlo = conn.execute(
            select(Organisation.__table__.c.municipality_id).where(
                Organisation.__table__.c.id == w.gemeente
            )
        ).scalar_one()

    def visible(scope: Scope) -> set[int]:
        with w.engine.connect() as conn:
            found = set(
                conn.execute(select(Case.__table__.c.id).where(case_scope_clause(scope))).scalars()
            )
        org_mun = venlo if scope.organisation_id == w.gemeente else None
        in_python = {
            case_id
            for case_id, mun, region in facts
            if scope.sees(
                region=region,
                municipality_id=mun,
                organisation_municipality_id=org_mun,
                partner_account_ids={p.account_id for p in partners if p.case_id == case_id},
                partner_organisation_ids={
                    p.organisation_id for p in partners if p.case_id == case_id
                },
            )
        }
        assert found == in_python, scope
        return found

    assert visible(w.store.account_scope(pm)) == {c1, c4}  # region Midden-Limburg + partner on c4
    # Region-wide roles see their organisation's partner cases as well (the rule is one for all).
    assert visible(scope_for(["procesmanager"], ["Midden-Limburg"], w.amw)) == {c1, c2, c3}
    assert visible(w.store.account_scope(els)) == {c2, c3}  # own case + organisation's case
    assert visible(w.store.account_scope(mayor)) == {c2, c3}  # municipality Venlo
    assert visible(w.store.account_scope(cop)) == set()  # an ended partnership shows nothing
    assert visible(scope_for(["support"], None, w.amw)) == {c1, c2, c3, c4}
    assert visible(scope_for(["beheerder"], [], w.amw)) == {
        c2,
        c3,
    }  # no regions: only AMW's partner cases
    assert visible(scope_for(["beleidsmedewerker"], ["Hollands Midden"], w.politie)) == {c4}
    w.store.deactivate(w.admin, els)
    assert visible(w.store.account_scope(els)) == set()


def test_account_activity_lists_what_an_account_did_and_what_was_done_to_it(world):
    w = world
    account, code = _new(w)
    w.store.authenticate("j.jansen", code, now=NOW)
    w.store.update_account(w.admin, account, email="jan@politie.nl")
    _new(w, "ander")  # someone else's history stays out
    activity = w.store.account_activity(account)
    # Newest first; the login is logged at NOW (a fixed 2026 moment), the administration at the
    # real clock, so compare as a set and check the order of the administration events.
    actions = [e.action for e in activity]
    assert sorted(actions) == ["account_created", "account_updated", "login"]
    assert actions.index("account_updated") < actions.index("account_created")
    assert all(e.details.get("account_id") == account or e.action == "login" for e in activity)
