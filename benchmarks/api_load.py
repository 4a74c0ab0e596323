"""Load on `hvo serve` (issue 7): concurrent clients reading the queue and writing actions.

    python benchmarks/api_load.py                       # fresh PostgreSQL schema with demo data
    python benchmarks/api_load.py --reuse hvo_bench_x   # an existing schema (kept afterwards)
    python benchmarks/api_load.py --clients 50 --seconds 30 --think 0.5 --write-share 0.2 \
        --workers 2 --open 150

The server runs as its own process (`python -m hvo_tui serve`), as in production; the clients
are asyncio tasks with an httpx connection each, logged in with a password as procesmanagers of
the demo data (every region). Each client loops until the time is up:

* a queue read (GET /queue: every open case it sees, as the TUI reads it at start and after a
  reconnect), or, with probability ``--write-share``, a write: the case's current version
  (GET /queue?ids=..., as the TUI reads a changed row) and a note on it (POST .../notes). A 409
  is the optimistic lock at work: the client rereads and tries once more (counted apart, not
  an error);
* then a pause of 0..2x ``--think`` seconds (people read and type; 0: as fast as possible).

Reported: requests per second, p50/p95/p99 latency per kind, errors (anything but 2xx and the
handled 409), and a lost-update check: every note the server acknowledged is in the database
exactly once, each case's version rose by exactly the number of acknowledged writes on it, and
every written case's event hash chain holds.

Targets (issue 7): zero errors, zero lost updates, queue read p95 <= 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# benchmarks/queue.py would shadow the standard library's queue module: run from the project root.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

DEFAULT_URL = os.environ.get(
    "HVO_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
PASSWORD = "belasting-test-wachtwoord-1"
TEXT = f"belastingtest {uuid.uuid4().hex[:6]}"  # unique per run: --reuse keeps earlier notes


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(url: str, schema: str, fresh: bool, open_cases: int = 150) -> list[str]:
    """Migrate (and fill) the schema: the demo's regions and accounts with ``open_cases`` open
    cases (about 50 per region by default: a busy week, more than the demo's everyday queue) and
    3,000 closed ones; give every active procesmanager a password. Returns their usernames."""
    import pendulum
    from sqlalchemy import select, update

    from store import demo
    from store.accounts import password_hasher
    from store.db import make_engine, open_database
    from store.models import Account, AccountRole

    if fresh:
        admin = make_engine(url)
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        admin.dispose()
    engine = open_database(url, auto_upgrade=True, schema=schema)
    if demo.is_empty(engine):
        started = time.perf_counter()
        demo.build_large(
            engine,
            cases=3000 + open_cases,
            open_cases=open_cases,
            now=pendulum.now("Europe/Amsterdam"),
        )
        print(f"demodata: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    A, AR = Account.__table__.c, AccountRole.__table__.c
    hashed = password_hasher.hash(PASSWORD)
    with engine.begin() as conn:
        names = (
            conn.execute(
                select(A.username)
                .join(AccountRole.__table__, AR.account_id == A.id)
                .where(AR.role == "procesmanager", A.active.is_(True))
                .order_by(A.username)
            )
            .scalars()
            .all()
        )
        conn.execute(
            update(Account.__table__)
            .where(A.username.in_(names))
            .values(
                password_hash=hashed,
                must_change_password=False,
                login_code_hash=None,
                failed_logins=0,
                locked_until=None,
                totp_secret=None,
            )
        )
    engine.dispose()
    return list(names)


def start_server(url: str, schema: str, port: int, workers: int = 1) -> subprocess.Popen:
    from sqlalchemy.engine import make_url

    served = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    command = [
        sys.executable,
        "-m",
        "hvo_tui",
        "--database",
        served.render_as_string(hide_password=False),
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


async def wait_ready(base: str, process: subprocess.Popen) -> None:
    import httpx

    async with httpx.AsyncClient(base_url=base, timeout=2) as client:
        for _ in range(300):
            if process.poll() is not None:
                raise SystemExit(f"server stopped: {process.stderr.read().decode()[-2000:]}")
            try:
                if (await client.get("/api/v1/health")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit("server did not start within 30 s")


class Results:
    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: Counter[str] = Counter()
        self.conflicts = 0
        self.gave_up = 0
        self.acknowledged: Counter[int] = Counter()  # case id -> notes the server confirmed
        self.texts: set[str] = set()


async def log_in(http, username: str, gate: asyncio.Semaphore, results: Results) -> list[int]:
    """Log in (argon2: a few at a time, as people arrive) and read the queue once, as the TUI
    does at start; before the clock starts. Returns the visible case ids."""
    async with gate:
        login = await http.post("/login", json={"username": username, "password": PASSWORD})
    if login.status_code != 200:
        results.errors[f"login {login.status_code}"] += 1
        return []
    http.headers["Authorization"] = f"Bearer {login.json()['token']}"
    first = await http.get("/queue")
    return [row["case_id"] for row in first.json()]


async def client(
    index: int,
    http,
    case_ids: list[int],
    start: asyncio.Event,
    deadline: list[float],
    args,
    results: Results,
) -> None:
    import httpx

    rng = random.Random(index)
    if not case_ids:
        results.errors["empty queue"] += 1
        return
    await start.wait()
    if args.think:  # spread the clients' first requests over their first pause
        await asyncio.sleep(rng.uniform(0, 2 * args.think))
    serial = 0
    while time.monotonic() < deadline[0]:
        try:
            if rng.random() < args.write_share:
                serial += 1
                await write(http, rng.choice(case_ids), f"{TEXT} {index}-{serial}", results)
            else:
                started = time.perf_counter()
                response = await http.get("/queue")
                results.latency["queue"].append(time.perf_counter() - started)
                if response.status_code != 200:
                    results.errors[f"queue {response.status_code}"] += 1
        except httpx.HTTPError as exc:
            results.errors[type(exc).__name__] += 1
        if args.think:
            await asyncio.sleep(rng.uniform(0, 2 * args.think))


async def write(http, case_id: int, text: str, results: Results) -> None:
    started = time.perf_counter()
    response = await http.get("/queue", params={"ids": case_id})
    results.latency["row"].append(time.perf_counter() - started)
    if response.status_code != 200 or not response.json():
        results.errors[f"row {response.status_code}"] += 1
        return
    version = response.json()[0]["version"]
    for attempt in range(2):
        started = time.perf_counter()
        answer = await http.post(f"/cases/{case_id}/notes", json={"version": version, "text": text})
        results.latency["write"].append(time.perf_counter() - started)
        if answer.status_code == 200:
            results.acknowledged[case_id] += 1
            results.texts.add(text)
            return
        if answer.status_code == 409:
            results.conflicts += 1
            if attempt == 0:
                version = answer.json()["current_version"]
                continue
            results.gave_up += 1  # twice overtaken: a person would see the conflict dialog
            return
        results.errors[f"write {answer.status_code}"] += 1
        return


def versions(url: str, schema: str) -> dict[int, int]:
    from sqlalchemy import select

    from store.db import make_engine
    from store.models import Case

    engine = make_engine(url, schema=schema)
    with engine.connect() as conn:
        found = dict(conn.execute(select(Case.__table__.c.id, Case.__table__.c.version)).all())
    engine.dispose()
    return found


def lost_updates(url: str, schema: str, before: dict[int, int], results: Results) -> list[str]:
    from sqlalchemy import func, select

    from store.case_writes import verify_chain
    from store.db import make_engine
    from store.models import Case, Note

    N = Note.__table__.c
    problems: list[str] = []
    engine = make_engine(url, schema=schema)
    with engine.connect() as conn:
        stored = conn.execute(
            select(N.text, func.count()).where(N.text.like(f"{TEXT} %")).group_by(N.text)
        ).all()
        counts = dict(stored)
        missing = results.texts - set(counts)
        doubled = [text for text, n in counts.items() if n > 1]
        unacknowledged = set(counts) - results.texts
        if missing:
            problems.append(f"{len(missing)} acknowledged notes missing")
        if doubled:
            problems.append(f"{len(doubled)} notes stored twice")
        if unacknowledged:
            problems.append(f"{len(unacknowledged)} notes stored but not acknowledged (timeouts)")
        after = dict(conn.execute(select(Case.__table__.c.id, Case.__table__.c.version)).all())
        for case_id, n in results.acknowledged.items():
            if after[case_id] - before[case_id] != n:
                problems.append(
                    f"case {case_id}: version +{after[case_id] - before[case_id]}, "
                    f"{n} writes acknowledged"
                )
        for case_id in results.acknowledged:
            broken = verify_chain(conn, case_id)
            if broken is not None:
                problems.append(f"case {case_id}: hash chain broken at event {broken}")
    engine.dispose()
    return problems


async def run(args) -> int:
    url = args.database
    schema = args.reuse or f"hvo_bench_{uuid.uuid4().hex[:8]}"
    names = prepare(url, schema, fresh=not args.reuse, open_cases=args.open)
    if not names:
        raise SystemExit("no procesmanager accounts in the data")
    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(url, schema, port, args.workers)
    try:
        await wait_ready(base, server)
        before = versions(url, schema)
        import httpx

        results = Results()
        https = [
            httpx.AsyncClient(base_url=base + "/api/v1", timeout=30) for _ in range(args.clients)
        ]
        gate = asyncio.Semaphore(4)
        visible = await asyncio.gather(
            *(log_in(http, names[i % len(names)], gate, results) for i, http in enumerate(https))
        )
        start, deadline = asyncio.Event(), [0.0]
        tasks = [
            asyncio.create_task(client(i, http, ids, start, deadline, args, results))
            for i, (http, ids) in enumerate(zip(https, visible, strict=True))
        ]
        started = time.monotonic()
        deadline[0] = started + args.seconds
        start.set()
        await asyncio.gather(*tasks)
        elapsed = time.monotonic() - started
        for http in https:
            await http.aclose()
        problems = lost_updates(url, schema, before, results)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        if not args.reuse and not args.keep:
            from store.db import make_engine

            admin = make_engine(url)
            with admin.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            admin.dispose()

    total = sum(len(v) for v in results.latency.values())
    print(
        f"hvo serve --workers {args.workers} onder belasting: {args.clients} clients, "
        f"{args.seconds} s, denktijd "
        f"0..{2 * args.think:g} s, schrijfaandeel {args.write_share:.0%}, schema {schema}"
    )
    print(f"  verzoeken: {total} in {elapsed:.1f} s = {total / elapsed:.0f}/s")
    for kind in ("queue", "row", "write"):
        values = [v * 1000 for v in results.latency.get(kind, [])]
        if values:
            print(
                f"  {kind:<6} n={len(values):<6} p50 {percentile(values, 50):6.1f} ms  "
                f"p95 {percentile(values, 95):6.1f} ms  p99 {percentile(values, 99):6.1f} ms  "
                f"max {max(values):6.1f} ms"
            )
    print(
        f"  schrijfconflicten (409): {results.conflicts}, waarvan {results.gave_up} ook na "
        "opnieuw lezen (de gebruiker ziet dan de conflictmelding; geen fout)"
    )
    print(f"  fouten: {sum(results.errors.values())} {dict(results.errors) or ''}")
    print(f"  verloren updates: {len(problems)} {problems or ''}")
    queue_p95 = percentile([v * 1000 for v in results.latency.get("queue", [])], 95)
    ok = not results.errors and not problems and queue_p95 <= 50
    print(
        "  doelen (0 fouten, 0 verloren, wachtrij p95 <= 50 ms): "
        f"{'gehaald' if ok else 'NIET gehaald'}"
    )
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "clients": args.clients,
                    "seconds": args.seconds,
                    "think": args.think,
                    "write_share": args.write_share,
                    "requests": total,
                    "rps": total / elapsed,
                    "latency_ms": {
                        k: {
                            "p50": percentile([x * 1000 for x in v], 50),
                            "p95": percentile([x * 1000 for x in v], 95),
                            "n": len(v),
                        }
                        for k, v in results.latency.items()
                    },
                    "errors": dict(results.errors),
                    "conflicts": results.conflicts,
                    "lost_updates": problems,
                },
                indent=2,
            )
        )
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=DEFAULT_URL, help="PostgreSQL-URL")
    parser.add_argument("--reuse", metavar="SCHEMA", help="an existing schema (kept afterwards)")
    parser.add_argument("--keep", action="store_true", help="keep the fresh schema")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument(
        "--think",
        type=float,
        default=0.5,
        help="mean pause between a client's requests, seconds (0: none)",
    )
    parser.add_argument("--write-share", type=float, default=0.2)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument(
        "--open",
        type=int,
        default=150,
        help="open cases in a fresh schema (the queue every client reads)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="server processes (hvo serve --workers; 2 on a 2-core machine)",
    )
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    return asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
