"""`hvo report NAME`: the statistics of the statistics screen, as a table, CSV or JSON.

    hvo report per-gemeente --from 2026-01-01 --to 2026-06-30 --region Midden-Limburg
    hvo report tijdstip --from 2026-01-01 --to 2026-12-31 --format csv > tijdstip.csv
    hvo report --list

Bad input (an unknown report, region or municipality, a date that does not exist, an end before
the start) gives one Dutch line on stderr and exit code 2; nothing is printed on stdout.
"""

from __future__ import annotations

import argparse

from hvo_tui.domain.csv_out import csv_text

FORMATS = ("table", "csv", "json")


def register(sub, common) -> None:
    report = sub.add_parser(
        "report",
        aliases=["rapport"],
        help="statistieken als tabel, CSV of JSON (hvo report --list toont de rapporten)",
    )
    common(report)
    report.add_argument(
        "name",
        nargs="?",
        metavar="RAPPORT",
        help="naam van het rapport, bv. per-gemeente (zie --list)",
    )
    report.add_argument("--list", action="store_true", help="de rapporten tonen")
    report.add_argument(
        "--from",
        "--van",
        dest="start",
        metavar="DATUM",
        default=None,
        help="eerste dag (JJJJ-MM-DD), inclusief; zonder: vanaf het begin",
    )
    report.add_argument(
        "--to",
        "--tot",
        dest="end",
        metavar="DATUM",
        default=None,
        help="laatste dag (JJJJ-MM-DD), inclusief; zonder: tot nu",
    )
    report.add_argument(
        "--region",
        "--regio",
        dest="region",
        metavar="REGIO",
        default=None,
        help="alleen deze regio (naam)",
    )
    report.add_argument(
        "--gemeente",
        "--municipality",
        dest="municipality",
        metavar="GEMEENTE",
        default=None,
        help="alleen deze gemeente (van opleggen)",
    )
    report.add_argument(
        "--format", choices=FORMATS, default="table", help="table (standaard), csv of json"
    )
    report.set_defaults(handler=run)


def run(settings, args: argparse.Namespace) -> int:
    from hvo_tui.cli import fail
    from hvo_tui.domain.errors import DomainError
    from hvo_tui.domain.statistics import REPORTS, ReportFilter, parse_date, unknown_report

    if args.list:
        width = max(len(n) for n in REPORTS)
        for name, title in REPORTS.items():
            print(f"{name.ljust(width)}  {title}")
        return 0
    if not args.name:
        return fail(f"geef een rapport; kies uit: {', '.join(REPORTS)}")
    if args.name not in REPORTS:
        return fail(unknown_report(args.name))
    try:
        start = parse_date(args.start, "begindatum") if args.start else None
        end = parse_date(args.end, "einddatum") if args.end else None
        flt = ReportFilter(start=start, end=end, region=args.region, municipality=args.municipality)
    except DomainError as exc:
        return fail(exc.message)

    from hvo_tui.cli import prepare
    from store.interface import StoreError
    from store.sql import SqlStore

    store = SqlStore(prepare(settings))
    try:
        problem = _check_area(store.report_areas(), flt)
        if problem:
            return fail(problem)
        table = store.report(args.name, flt)
    except StoreError as exc:
        return fail(str(exc))
    finally:
        store.close()
    print(render(table, args.format), end="")
    return 0


def _check_area(areas: dict[str, list[str]], flt) -> str | None:
    """A Dutch message when the region or municipality does not exist (or not in that region)."""
    if flt.region and flt.region not in areas:
        return f"onbekende regio '{flt.region}'; kies uit: {', '.join(sorted(areas))}"
    if flt.municipality:
        pool = areas[flt.region] if flt.region else [m for ms in areas.values() for m in ms]
        if flt.municipality not in pool:
            where = f" in regio {flt.region}" if flt.region else ""
            return (
                f"onbekende gemeente '{flt.municipality}'{where}; kies uit: "
                f"{', '.join(sorted(pool))}"
            )
    return None


def render(table, fmt: str) -> str:
    """The report as text: a titled table (tabulate), CSV with a header, or JSON."""
    if fmt == "csv":
        return csv_text(
            [c.key for c in table.columns],
            (["" if v is None else v for v in row] for row in table.rows),
        )
    if fmt == "json":
        import json

        return (
            json.dumps(
                {
                    "rapport": table.name,
                    "titel": table.title,
                    "filter": table.filter.as_dict(),
                    "toelichting": table.note,
                    "kolommen": [{"sleutel": c.key, "kop": c.label} for c in table.columns],
                    "rijen": table.records(),
                },
                ensure_ascii=False,
                indent=2,
            )
            + "\n"
        )
    from tabulate import tabulate

    from hvo_tui.domain.statistics import display_value

    body = tabulate(
        [
            [display_value(v, c.decimals) for v, c in zip(row, table.columns, strict=False)]
            for row in table.rows
        ],
        headers=[c.label for c in table.columns],
        colalign=["right" if c.numeric else "left" for c in table.columns],
        disable_numparse=True,
    )
    lines = [f"{table.title[:1].upper()}{table.title[1:]}", table.filter.describe(), "", body]
    if not table.rows:
        lines[-1] = "(geen gegevens)"
    if table.note:
        lines += ["", table.note]
    return "\n".join(lines) + "\n"
