"""Benchmark of the live queue (issue 4). Prints numbers; it is not a test.

    python benchmarks/queue.py [--database URL] [--cases 100000] [--open 2000] [--writes 200]

Against PostgreSQL (default: HVO_TEST_DATABASE_URL or postgres@127.0.0.1/test, in a schema
`hvo_bench` that it (re)builds with `store.demo.build_large` unless --reuse). Measures:
  1. process start -> first painted row: a bare Textual app with an empty DataTable, and hvo
     (each a fresh process, headless, median of --starts runs);
  2. a full requery of the open queue (store.queue_rows), p50/p95;
  3. a write in another connection -> the updated row painted in the running app, p50/p95;
  4. RSS of the hvo process with the queue loaded.
Targets: first row <= 2x the bare app; requery <= 30 ms; write-to-screen p95 <= 150 ms;
RSS <= 200 MB.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is named queue.py, as the issue asks: keep its folder off the import path, or it
# would shadow the standard library's queue module.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402 - after the sys.path fix above
import asyncio  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = os.environ.get(
    "HVO_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SCHEMA = "hvo_bench"


# --- child processes: measure from their own start to the first painted row ----------------------


def child_bare() -> None:
    from textual.app import App
    from textual.widgets import DataTable

    class Bare(App):
        def compose(self):
            yield DataTable()

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_column("Zaak")
            self.call_after_refresh(self.painted)

        def painted(self) -> None:
            print(json.dumps({"painted": time.time()}), flush=True)
            self.exit()

    Bare().run(headless=True)


def child_hvo(url: str) -> None:
    import resource

    from hvo_tui.app import HvoApp
    from screens.queue import QueueScreen
    from store.db import open_database
    from store.sql import SqlStore

    engine = open_database(url, auto_upgrade=False, schema=SCHEMA)

    class Measured(HvoApp):
        def on_mount(self) -> None:
            super().on_mount()
            self.set_interval(0.005, self.check)

        def check(self) -> None:
            screen = self.screen
            if isinstance(screen, QueueScreen) and screen.loaded and screen.shown:
                self.call_after_refresh(self.painted)
                self.check = lambda: None  # once

        def painted(self) -> None:
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                json.dumps({"painted": time.time(), "rows": len(self.screen.shown), "rss_mb": rss}),
                flush=True,
            )
            self.exit()

    Measured(SqlStore(engine)).run(headless=True)


def start_to_paint(args: list[str], runs: int) -> tuple[float, dict]:
    times, last = [], {}
    for _ in range(runs):
        started = time.time()
        out = subprocess.run(
            [sys.executable, __file__, *args], capture_output=True, text=True, timeout=120
        )
        line = next((ln for ln in out.stdout.splitlines() if ln.startswith("{")), None)
        if line is None:
            raise SystemExit(f"child failed: {out.stderr[-2000:]}")
        last = json.loads(line)
        times.append(last["painted"] - started)
    return statistics.median(times), last


# --- in-process measurements ----------------------------------------------------------------------


def requery(store, runs: int = 30) -> list[float]:
    store.queue_rows()  # warm
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        rows = store.queue_rows()
        times.append((time.perf_counter() - t) * 1000)
    return times, len(rows)


async def write_to_screen(url: str, writes: int) -> list[float]:
    from sqlalchemy import select, update

    from hvo_tui.app import HvoApp
    from screens.queue import QueueScreen
    from store.db import make_engine, open_database
    from store.models import Case
    from store.sql import SqlStore

    C = Case.__table__.c
    app_engine = open_database(url, auto_upgrade=False, schema=SCHEMA)
    writer = make_engine(url, schema=SCHEMA)
    app = HvoApp(SqlStore(app_engine))
    latencies: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        while not (
            screen.complete
            and not [w for w in app.workers if w.group == "queue-earlier" and not w.is_finished]
        ):
            await pilot.pause(0.05)
        await pilot.pause(1.0)
        ids = list(screen.shown)[:50]
        with writer.connect() as conn:
            streets = dict(conn.execute(select(C.id, C.street).where(C.id.in_(ids))).all())
        painted = asyncio.Event()
        original = screen.apply_changes

        handling: list[float] = []

        def observed(changed, rows):
            t = time.perf_counter()
            original(changed, rows)
            handling.append((time.perf_counter() - t) * 1000)
            screen.call_after_refresh(painted.set)

        screen.apply_changes = observed
        for i in range(writes):
            case_id = ids[i % len(ids)]
            painted.clear()
            started = time.perf_counter()

            def write(case_id=case_id, i=i):  # this round's case and number
                with writer.begin() as conn:
                    conn.execute(
                        update(Case.__table__)
                        .where(C.id == case_id)
                        .values(street=f"{streets[case_id]} {i}", version=C.version + 1)
                    )

            await asyncio.get_running_loop().run_in_executor(None, write)
            await asyncio.wait_for(painted.wait(), timeout=5)
            latencies.append((time.perf_counter() - started) * 1000)
        with writer.begin() as conn:  # put the streets back
            for case_id, street in streets.items():
                conn.execute(update(Case.__table__).where(C.id == case_id).values(street=street))
    writer.dispose()
    app_engine.dispose()
    print(
        f"  of which applying the change on screen: p50 {statistics.median(handling):.1f} ms, "
        f"p95 {pct(handling, 95):.1f} ms"
    )
    return latencies


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child_bare() if sys.argv[2] == "bare" else child_hvo(sys.argv[3])
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default=DEFAULT_URL)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--open", type=int, default=2_000)
    parser.add_argument("--writes", type=int, default=200)
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="keep the existing benchmark schema")
    args = parser.parse_args()

    import pendulum
    from sqlalchemy import text

    from store import demo
    from store.db import make_engine, open_database
    from store.sql import SqlStore

    if not args.reuse:
        admin = make_engine(args.database)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{SCHEMA}"'))
        admin.dispose()
        engine = open_database(args.database, auto_upgrade=True, schema=SCHEMA)
        t = time.perf_counter()
        demo.build_large(
            engine, cases=args.cases, open_cases=args.open, now=pendulum.now("Europe/Amsterdam")
        )
        print(f"built {args.cases:,} cases ({args.open:,} open) in {time.perf_counter() - t:.1f} s")
        engine.dispose()

    bare, _ = start_to_paint(["--child", "bare"], args.starts)
    hvo, info = start_to_paint(["--child", "hvo", args.database], args.starts)
    print(
        f"first paint, bare Textual + empty DataTable: {bare * 1000:.0f} ms "
        f"(median of {args.starts})"
    )
    print(
        f"first painted queue row, hvo ({info['rows']:,} rows): {hvo * 1000:.0f} ms "
        f"= {hvo / bare:.2f}x bare (target <= 2x)"
    )
    print(f"RSS with the queue loaded: {info['rss_mb']:.0f} MB (target <= 200 MB)")

    engine = open_database(args.database, auto_upgrade=False, schema=SCHEMA)
    times, n = requery(SqlStore(engine))
    print(
        f"full requery of {n:,} open cases: p50 {statistics.median(times):.1f} ms, "
        f"p95 {pct(times, 95):.1f} ms (target <= 30 ms)"
    )
    engine.dispose()

    latencies = asyncio.run(write_to_screen(args.database, args.writes))
    print(
        f"write in another connection -> row painted ({len(latencies)} writes): "
        f"p50 {statistics.median(latencies):.0f} ms, p95 {pct(latencies, 95):.0f} ms "
        "(target <= 150 ms)"
    )


if __name__ == "__main__":
    main()
