"""Load benchmark (issue 9): N simulated users doing case actions at once against PostgreSQL,
then the invariants of the write side checked on what they left behind.

    python benchmarks/load.py [--database URL] [--users 50] [--seconds 60] [--cases 2000] [--reuse]

Each user is a thread with its own engine (its own database connection) and its own SqlStore,
acting as one of the procesmanager accounts of the demo data on the open cases of that account's
region. A user reads the case (its version), then takes one action through the store's write API
(note, meeting, document requested / received / reminded, partner assigned, violation reported).
On a ``Conflict`` it does what a person does: reads the case again and saves on top, up to five
times. ``Refused`` (the rules said no, e.g. no e-mail address for a reminder) is counted, not an
error. Every successful write is counted per case by the user that made it.

Afterwards (``check_invariants``):
  - no lost update: per case, version after - version before == the writes the users counted;
  - every change has its event: per case, the new events other than openings == those writes,
    and per action kind (note_added == notes the users added, ...);
  - every event belongs to a change: the rows an event names (note, meeting, document, outbox,
    partner) exist, and the new notes/meetings/outbox rows per case == the users' counts;
  - openings: per case, new ``case_opened`` events == the case_detail calls the users made;
  - every touched case's hash chain verifies.

The database: a schema ``hvo_load`` (re)built with ``store.demo.build_large`` (``--cases`` open
cases), or reused as it is with ``--reuse``. The test suite runs a short version through
``run_load`` + ``check_invariants`` (tests/test_load.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

# benchmarks/queue.py would shadow the standard library's queue module (psycopg imports it):
# keep this folder off the import path when run as a script.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402 - after the sys.path fix above
import contextlib  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections import Counter, defaultdict  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import timedelta  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_URL = os.environ.get(
    "HVO_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SCHEMA = "hvo_load"
MAX_TRIES = 5  # a user saves on top of a colleague's change this often before giving up

# (operation, weight): what the simulated users do, roughly as often as people would.
MIX = (
    ("note", 30),
    ("request", 18),
    ("receive", 14),
    ("meeting", 12),
    ("remind", 12),
    ("assign", 7),
    ("violation", 7),
)
# The rows an operation adds, for the "no half-written case" check.
ADDS_ROW = {"note": "note", "meeting": "meeting", "remind": "outbox"}
EVENT_OF = {
    "note": "note_added",
    "request": "document_requested",
    "receive": "document_received",
    "meeting": "meeting_recorded",
    "remind": "reminder_sent",
    "assign": "assign_partner",
    "violation": "report_violation",
}


@dataclass
class UserResult:
    writes: Counter = field(default_factory=Counter)  # case_id -> successful writes
    by_op: Counter = field(default_factory=Counter)  # (case_id, op) -> successful writes
    opened: Counter = field(default_factory=Counter)  # case_id -> case_detail calls that logged
    latencies: list[float] = field(default_factory=list)  # seconds per write attempt
    actions: int = 0  # actions completed (saved, refused or given up)
    conflicts: int = 0
    gave_up: int = 0
    refused: Counter = field(default_factory=Counter)  # Dutch reason -> count
    errors: Counter = field(default_factory=Counter)  # "Type: message" -> count


@dataclass
class LoadResult:
    users: int
    seconds: float  # measured wall time of the run
    results: list[UserResult]
    before: dict  # snapshot taken before the run (see ``snapshot``)

    @property
    def latencies(self) -> list[float]:
        return [x for r in self.results for x in r.latencies]

    @property
    def writes(self) -> int:
        return sum(sum(r.writes.values()) for r in self.results)

    @property
    def conflicts(self) -> int:
        return sum(r.conflicts for r in self.results)

    @property
    def errors(self) -> Counter:
        total: Counter = Counter()
        for r in self.results:
            total.update(r.errors)
        return total

    @property
    def refused(self) -> Counter:
        total: Counter = Counter()
        for r in self.results:
            total.update(r.refused)
        return total

    def summary(self) -> str:
        lat = sorted(self.latencies)
        actions = sum(r.actions for r in self.results)
        lines = [
            f"{self.users} users, {self.seconds:.1f} s: {self.writes:,} writes saved "
            f"({self.writes / self.seconds:.1f}/s), {actions:,} actions "
            f"({actions / self.seconds:.1f}/s)",
        ]
        if lat:
            lines.append(
                f"write latency (per attempt, {len(lat):,}): p50 {pct(lat, 50) * 1000:.1f} ms, "
                f"p95 {pct(lat, 95) * 1000:.1f} ms, p99 {pct(lat, 99) * 1000:.1f} ms, "
                f"max {lat[-1] * 1000:.0f} ms"
            )
        gave_up = sum(r.gave_up for r in self.results)
        lines.append(
            f"conflicts (retried on the new version): {self.conflicts:,}; "
            f"given up after {MAX_TRIES} tries: {gave_up}"
        )
        refused = self.refused
        lines.append(
            f"refused by the rules: {sum(refused.values()):,}"
            + "".join(f"\n    {n:5d} x {reason}" for reason, n in refused.most_common(5))
        )
        errors = self.errors
        lines.append(
            f"errors: {sum(errors.values())}"
            + "".join(f"\n    {n:5d} x {what}" for what, n in errors.most_common(5))
        )
        return "\n".join(lines)


def pct(ordered: list[float], p: float) -> float:
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


# --- the database -------------------------------------------------------------------------------


def build(url: str, schema: str, *, cases: int, seed: int = 2026) -> None:
    """A fresh schema ``schema`` with ``cases`` open cases (build_large, the demo's accounts)."""
    import pendulum
    from sqlalchemy import text

    from store import demo
    from store.db import make_engine, open_database

    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    engine = open_database(url, auto_upgrade=True, schema=schema)
    try:
        demo.build_large(
            engine, cases=cases, open_cases=cases, now=pendulum.now("Europe/Amsterdam"), seed=seed
        )
    finally:
        engine.dispose()


def snapshot(engine) -> dict:
    """What the invariants compare against: per open case its version, and the highest ids."""
    from sqlalchemy import func, select

    from hvo_tui.domain.vocab import OPEN_STATUSES
    from store.models import Case, Event, Meeting, Note, Outbox

    C = Case.__table__.c
    with engine.connect() as conn:
        versions = dict(
            conn.execute(
                select(C.id, C.version).where(C.status.in_([s.value for s in OPEN_STATUSES]))
            ).all()
        )
        top = {
            name: conn.execute(select(func.coalesce(func.max(t.c.id), 0))).scalar()
            for name, t in (
                ("event", Event.__table__),
                ("note", Note.__table__),
                ("meeting", Meeting.__table__),
                ("outbox", Outbox.__table__),
            )
        }
    return {"versions": versions, "top": top}


# --- one simulated user -------------------------------------------------------------------------


def _users_setup(engine) -> list[tuple[str, list[int]]]:
    """(username, open case ids of its region) for each procesmanager of the demo data."""
    from sqlalchemy import select

    from hvo_tui.domain.vocab import OPEN_STATUSES
    from store.models import Account, AccountRegion, AccountRole, Case, Municipality

    A, AR, AG = Account.__table__.c, AccountRole.__table__.c, AccountRegion.__table__.c
    C, M = Case.__table__.c, Municipality.__table__.c
    with engine.connect() as conn:
        managers = conn.execute(
            select(A.username, AG.region_id)
            .join(AccountRole.__table__, AR.account_id == A.id)
            .join(AccountRegion.__table__, AG.account_id == A.id)
            .where(AR.role == "procesmanager", A.active.is_(True))
            .order_by(A.username)
        ).all()
        cases: dict[int, list[int]] = defaultdict(list)
        for case_id, region_id in conn.execute(
            select(C.id, M.region_id)
            .join(Municipality.__table__, M.id == C.municipality_id)
            .where(C.status.in_([s.value for s in OPEN_STATUSES]))
        ):
            cases[region_id].append(case_id)
    setup = [(m.username, sorted(cases[m.region_id])) for m in managers if cases[m.region_id]]
    if not setup:
        raise SystemExit(
            "geen procesmanagers met open zaken in deze database (bouw hem met build())"
        )
    return setup


def _casemanagers(store, region: str | None) -> list[int]:
    return [a.id for a in store.accounts_for_role("casemanager", region)]


class User(threading.Thread):
    def __init__(
        self,
        index: int,
        url: str,
        schema: str | None,
        username: str,
        cases: list[int],
        deadline: list[float],
        start: threading.Barrier,
        *,
        hot: float,
        seed: int,
    ) -> None:
        super().__init__(name=f"load-user-{index}", daemon=True)
        self.url, self.schema, self.username, self.cases = url, schema, username, cases
        self.deadline, self.start_barrier, self.hot = deadline, start, hot
        self.rng = random.Random(seed * 1000 + index)
        self.result = UserResult()
        self.ops = [op for op, _ in MIX]
        self.weights = [w for _, w in MIX]

    def run(self) -> None:
        from store.db import make_engine
        from store.sql import SqlStore

        # Its own engine: one connection of its own (a second only if the store nests one).
        engine = make_engine(self.url, schema=self.schema, pool_size=1, max_overflow=1)
        try:
            store = SqlStore(engine)
            actor = store.actor_for(self.username)
            store.act_as(actor)
            self.actor = actor
            self.casemanagers = _casemanagers(store, actor.regions[0] if actor.regions else None)
            # A few cases everyone in the region works on (the morning's urgent ones): conflicts.
            self.hot_cases = self.cases[: max(1, len(self.cases) // 100)]
            self.start_barrier.wait()
            while time.monotonic() < self.deadline[0]:
                self.one_action(store)
        except Exception as exc:  # noqa: BLE001 - a user that died is an error to report
            self.result.errors[f"gebruiker gestopt: {type(exc).__name__}: {exc}"] += 1
            with contextlib.suppress(threading.BrokenBarrierError):
                self.start_barrier.abort()
        finally:
            engine.dispose()

    def one_action(self, store) -> None:
        from store.interface import Conflict, Refused, StoreError

        pool = self.hot_cases if self.rng.random() < self.hot else self.cases
        case_id = self.rng.choice(pool)
        op = self.rng.choices(self.ops, self.weights)[0]
        r = self.result
        try:
            version = self.read_version(store, case_id)
            for _ in range(MAX_TRIES):
                t = time.perf_counter()
                try:
                    self.write(store, op, case_id, version)
                except Conflict as exc:
                    r.latencies.append(time.perf_counter() - t)
                    r.conflicts += 1
                    version = exc.current_version  # what a person does: look again, save on top
                    continue
                r.latencies.append(time.perf_counter() - t)
                r.writes[case_id] += 1
                r.by_op[(case_id, op)] += 1
                break
            else:
                r.gave_up += 1
        except Refused as exc:
            r.refused[f"{op}: {exc}"] += 1
        except StoreError as exc:
            r.errors[f"{op}: {type(exc).__name__}: {exc}"] += 1
        except Exception as exc:  # noqa: BLE001 - counted and shown, the run goes on
            r.errors[f"{op}: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}"] += 1
        r.actions += 1

    @staticmethod
    def read_version(store, case_id: int) -> int:
        from store.interface import NotFound

        rows = store.queue_rows({case_id})
        if not rows:
            raise NotFound("zaak niet (meer) open")
        return rows[0].version

    def write(self, store, op: str, case_id: int, version: int) -> None:
        import pendulum

        from hvo_tui.domain.vocab import DocumentKind, PartnerRole

        actor, rng = self.actor, self.rng
        now = pendulum.now("Europe/Amsterdam")
        if op == "note":
            store.add_note(
                case_id,
                version,
                actor,
                text=f"Gebeld, afspraak gemaakt ({rng.random():.6f})",
                kind=rng.choice(("note", "contact")),
            )
        elif op == "request":
            kind = rng.choice(
                [DocumentKind.ZORGADVIES, DocumentKind.BELEIDSADVIES, DocumentKind.PROCES_VERBAAL]
            )
            role = {
                DocumentKind.ZORGADVIES: PartnerRole.CASEMANAGER,
                DocumentKind.BELEIDSADVIES: PartnerRole.GEMEENTE,
            }.get(kind, PartnerRole.POLITIE)
            store.request_document(
                case_id,
                version,
                kind.value,
                actor,
                from_role=role.value,
                due_at=now + timedelta(days=2),
            )
        elif op == "receive":
            kind = rng.choice(
                [DocumentKind.ZORGADVIES, DocumentKind.BELEIDSADVIES, DocumentKind.RIHG]
            )
            store.receive_document(
                case_id,
                version,
                kind.value,
                actor,
                received_at=now - timedelta(minutes=1),
                author_name="Lotte Hendriks",
                fields={"samenvatting": "advies: verlengen"},
            )
        elif op == "meeting":
            store.record_meeting(
                case_id,
                version,
                actor,
                kind=rng.choice(("overleg_dag3", "mdo")),
                held_at=now - timedelta(minutes=30),
                participants="politie, casemanager",
                outcome="afspraken gemaakt",
            )
        elif op == "remind":
            # A person opens the case to see which document is missing (that opening is logged).
            detail = store.case_detail(case_id, actor)
            self.result.opened[case_id] += 1
            waiting = [
                d for d in detail.documents if d.received_at is None and d.status == "requested"
            ]
            if not waiting:
                from store.interface import Refused

                raise Refused("geen opgevraagd document om aan te herinneren")
            store.remind_document(case_id, version, rng.choice(waiting).id, actor)
        elif op == "assign":
            if not self.casemanagers:
                from store.interface import Refused

                raise Refused("geen casemanager in de regio")
            store.assign_partner(
                case_id,
                version,
                PartnerRole.CASEMANAGER.value,
                actor,
                account_id=rng.choice(self.casemanagers),
            )
        elif op == "violation":
            store.apply_action(case_id, version, "report_violation", actor)
        else:  # pragma: no cover
            raise ValueError(op)


def _run_group(
    url: str,
    schema: str | None,
    specs: list[tuple[int, str, list[int]]],
    seconds: float,
    hot: float,
    seed: int,
) -> tuple[list[UserResult], float]:
    """Run these users (index, username, cases) as threads of this process; returns their
    results and the measured seconds from the moment all were connected."""
    barrier = threading.Barrier(len(specs) + 1)
    deadline = [time.monotonic() + 10 * 365 * 86400]  # set for real once everyone is ready
    threads = [
        User(i, url, schema, username, cases, deadline, barrier, hot=hot, seed=seed)
        for i, username, cases in specs
    ]
    for t in threads:
        t.start()
    with contextlib.suppress(threading.BrokenBarrierError):
        barrier.wait(timeout=120)  # every user connected and ready
    started = time.monotonic()
    deadline[0] = started + seconds
    for t in threads:
        t.join(timeout=seconds + 120)
    elapsed = time.monotonic() - started
    if any(t.is_alive() for t in threads):
        raise RuntimeError("a simulated user did not stop")
    return [t.result for t in threads], elapsed


def run_load(
    url: str,
    schema: str | None,
    *,
    users: int = 50,
    seconds: float = 60.0,
    hot: float = 0.2,
    seed: int = 2026,
    processes: int = 1,
) -> LoadResult:
    """Run ``users`` simulated users for ``seconds`` against the database at ``url`` (tables in
    ``schema``), each with its own connection, as threads spread over ``processes`` processes
    (more than one uses more than one core for the client side). Returns what they counted and
    the snapshot taken before they started."""
    from store.db import make_engine

    engine = make_engine(url, schema=schema)
    try:
        setup = _users_setup(engine)
        before = snapshot(engine)
    finally:
        engine.dispose()
    specs = [(i, *setup[i % len(setup)]) for i in range(users)]
    if processes <= 1:
        results, elapsed = _run_group(url, schema, specs, seconds, hot, seed)
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        groups = [specs[k::processes] for k in range(processes) if specs[k::processes]]
        with ProcessPoolExecutor(
            len(groups), mp_context=multiprocessing.get_context("fork")
        ) as pool:
            done = [
                f.result()
                for f in [
                    pool.submit(_run_group, url, schema, g, seconds, hot, seed) for g in groups
                ]
            ]
        results = [r for group, _ in done for r in group]
        elapsed = max(e for _, e in done)
    return LoadResult(users=users, seconds=elapsed, results=results, before=before)


# --- the invariants -----------------------------------------------------------------------------


def check_invariants(url: str, schema: str | None, result: LoadResult) -> list[str]:
    """Every violated invariant as one line (empty: all hold)."""
    from sqlalchemy import func, select

    from store.case_writes import verify_chain
    from store.db import make_engine
    from store.models import Case, CasePartner, Document, Event, Meeting, Note, Outbox

    C, E = Case.__table__.c, Event.__table__.c
    writes: Counter = Counter()
    by_op: Counter = Counter()
    opened: Counter = Counter()
    for r in result.results:
        writes.update(r.writes)
        by_op.update(r.by_op)
        opened.update(r.opened)
    before = result.before
    problems: list[str] = []
    engine = make_engine(url, schema=schema)
    try:
        with engine.connect() as conn:
            after = dict(
                conn.execute(
                    select(C.id, C.version).where(C.id.in_(list(before["versions"])))
                ).all()
            )
            events = conn.execute(
                select(E.id, E.case_id, E.action, E.details).where(E.id > before["top"]["event"])
            ).all()

            def added(table, name: str) -> Counter:
                return Counter(
                    dict(
                        conn.execute(
                            select(table.c.case_id, func.count())
                            .where(table.c.id > before["top"][name])
                            .group_by(table.c.case_id)
                        ).all()
                    )
                )

            rows_added = {
                "note": added(Note.__table__, "note"),
                "meeting": added(Meeting.__table__, "meeting"),
                "outbox": added(Outbox.__table__, "outbox"),
            }

            # No lost update: the version moved exactly once per write the users saw succeed.
            for case_id, old in before["versions"].items():
                delta = after.get(case_id, old) - old
                if delta != writes[case_id]:
                    problems.append(
                        f"zaak {case_id}: versie +{delta}, gebruikers telden {writes[case_id]} "
                        "geslaagde wijzigingen (verloren of spookwijziging)"
                    )
            # Every change has its event, and every event belongs to a change.
            changes: Counter = Counter()
            per_action: Counter = Counter()
            opens: Counter = Counter()
            for e in events:
                if e.action == "case_opened":
                    opens[e.case_id] += 1
                else:
                    changes[e.case_id] += 1
                    per_action[(e.case_id, e.action)] += 1
            for case_id in set(changes) | set(writes):
                if changes[case_id] != writes[case_id]:
                    problems.append(
                        f"zaak {case_id}: {changes[case_id]} nieuwe events voor "
                        f"{writes[case_id]} wijzigingen"
                    )
            for (case_id, op), n in by_op.items():
                if per_action[(case_id, EVENT_OF[op])] != n:
                    problems.append(
                        f"zaak {case_id}: {per_action[(case_id, EVENT_OF[op])]} events "
                        f"{EVENT_OF[op]} voor {n} keer {op}"
                    )
            expected_actions = {(c, EVENT_OF[op]) for c, op in by_op}
            for key, n in per_action.items():
                if key not in expected_actions:
                    problems.append(
                        f"zaak {key[0]}: {n} events {key[1]} zonder wijziging van een gebruiker"
                    )
            for case_id in set(opens) | set(opened):
                if opens[case_id] != opened[case_id]:
                    problems.append(
                        f"zaak {case_id}: {opens[case_id]} keer geopend gelogd, "
                        f"{opened[case_id]} keer geopend"
                    )
            # The rows the events name exist; no row without its change (no half-written case).
            refs = {
                "note_id": Note.__table__,
                "meeting_id": Meeting.__table__,
                "document_id": Document.__table__,
                "outbox_id": Outbox.__table__,
                "partner_id": CasePartner.__table__,
            }
            for key, table in refs.items():
                wanted = {
                    e.details[key]
                    for e in events
                    if isinstance(e.details, dict) and e.details.get(key)
                }
                if wanted:
                    found = set(
                        conn.execute(select(table.c.id).where(table.c.id.in_(wanted))).scalars()
                    )
                    for missing in sorted(wanted - found)[:5]:
                        problems.append(f"een event noemt {key} {missing}, die niet bestaat")
            for op, name in ADDS_ROW.items():
                users_count = Counter({c: n for (c, o), n in by_op.items() if o == op})
                for case_id in set(users_count) | set(rows_added[name]):
                    if users_count[case_id] != rows_added[name][case_id]:
                        problems.append(
                            f"zaak {case_id}: {rows_added[name][case_id]} nieuwe rijen {name} "
                            f"voor {users_count[case_id]} keer {op}"
                        )
            # Hash chains of every case that got events.
            for case_id in sorted({e.case_id for e in events}):
                bad = verify_chain(conn, case_id)
                if bad is not None:
                    problems.append(f"zaak {case_id}: hashketen gebroken bij event {bad}")
    finally:
        engine.dispose()
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default=DEFAULT_URL)
    parser.add_argument("--schema", default=SCHEMA)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--cases", type=int, default=2000, help="open cases to build")
    parser.add_argument(
        "--hot",
        type=float,
        default=0.2,
        help="share of actions on the region's busiest 1%% of cases (conflicts)",
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="spread the users over this many processes (threads in each)",
    )
    parser.add_argument(
        "--reuse", action="store_true", help="keep the existing schema and its data"
    )
    args = parser.parse_args()

    print(
        f"{args.users} users in {args.processes} process(es), {args.seconds:g} s, "
        f"{args.hot:.0%} of actions on the busiest 1% of each region's cases"
    )
    if not args.reuse:
        t = time.perf_counter()
        build(args.database, args.schema, cases=args.cases)
        print(
            f"built {args.cases:,} open cases in schema {args.schema} "
            f"in {time.perf_counter() - t:.1f} s"
        )
    result = run_load(
        args.database,
        args.schema,
        users=args.users,
        seconds=args.seconds,
        hot=args.hot,
        processes=args.processes,
    )
    print(result.summary())
    t = time.perf_counter()
    problems = check_invariants(args.database, args.schema, result)
    print(
        f"invariants checked in {time.perf_counter() - t:.1f} s: "
        + (
            "all hold (no lost update, an event per change, a change per event, chains intact)"
            if not problems
            else f"{len(problems)} VIOLATED"
        )
    )
    for line in problems[:20]:
        print("  " + line)
    return 1 if problems or sum(result.errors.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
