"""The demo data: invariants of build_demo (every status, counts, referential integrity, the law's
calendar, deadlines and documents in every state), determinism, reset, and build_large.

Each backend's demo database is built once per module (a full build takes seconds).
"""

from __future__ import annotations

import csv
import importlib.resources
import io
import re
import uuid
from collections import Counter, defaultdict
from datetime import timedelta

import pendulum
import pytest
from sqlalchemy import func, select, text

from hvo_tui.domain.timeline import add_days, ban_end, extension_limit
from hvo_tui.domain.vocab import (
    BAN_STATUSES,
    OPEN_STATUSES,
    QUEUE_DOCUMENTS,
    CaseStatus,
    DocumentKind,
    DocumentStatus,
    Role,
)
from store import demo
from store.db import make_engine, upgrade
from store.models import (
    Account,
    AccountRegion,
    AccountRole,
    Case,
    CasePartner,
    CasePerson,
    Document,
    Event,
    Municipality,
    Region,
    metadata,
)
from tests.conftest import FROZEN_NOW, PG_URL, require_postgres

C = Case.__table__.c
D = Document.__table__.c
P = CasePerson.__table__.c
NOW = FROZEN_NOW
TZ = "Europe/Amsterdam"
OPEN = {s.value for s in OPEN_STATUSES}


def _fresh_engine(kind: str, tmp_path_factory):
    """(engine, cleanup) for a migrated, empty database of ``kind``."""
    if kind == "sqlite":
        path = tmp_path_factory.mktemp("demo") / "hvo.db"
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
        return engine, engine.dispose
    require_postgres()
    schema = f"hvo_demo_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    engine = make_engine(PG_URL, schema=schema)
    upgrade(engine)

    def cleanup() -> None:
        engine.dispose()
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()

    return engine, cleanup


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def demo_db(request, tmp_path_factory):
    """(engine, summary): the demo built once per backend at FROZEN_NOW."""
    engine, cleanup = _fresh_engine(request.param, tmp_path_factory)
    try:
        summary = demo.build_demo(engine, now=NOW)
        yield engine, summary
    finally:
        cleanup()


@pytest.fixture(scope="module")
def reference_sqlite(tmp_path_factory):
    """A second, independent SQLite build with the same seed and now."""
    engine, cleanup = _fresh_engine("sqlite", tmp_path_factory)
    try:
        demo.build_demo(engine, now=NOW)
        yield engine
    finally:
        cleanup()


def _cases(engine):
    with engine.connect() as conn:
        return conn.execute(select(Case.__table__)).all()


def _docs_by_case(engine):
    by_case = defaultdict(list)
    with engine.connect() as conn:
        for d in conn.execute(select(Document.__table__)).all():
            by_case[d.case_id].append(d)
    return by_case


def _same(a, b) -> bool:
    """The same instant. Not ``==``: an aware datetime at an ambiguous wall time (the repeated
    hour in October, as pendulum returns it) never compares equal across zones (PEP 495)."""
    return a.tzinfo is not None and b.tzinfo is not None and a.timestamp() == b.timestamp()


def _local(moment):
    return pendulum.instance(moment).in_timezone(TZ)


# --- counts and reference data ------------------------------------------------------------------


def test_counts_are_in_the_expected_ranges(demo_db):
    engine, summary = demo_db
    cases = _cases(engine)
    statuses = Counter(c.status for c in cases)
    n_open = sum(n for s, n in statuses.items() if s in OPEN)
    n_closed = statuses["closed"] + statuses["archived"]
    assert 70 <= n_open <= 90  # about 6 per 100,000 inhabitants (see the header tests below)
    assert 2700 <= n_closed <= 3300
    assert 20 <= statuses["destroyed"] <= 40
    assert summary["open zaken"] == n_open
    assert summary["gesloten zaken"] == n_closed
    with engine.connect() as conn:
        accounts = conn.execute(select(func.count()).select_from(Account.__table__)).scalar()
        regions = conn.execute(select(Region.__table__.c.name)).scalars().all()
    assert 35 <= accounts <= 45 and summary["accounts"] == accounts
    assert sorted(regions) == ["Hollands Midden", "Midden-Limburg", "Noord-Limburg"]


def test_municipalities_are_the_real_ones_with_their_populations(demo_db):
    engine, _ = demo_db
    text_csv = (importlib.resources.files("store") / "gemeenten.csv").read_text(encoding="utf-8")
    expected = {
        row["cbs_code"]: (row["gemeente"], int(row["inwoners"]), row["region"])
        for row in csv.DictReader(io.StringIO(text_csv))
    }
    M, R = Municipality.__table__.c, Region.__table__.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(M.cbs_code, M.name, M.population, R.name.label("region")).join(
                Region.__table__, R.id == M.region_id
            )
        ).all()
    assert len(rows) == 33
    assert {r.cbs_code: (r.name, r.population, r.region) for r in rows} == expected


def test_every_status_is_present(demo_db):
    engine, _ = demo_db
    statuses = {c.status for c in _cases(engine)}
    assert statuses >= OPEN
    assert {"closed", "archived", "destroyed"} <= statuses
    assert statuses <= {s.value for s in CaseStatus}


# --- integrity and the law ----------------------------------------------------------------------


def test_referential_integrity(demo_db):
    engine, _ = demo_db
    with engine.connect() as conn:
        orphans = {
            "case without municipality": conn.execute(
                text(
                    "SELECT count(*) FROM hvo_case c LEFT JOIN municipality m "
                    "ON m.id = c.municipality_id WHERE m.id IS NULL"
                )
            ).scalar(),
            "partner without account or contact": conn.execute(
                text(
                    "SELECT count(*) FROM case_partner p "
                    "LEFT JOIN account a ON a.id = p.account_id "
                    "WHERE (p.account_id IS NOT NULL AND a.id IS NULL) "
                    "OR (p.account_id IS NULL AND p.external_name IS NULL)"
                )
            ).scalar(),
            "document without case": conn.execute(
                text(
                    "SELECT count(*) FROM document d LEFT JOIN hvo_case c ON c.id = d.case_id "
                    "WHERE c.id IS NULL"
                )
            ).scalar(),
            "person without case": conn.execute(
                text(
                    "SELECT count(*) FROM case_person p LEFT JOIN hvo_case c ON c.id = p.case_id "
                    "WHERE c.id IS NULL"
                )
            ).scalar(),
            "case without created event": conn.execute(
                text(
                    "SELECT count(*) FROM hvo_case c WHERE c.status <> 'destroyed' AND NOT EXISTS "
                    "(SELECT 1 FROM event e WHERE e.case_id = c.id AND e.action = 'case.created')"
                )
            ).scalar(),
        }
        partners = conn.execute(select(CasePartner.__table__.c.case_id)).scalars().all()
        later_events = conn.execute(
            select(func.count()).select_from(Event.__table__).where(Event.__table__.c.at > NOW)
        ).scalar()
    assert orphans == dict.fromkeys(orphans, 0)
    assert partners
    assert later_events == 0


def test_case_numbers_are_unique_and_sequential_per_year(demo_db):
    engine, _ = demo_db
    by_year = defaultdict(list)
    for c in sorted(_cases(engine), key=lambda c: (c.opened_at, c.id)):
        m = re.fullmatch(r"HV-(\d{4})-(\d{5})", c.number)
        assert m, c.number
        assert int(m.group(1)) == _local(c.opened_at).year
        by_year[int(m.group(1))].append(int(m.group(2)))
    for year, numbers in by_year.items():
        assert numbers == list(range(1, len(numbers) + 1)), year


def test_open_cases_follow_the_law(demo_db):
    engine, _ = demo_db
    for c in _cases(engine):
        if c.status not in OPEN:
            continue
        if c.status in ("screening", "not_imposed"):
            assert c.kind == "screening"
            assert c.imposed_at is None and c.ends_at is None, c.number
            continue
        assert c.kind == "huisverbod"
        assert c.imposed_at.tzinfo is not None and c.ends_at.tzinfo is not None
        assert _same(c.ends_at, ban_end(c.imposed_at, c.extended_until)), c.number
        assert c.opened_at <= c.imposed_at <= NOW
        if c.extended_until is not None:
            assert c.status == "extended"
            assert c.extended_until <= extension_limit(c.imposed_at)
            assert c.extension_decided_at < ban_end(c.imposed_at)
        if c.status == "extended":
            assert c.extended_until is not None and c.extension_decided_at is not None
        if c.status in ("running", "advice_due", "advice_received", "imposed"):
            assert c.ends_at > NOW, c.number
            assert c.extension_decided_at is None
        if c.status in ("advice_due", "advice_received"):
            assert add_days(c.imposed_at, 7) <= NOW, c.number
        if c.status == "running":
            assert add_days(c.imposed_at, 7) > NOW, c.number
        if c.status == "expired":
            assert c.ends_at < NOW and c.extension_decided_at is None
        if c.status == "withdrawn":
            assert c.imposed_at < c.decided_at <= NOW


def test_closed_cases_are_consistent(demo_db):
    engine, _ = demo_db
    cases = [c for c in _cases(engine) if c.status in ("closed", "archived", "destroyed")]
    bans = screenings = extended = 0
    for c in cases:
        assert c.closed_at is not None and c.closed_at <= NOW
        assert c.decided_at is not None and c.decided_at <= c.closed_at
        assert (c.archived_at is not None) == (c.status in ("archived", "destroyed"))
        if c.archived_at is not None:
            assert c.closed_at < c.archived_at <= NOW
        if c.imposed_at is not None:
            bans += 1
            extended += c.extended_until is not None
            assert _same(c.ends_at, ban_end(c.imposed_at, c.extended_until)), c.number
            if not (c.close_reason or "").startswith("ingetrokken"):
                assert c.ends_at <= c.closed_at  # a withdrawn ban ends at the withdrawal
            if c.extended_until is not None:
                assert c.extended_until <= extension_limit(c.imposed_at)
                assert c.extension_decided_at < ban_end(c.imposed_at)
        else:
            screenings += 1
    share_ban = bans / (bans + screenings)
    assert 0.62 <= share_ban <= 0.78  # ~7 in 10 screenings lead to a ban
    assert 0.32 <= extended / bans <= 0.48  # ~4 in 10 bans are extended
    oldest = min(c.opened_at for c in cases if c.status != "destroyed")
    assert NOW - oldest > timedelta(days=3 * 365 - 30)


def test_destroyed_cases_keep_no_persons_or_documents(demo_db):
    engine, _ = demo_db
    with engine.connect() as conn:
        destroyed = conn.execute(
            select(C.id, C.decided_at, C.street).where(C.status == "destroyed")
        ).all()
        ids = [r.id for r in destroyed]
        persons = conn.execute(
            select(func.count()).select_from(CasePerson.__table__).where(P.case_id.in_(ids))
        ).scalar()
        docs = conn.execute(
            select(func.count()).select_from(Document.__table__).where(D.case_id.in_(ids))
        ).scalar()
    assert destroyed and persons == 0 and docs == 0
    for row in destroyed:
        assert row.street is None
        assert row.decided_at < NOW - timedelta(days=5 * 365)


# --- what the queue shows -----------------------------------------------------------------------


def test_deadlines_are_spread(demo_db):
    engine, _ = demo_db
    today = _local(NOW).date()
    buckets = Counter()
    for c in _cases(engine):
        if c.status not in OPEN or c.ends_at is None:
            continue
        end = _local(c.ends_at)
        if c.ends_at < NOW:
            buckets["passed"] += 1
        elif end.date() == today:
            buckets["today"] += 1
        elif c.ends_at <= NOW + timedelta(days=3):
            buckets["within 3 days"] += 1
        elif c.ends_at <= NOW + timedelta(days=7):
            buckets["this week"] += 1
        else:
            buckets["later"] += 1
    assert all(
        buckets[b] >= 1 for b in ("passed", "today", "within 3 days", "this week", "later")
    ), buckets


def test_queue_documents_occur_in_every_state(demo_db):
    engine, _ = demo_db
    docs = _docs_by_case(engine)
    seen = defaultdict(set)
    for c in _cases(engine):
        if c.status not in OPEN:
            continue
        needs = c.imposed_at is not None or c.status == "screening"
        for kind in QUEUE_DOCUMENTS:
            of_kind = [d for d in docs[c.id] if d.kind == kind.value]
            if not of_kind:
                if needs:
                    seen[kind].add("absent")
                continue
            for d in of_kind:
                if DocumentStatus(d.status).is_in:
                    assert d.received_at is not None and d.received_at <= NOW
                    assert d.author_account_id is not None or d.author_name
                    seen[kind].add("received")
                elif d.status == "requested":
                    assert d.requested_at is not None and d.due_at is not None
                    seen[kind].add("late" if d.due_at < NOW else "requested")
                else:
                    seen[kind].add(d.status)
    for kind in QUEUE_DOCUMENTS:
        assert {"received", "requested", "late", "absent"} <= seen[kind], (kind, seen[kind])


def test_some_open_bans_have_no_casemanager_yet(demo_db):
    engine, _ = demo_db
    CP = CasePartner.__table__.c
    with engine.connect() as conn:
        with_cm = set(conn.execute(select(CP.case_id).where(CP.role == "casemanager")).scalars())
    bans = [c for c in _cases(engine) if c.status in {s.value for s in BAN_STATUSES}]
    without = [c for c in bans if c.id not in with_cm]
    assert 1 <= len(without) < len(bans) / 3


# --- the header of the queue --------------------------------------------------------------------

# Moments the demo may be built at besides FROZEN_NOW (Monday 08:30): a Sunday evening, a
# Wednesday noon, a Friday just before midnight (the scenario's "ends tonight" turns to tomorrow).
BUILT_AT = (
    pendulum.datetime(2026, 11, 22, 21, 0, tz=TZ),
    pendulum.datetime(2026, 11, 25, 12, 0, tz=TZ),
    pendulum.datetime(2026, 11, 27, 23, 50, tz=TZ),
)


def _store_as(engine, username: str):
    from store.sql import SqlStore

    store = SqlStore(engine)
    store.act_as(store.actor_for(username))
    return store


def _headers(engine, now) -> dict[str, dict[str, int]]:
    """Per region, the counts of the queue's header ("14 open · 1 te laat · 3 vandaag") at ``now``
    for a procesmanager of that region: the screen's own model over the store's queue rows as
    that account reads them."""
    from screens.queue_model import QueueModel

    with engine.connect() as conn:
        managers = conn.execute(
            text(
                "SELECT r.name, min(a.username) FROM account a "
                "JOIN account_role ar ON ar.account_id = a.id AND ar.role = 'procesmanager' "
                "JOIN account_region g ON g.account_id = a.id JOIN region r ON r.id = g.region_id "
                "WHERE a.active GROUP BY r.name"
            )
        ).all()
    headers = {}
    for region, username in managers:
        model = QueueModel()
        model.replace_all(_store_as(engine, username).queue_rows(), now)
        headers[region] = model.counts(now)
    return headers


def _assert_believable(engine, now) -> None:
    """Each region's open load fits its population (a Veiligheidshuis of 240,000 inhabitants has
    10 to 20 open cases), most cases on track: one or two past a deadline, not half."""
    with engine.connect() as conn:
        population = dict(
            conn.execute(
                text(
                    "SELECT r.name, sum(m.population) FROM municipality m "
                    "JOIN region r ON r.id = m.region_id GROUP BY r.name"
                )
            ).all()
        )
    headers = _headers(engine, now)
    assert set(headers) == set(population)
    for region, counts in headers.items():
        assert 4 <= counts["open"] * 100_000 / population[region] <= 8, (region, counts)
        assert 1 <= counts["missed"] <= 2, (region, counts)
        assert counts["today"] <= counts["open"] // 2, (region, counts)
    assert 10 <= headers["Midden-Limburg"]["open"] <= 20, headers


def test_the_queue_header_is_believable_on_monday_morning(demo_db):
    engine, _ = demo_db
    _assert_believable(engine, NOW)


@pytest.mark.parametrize("built_at", BUILT_AT, ids=lambda m: m.format("ddd-HHmm"))
def test_the_queue_header_is_believable_whenever_the_demo_is_built(built_at, tmp_path_factory):
    engine, cleanup = _fresh_engine("sqlite", tmp_path_factory)
    try:
        demo.build_demo(engine, now=built_at)
        _assert_believable(engine, built_at)
    finally:
        cleanup()


def test_ans_finds_scenario_1_on_monday_morning(demo_db):
    """Scenario 1 at 08:30 on a Monday: a Roermond ban that ends tonight at 20:00 without a
    zorgadvies, two bans from the weekend without a casemanager, a screening from Sunday night."""
    engine, _ = demo_db
    rows = _store_as(engine, "ans").queue_rows()
    today = _local(NOW).date()
    bans = [r for r in rows if r.facts.status in BAN_STATUSES and r.facts.imposed_at is not None]

    def zorgadvies_in(row) -> bool:
        return any(
            d.kind == DocumentKind.ZORGADVIES and d.status.is_in for d in row.facts.documents
        )

    tonight = [
        r
        for r in bans
        if r.municipality == "Roermond"
        and not zorgadvies_in(r)
        and _local(ban_end(r.facts.imposed_at, r.facts.extended_until))
        == pendulum.datetime(today.year, today.month, today.day, 20, tz=TZ)
    ]
    weekend = [
        r
        for r in bans
        if r.casemanager is None and _local(r.facts.imposed_at).date() >= today - timedelta(days=2)
    ]
    screening = [
        r
        for r in rows
        if r.facts.status is CaseStatus.SCREENING
        and _local(r.facts.opened_at).date() == today - timedelta(days=1)
        and _local(r.facts.opened_at).hour >= 18
    ]
    assert len(tonight) == 1 and len(weekend) >= 2 and screening, (tonight, weekend, screening)
    assert all(r.region == "Midden-Limburg" for r in rows)


def test_persons_recur_and_have_valid_bsns(demo_db):
    engine, _ = demo_db
    with engine.connect() as conn:
        persons = conn.execute(
            select(P.case_id, P.role, P.bsn, P.first_name, P.last_name, P.birth_date, P.postcode)
        ).all()
    assert persons
    roles = Counter(p.role for p in persons)
    assert roles["uithuisgeplaatste"] and roles["achterblijver"] and roles["kind"]
    for p in persons:
        if p.bsn is not None:
            assert demo.bsn_valid(p.bsn), p.bsn
    cases_per_bsn = defaultdict(set)
    for p in persons:
        if p.role == "uithuisgeplaatste" and p.bsn:
            cases_per_bsn[p.bsn].add((p.case_id, p.first_name, p.last_name, p.birth_date))
    recurring = {b: v for b, v in cases_per_bsn.items() if len(v) > 1}
    assert len(recurring) >= 50
    for entries in recurring.values():  # the same person: name and birth date too
        assert len({(first, last, b) for _, first, last, b in entries}) == 1


# --- accounts -----------------------------------------------------------------------------------


def test_fixed_accounts_and_every_role(demo_db):
    engine, _ = demo_db
    RG = AccountRegion.__table__.c
    with engine.connect() as conn:
        accounts = {a.username: a for a in conn.execute(select(Account.__table__)).all()}
        roles = defaultdict(set)
        for r in conn.execute(select(AccountRole.__table__)).all():
            roles[r.account_id].add(r.role)
        scopes = defaultdict(set)
        for r in conn.execute(
            select(RG.account_id, Region.__table__.c.name).join(
                Region.__table__, Region.__table__.c.id == RG.region_id
            )
        ):
            scopes[r.account_id].add(r.name)
        org_of = dict(
            conn.execute(
                text(
                    "SELECT a.username, o.name FROM account a JOIN organisation o "
                    "ON o.id = a.organisation_id"
                )
            ).all()
        )
    expect = {
        "ans": ("Ans Verhoeven", {"procesmanager"}, {"Midden-Limburg"}),
        "mehmet": ("Mehmet Yilmaz", {"procesmanager"}, {"Noord-Limburg"}),
        "peter": (
            "Peter de Graaf",
            {"beheerder"},
            {"Noord-Limburg", "Midden-Limburg", "Hollands Midden"},
        ),
        "fatima": (
            "Fatima El Amrani",
            {"support"},
            {"Noord-Limburg", "Midden-Limburg", "Hollands Midden"},
        ),
    }
    for username, (name, want_roles, want_scope) in expect.items():
        a = accounts[username]
        assert a.full_name == name and a.active
        assert roles[a.id] == want_roles
        assert scopes[a.id] == want_scope
        assert a.password_hash is None
    assert org_of["ans"] == "Zorg- en Veiligheidshuis Midden-Limburg"
    assert roles[accounts["lotte"].id] == {"casemanager"}
    assert {"politie", "hovj"} <= roles[accounts["bas"].id]
    mayor = accounts["burgemeester.roermond"]
    assert mayor.bestuurlijk and roles[mayor.id] == {"bestuurder"}
    assert org_of["burgemeester.roermond"] == "Gemeente Roermond"
    assert {r for rs in roles.values() for r in rs} == {r.value for r in Role}
    inactive = [a for a in accounts.values() if not a.active]
    assert 1 <= len(inactive) <= 3
    assert all(a.deactivated_at is not None and a.deactivated_at < NOW for a in inactive)
    for a in accounts.values():
        assert a.email and "@" in a.email
        assert re.fullmatch(r"(06-\d{8}|0\d{2,3}-\d{6,7})", a.phone), a.phone


# --- determinism, reset, build_large ------------------------------------------------------------


def test_same_seed_gives_the_same_data(demo_db, reference_sqlite):
    """Two builds (the second always SQLite: across backends too) give the same cases."""
    engine, _ = demo_db

    def key(eng):
        with eng.connect() as conn:
            return conn.execute(
                select(C.number, C.status, C.imposed_at, C.opened_at).order_by(C.number)
            ).all()

    assert key(engine) == key(reference_sqlite)


def test_build_large_then_reset_then_demo(engine):
    summary = demo.build_large(engine, cases=500, open_cases=50, now=NOW)
    assert summary["open zaken"] == 50
    assert summary["gesloten zaken"] == 450
    cases = _cases(engine)
    assert len(cases) == 500
    assert sum(c.status in OPEN for c in cases) == 50
    for c in cases:
        if c.imposed_at is not None:
            assert _same(c.ends_at, ban_end(c.imposed_at, c.extended_until)), c.number
            if c.extended_until is not None:
                assert c.extended_until <= extension_limit(c.imposed_at)
    with engine.connect() as conn:
        persons = conn.execute(select(func.count()).select_from(CasePerson.__table__)).scalar()
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert persons >= 2 * 500
    assert not demo.is_empty(engine)
    if engine.dialect.name == "postgresql":  # the change-notify triggers are on again
        with engine.connect() as conn:
            states = conn.execute(
                text(
                    "SELECT t.tgname, t.tgenabled FROM pg_trigger t "
                    "JOIN pg_class r ON r.oid = t.tgrelid "
                    "WHERE r.relnamespace = current_schema()::regnamespace "
                    "AND t.tgname LIKE 'hvo_notify_%'"
                )
            ).all()
        assert states and all(state == "O" for _, state in states), states

    demo.reset_demo(engine)
    assert demo.is_empty(engine)
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            assert conn.execute(select(func.count()).select_from(table)).scalar() == 0, table.name
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == revision

    summary = demo.build_demo(engine, now=NOW)
    assert 70 <= summary["open zaken"] <= 90
    assert summary["gemeenten"] == 33


def test_demo_events_form_valid_hash_chains(demo_db):
    """Every demo chain verifies, each against its head, so `hvo audit verify` finds tampering,
    not demo data."""
    from store.audit import verify_all

    engine, _ = demo_db
    report = verify_all(engine)
    assert report.intact, report.breaks[:3]
    with engine.connect() as conn:
        with_events = conn.execute(
            select(func.count(func.distinct(Event.__table__.c.case_id)))
        ).scalar()
    assert report.cases == with_events > 3000 and report.events > 3 * with_events


def test_open_bans_have_their_process_steps_recorded_by_the_partners_who_took_them(demo_db):
    """Issue 16: the demo records each step (mayor, household, Veilig Thuis informed, reachable
    address, Veilig Thuis consulted) as the store would: one event of that action, at the moment
    of the fact, by an account whose role may take the step; the address itself is kept."""
    from hvo_tui.domain.steps import STEPS

    engine, _ = demo_db
    E = Event.__table__.c
    with engine.connect() as conn:
        roles = defaultdict(set)
        for account_id, role in conn.execute(select(AccountRole.__table__)).all():
            roles[account_id].add(Role(role))
        bans = conn.execute(
            select(Case.__table__).where(
                C.status.in_([s.value for s in OPEN_STATUSES]), C.imposed_at.is_not(None)
            )
        ).all()
        events = defaultdict(list)
        for e in conn.execute(
            select(E.case_id, E.action, E.at, E.account_id, E.details).where(
                E.action.in_([step.action for step in STEPS])
            )
        ).all():
            events[e.case_id, e.action].append(e)
    assert len(bans) > 20
    recorded = Counter()
    for case in bans:
        for step in STEPS:
            moment = getattr(case, step.fact)
            found = events.pop((case.id, step.action), [])
            if moment is None:
                assert found == [], (case.number, step.action)
                continue
            assert len(found) == 1, (case.number, step.action)
            event = found[0]
            assert _same(event.at, moment), (case.number, step.action)
            assert roles[event.account_id] & step.roles, (case.number, step.action)
            assert event.details["na"][step.fact] is not None
            recorded[step.action] += 1
        if case.reachable_address_at is not None:
            assert case.reachable_address and case.reachable_address.startswith("p/a ")
        else:
            assert case.reachable_address is None
    assert not events, "step events on cases that are no open ban"
    assert set(recorded) == {step.action for step in STEPS}, recorded


def test_open_bans_decisions_hold_their_content_and_are_served(demo_db):
    """Issue 16: every decision of an open ban that exists (received or signed) holds what the
    law requires (so it can be signed) and was served on the banned person between the decision
    and now, by the police, with copies to the region's copy recipients; an extension before the
    ban's original end, so the demo shows no false 'Verlenging uitgereikt' miss."""
    from hvo_tui.domain.decisions import BANNED, COPY, content_problems
    from hvo_tui.domain.facts import PersonFacts
    from hvo_tui.domain.rules import RegionRules
    from hvo_tui.domain.vocab import PersonRole
    from store.models import DecisionServing

    engine, _ = demo_db
    decisions = ("beschikking", "verlenging", "intrekking", "herstel")
    with engine.connect() as conn:
        bans = {
            c.id: c
            for c in conn.execute(
                select(Case.__table__).where(
                    C.status.in_([s.value for s in OPEN_STATUSES]), C.imposed_at.is_not(None)
                )
            ).all()
        }
        docs = conn.execute(
            select(Document.__table__).where(
                D.case_id.in_(list(bans)),
                D.kind.in_(decisions),
                D.status.in_(["received", "signed"]),
            )
        ).all()
        persons = defaultdict(list)
        for p in conn.execute(select(CasePerson.__table__).where(P.case_id.in_(list(bans)))):
            persons[p.case_id].append(
                PersonFacts(
                    role=PersonRole(p.role), name=f"{p.first_name} {p.last_name}", birth_date=None
                )
            )
        servings = defaultdict(list)
        for s in conn.execute(select(DecisionServing.__table__)).all():
            servings[s.document_id].append(s)
    assert len(docs) > 20 and any(d.kind == "verlenging" for d in docs)
    for doc in docs:
        case = bans[doc.case_id]
        problems = content_problems(
            doc.kind, doc.fields, imposed_at=case.imposed_at, household=persons[doc.case_id]
        )
        assert problems == {}, (case.number, doc.kind, problems)
        served = [s for s in servings.pop(doc.id, []) if s.recipient == BANNED]
        copies = {s.recipient for s in servings.get(doc.id, []) if s.manner == COPY}
        if not served:  # only a decision so recent that the police have not been yet
            assert NOW - doc.received_at < timedelta(hours=5), (case.number, doc.kind)
            continue
        (first,) = served
        decided = case.imposed_at if doc.kind == "beschikking" else doc.received_at
        assert _local(decided) <= _local(first.served_at) <= NOW, (case.number, doc.kind)
        if doc.kind == "verlenging":
            assert first.served_at < ban_end(case.imposed_at), case.number
        assert copies <= set(RegionRules().copy_recipients)
    assert not servings, "servings of documents that are no decision of an open ban"
