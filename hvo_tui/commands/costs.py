"""`hvo costs`: split a yearly total over the municipalities, and the invoice from use.

``hvo costs allocate --total EUR --model inwoners|zaken|tarief --input FILE.csv`` needs no
database: it reads the CSV, computes in cents and prints whole euros (``hvo_tui.domain.costs``).
``hvo costs invoice --period 2026-Q3 --region R`` reads the use of a region from the database and
prints one statement per municipality (``hvo_tui.domain.billing``, ``store.billing``); with
``--out DIR`` it writes each municipality's statement to its own files instead, to send
(``hvo_tui.domain.billing_text``, ``store.statements``).

Bad input gives one line on stderr naming the line of the file, exit code 2, and nothing on
stdout: everything is computed before the first byte is printed.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from hvo_tui.domain.csv_out import csv_text

FORMATS = ("table", "csv", "json")


def register(sub, common) -> None:
    costs = sub.add_parser("costs", help="kosten verdelen over gemeenten en facturen per gemeente")
    common(costs)
    actions = costs.add_subparsers(dest="costs_command", metavar="ACTIE", required=True)

    alloc = actions.add_parser(
        "allocate",
        help="een jaarbedrag verdelen over de gemeenten (CSV met gemeente,inwoners)",
        description="Verdeel een jaarbedrag over gemeenten. Het CSV-bestand heeft de kopregel "
        "gemeente,inwoners en optioneel zaken (gemiddeld per jaar, decimale punt) en "
        "gewicht (factor op zaken, standaard 1). Bedragen in hele euro's, afgerond "
        "met de grootste-restmethode zodat ze precies optellen tot het totaal.",
    )
    alloc.add_argument(
        "--model",
        required=True,
        choices=("inwoners", "zaken", "tarief"),
        help="inwoners: naar rato van inwoners; zaken: basis plus rest naar rato "
        "van zaken x gewicht; tarief: vast + variabel per inwoner",
    )
    alloc.add_argument("--input", required=True, metavar="BESTAND.csv")
    alloc.add_argument(
        "--total",
        metavar="EUR",
        default=None,
        help="het te verdelen jaarbedrag in hele euro's (inwoners, zaken)",
    )
    alloc.add_argument(
        "--base",
        metavar="EUR",
        default=None,
        help="basisbedrag per gemeente in hele euro's (model zaken; standaard 0)",
    )
    alloc.add_argument(
        "--fixed",
        metavar="EUR",
        default=None,
        help="vast bedrag per inwoner (model tarief), bv. 0.25",
    )
    alloc.add_argument(
        "--variable",
        metavar="EUR",
        default=None,
        help="variabel bedrag per inwoner (model tarief), bv. 0.10",
    )
    alloc.add_argument("--format", choices=FORMATS, default="table")

    invoice = actions.add_parser(
        "invoice",
        help="de rekening per gemeente uit het gebruik van een periode",
        description="Een specificatie per gemeente: eigen accounts en handelingen, plus het "
        "aandeel in de gedeelde partneraccounts naar inwoners.",
    )
    invoice.add_argument(
        "--period",
        required=True,
        metavar="PERIODE",
        help="een kwartaal (2026-Q3), een maand (2026-07) of een jaar (2026)",
    )
    invoice.add_argument("--region", required=True, metavar="REGIO", help="bv. Midden-Limburg")
    invoice.add_argument(
        "--tariff",
        metavar="BESTAND.toml",
        default=None,
        help="een eigen tarieftabel (standaard: de meegeleverde tarieven)",
    )
    invoice.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="table (standaard), csv of json; niet samen met --out",
    )
    invoice.add_argument(
        "--out",
        metavar="MAP",
        default=None,
        help="schrijf per gemeente een rekening (.txt) en haar posten (.csv) in "
        "deze map, om te versturen (de map wordt zo nodig gemaakt)",
    )
    invoice.add_argument(
        "--overwrite", action="store_true", help="met --out: bestaande bestanden overschrijven"
    )

    for parser in (alloc, invoice):
        common(parser)
    costs.set_defaults(handler=run)


def run(settings, args: argparse.Namespace) -> int:
    if args.costs_command == "allocate":
        return allocate(args)
    return invoice(settings, args)


# --- allocate ------------------------------------------------------------------------------------


def read_text(path: str) -> str:
    """A CSV or TOML file as text: UTF-8 (with or without BOM), else Windows-1252 (Excel)."""
    from pathlib import Path

    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def allocate(args: argparse.Namespace) -> int:
    from hvo_tui.cli import fail
    from hvo_tui.domain.costs import (
        CostInputError,
        parse_cost_csv,
        parse_euros,
        parse_rate,
    )
    from hvo_tui.domain.costs import (
        allocate as compute,
    )

    try:
        text = read_text(args.input)
    except OSError as exc:
        return fail(f"kan {args.input} niet lezen: {exc.strerror or exc}")
    try:
        total = parse_euros(args.total, "--total") if args.total is not None else None
        base = parse_euros(args.base, "--base") if args.base is not None else None
        fixed = parse_rate(args.fixed, "--fixed") if args.fixed is not None else None
        variable = parse_rate(args.variable, "--variable") if args.variable is not None else None
        table = parse_cost_csv(text)
        result = compute(table, args.model, total=total, base=base, fixed=fixed, variable=variable)
    except CostInputError as exc:
        where = f"{args.input}: " if exc.line is not None else ""
        return fail(where + exc.message)
    print(render_allocation(result, args.format), end="")
    return 0


def _row_values(row) -> list:
    from hvo_tui.domain.costs import number

    return [
        row.gemeente,
        row.inwoners,
        "" if row.zaken is None else number(row.zaken),
        number(row.gewicht),
        row.basis,
        row.aandeel,
        row.bedrag,
    ]


def render_allocation(result, fmt: str) -> str:
    from hvo_tui.domain.costs import CSV_HEADER, euros, number

    zaken_total = result.zaken
    total_row = [
        "Totaal",
        result.inwoners,
        "" if zaken_total is None else number(zaken_total),
        "",
        result.basis,
        result.aandeel,
        result.total,
    ]
    if fmt == "csv":
        return csv_text(CSV_HEADER, [*(_row_values(row) for row in result.rows), total_row])
    if fmt == "json":
        import json

        def exact(value) -> str:
            return euros(value, 2).removeprefix("€ ").replace(".", "").replace(",", ".")

        def num(value):
            return int(value) if value == value.to_integral_value() else float(value)

        doc = {
            "model": result.model,
            "totaal": result.total,
            "basis": result.basis,
            "aandeel": result.aandeel,
            "rijen": [
                {
                    "gemeente": r.gemeente,
                    "inwoners": r.inwoners,
                    "zaken": None if r.zaken is None else num(r.zaken),
                    "gewicht": num(r.gewicht),
                    "basis": r.basis,
                    "aandeel": r.aandeel,
                    "bedrag": r.bedrag,
                    "exact": exact(r.exact),
                }
                for r in result.rows
            ],
            "toelichting": list(result.explanation),
        }
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    from tabulate import tabulate

    def money(value: int) -> str:
        return euros(value)

    rows = []
    for row in result.rows:
        values = _row_values(row)
        rows.append(
            [
                values[0],
                f"{row.inwoners:,}".replace(",", "."),
                values[2],
                values[3],
                money(row.basis),
                money(row.aandeel),
                money(row.bedrag),
            ]
        )
    rows.append(
        [
            "Totaal",
            f"{result.inwoners:,}".replace(",", "."),
            total_row[2],
            "",
            money(result.basis),
            money(result.aandeel),
            money(result.total),
        ]
    )
    table = tabulate(
        rows,
        headers=list(CSV_HEADER),
        disable_numparse=True,
        colalign=("left", "right", "right", "right", "right", "right", "right"),
    )
    return table + "\n\n" + "\n".join(result.explanation) + "\n"


# --- invoice -------------------------------------------------------------------------------------


def default_tariff_text() -> str:
    from importlib.resources import files

    return (files("hvo_tui") / "tarieven.toml").read_text(encoding="utf-8")


def invoice(settings, args: argparse.Namespace) -> int:
    from hvo_tui.cli import fail, prepare
    from hvo_tui.domain.billing import BillingError, compute_invoice, parse_period, parse_tariff
    from store.billing import region_usage
    from store.interface import StoreError

    if args.out is not None and args.format is not None:
        return fail(
            "--format en --out gaan niet samen: --out schrijft per gemeente een .txt en een .csv"
        )
    if args.overwrite and args.out is None:
        return fail("--overwrite hoort bij --out")
    if args.out is not None:
        from store.statements import ExportError, check_directory

        try:
            check_directory(args.out)  # before the database: a bad folder fails at once
        except ExportError as exc:
            return fail(exc.message)
    try:
        period = parse_period(args.period)
        if args.tariff:
            try:
                text = read_text(args.tariff)
            except OSError as exc:
                return fail(f"kan {args.tariff} niet lezen: {exc.strerror or exc}")
        else:
            text = default_tariff_text()
        tariff = parse_tariff(text)
    except BillingError as exc:
        where = f"{args.tariff}: " if args.tariff and exc.message.startswith("tarieven") else ""
        return fail(where + exc.message)
    engine = prepare(settings)
    try:
        usage = region_usage(engine, args.region, period)
    except StoreError as exc:
        return fail(str(exc))
    finally:
        engine.dispose()
    result = compute_invoice(usage, period, tariff)
    if args.out is not None:
        source = f"het tarievenbestand {Path(args.tariff).name}" if args.tariff else None
        return write_out(result, args.out, args.overwrite, source)
    print(render_invoice(result, args.format or "table"), end="")
    return 0


def write_out(inv, directory: str, overwrite: bool, tariff_source: str | None) -> int:
    """``--out``: one .txt and one .csv per municipality; which files, on stdout."""
    from hvo_tui.cli import _now, fail
    from hvo_tui.domain.billing_text import DEFAULT_TARIFF_SOURCE, eur, statement_files
    from store.statements import ExportError, write_statements

    files = statement_files(inv, _now().date(), tariff_source or DEFAULT_TARIFF_SOURCE)
    try:
        paths = write_statements(directory, files, overwrite=overwrite)
    except ExportError as exc:
        hint = "; gebruik --overwrite om ze te vervangen" if exc.existing else ""
        return fail(exc.message + hint)
    totals = {s.municipality: s.total for s in inv.statements}
    folder = paths[0].parent if paths else Path(directory).expanduser()
    print(
        f"Rekening {inv.region} {inv.period.label}: {len(paths)} bestanden geschreven in {folder}"
    )
    for f, path in zip(files, paths, strict=False):
        amount = f"  {eur(totals[f.municipality])}" if path.suffix == ".txt" else ""
        print(f"  {path.name}{amount}")
    return 0


def render_invoice(inv, fmt: str) -> str:
    from hvo_tui.domain.billing_text import render_invoice as render

    return render(inv, fmt)
