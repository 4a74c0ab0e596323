"""The invoice as text: the table, CSV and JSON of ``hvo costs invoice``, and the statement each
municipality is sent (``hvo costs invoice --out DIR`` and ``e`` in the invoice screen).

Pure: an ``Invoice`` (``billing.compute_invoice``) in, strings out; no I/O. Writing the files is
``store.statements``. Amounts are Dutch euros with two decimals (``€ 1.234,56``) in text, plain
decimals with a point (``1234.56``) in CSV and JSON.
"""

from __future__ import annotations

import json
import re
import textwrap
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from tabulate import tabulate

from .billing import Invoice, InvoiceLine, Statement, cases_label
from .costs import euros
from .csv_out import csv_text

CSV_COLUMNS = ("regio", "periode", "gemeente", "post", "aantal", "tarief", "bedrag", "toelichting")
DEFAULT_TARIFF_SOURCE = "de meegeleverde tarieven (hvo_tui/tarieven.toml)"
# letters that have no ASCII base letter in Unicode's decomposition
_LETTERS = str.maketrans(
    {
        "æ": "ae",
        "Æ": "ae",
        "ø": "o",
        "Ø": "o",
        "œ": "oe",
        "Œ": "oe",
        "ß": "ss",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "þ": "th",
    }
)
WIDTH = 96  # statement text: wrapped to read well in a mail program and on paper


def eur(cents: int | None, sign: bool = True) -> str:
    """``€ 1.234,56`` (``sign``) or ``1234.56``; empty for no amount."""
    if cents is None:
        return ""
    text = euros(Fraction(cents, 100), 2)
    return text if sign else text.removeprefix("€ ").replace(".", "").replace(",", ".")


def slug(text: str) -> str:
    """A file-name part: lower case ASCII, words joined by hyphens (``Súdwest-Fryslân`` ->
    ``sudwest-fryslan``, ``Bergen (L.)`` -> ``bergen-l``)."""
    ascii_text = (
        unicodedata.normalize("NFKD", text.translate(_LETTERS))
        .encode("ascii", "ignore")
        .decode("ascii")
    )
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


# --- the whole invoice ----------------------------------------------------------------------------


def _line_row(inv: Invoice, municipality: str, x: InvoiceLine) -> list:
    return [
        inv.region,
        inv.period.label,
        municipality,
        x.item,
        "" if x.count is None else x.count,
        eur(x.unit, False),
        eur(x.amount, False),
        x.explanation,
    ]


def statement_rows(inv: Invoice, s: Statement) -> list[list]:
    """One municipality's CSV rows (``CSV_COLUMNS``): its lines and a ``Totaal`` row."""
    return [
        *(_line_row(inv, s.municipality, x) for x in s.lines),
        [inv.region, inv.period.label, s.municipality, "Totaal", "", "", eur(s.total, False), ""],
    ]


def _csv(rows: Sequence[Sequence]) -> str:
    return csv_text(CSV_COLUMNS, rows)


def _json(inv: Invoice) -> str:
    def line(x):
        return {
            "post": x.item,
            "aantal": x.count,
            "tarief": eur(x.unit, False) or None,
            "bedrag": eur(x.amount, False),
            "toelichting": x.explanation,
            **({"zaken": list(x.cases)} if x.cases else {}),
        }

    doc = {
        "regio": inv.region,
        "periode": inv.period.label,
        "van": inv.period.start.isoformat(),
        "tot_en_met": inv.period.last_day.isoformat(),
        "tarieven": inv.tariff_name,
        "inwoners": inv.population,
        "gemeenten": [
            {
                "gemeente": s.municipality,
                "inwoners": s.population,
                "eigen_kosten": eur(s.own, False),
                "aandeel_gedeeld": eur(s.share, False),
                "totaal": eur(s.total, False),
                "posten": [line(x) for x in s.lines],
            }
            for s in inv.statements
        ],
        "gedeelde_kosten": {
            "totaal": eur(inv.shared_total, False),
            "posten": [line(x) for x in inv.shared_lines],
        },
        "niet_doorbelast": list(inv.not_billed),
        "totaal": eur(inv.total, False),
        "toelichting": list(inv.notes),
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _block(lines: Sequence[InvoiceLine], party: bool = False) -> str:
    rows = [
        [
            *([x.party] if party else []),
            x.item,
            "" if x.count is None else x.count,
            eur(x.unit),
            eur(x.amount),
        ]
        for x in lines
    ]
    return tabulate(
        rows,
        headers=[*(["organisatie"] if party else []), "post", "aantal", "tarief", "bedrag"],
        disable_numparse=True,
        colalign=(*(("left",) if party else ()), "left", "right", "right", "right"),
    )


def _notes(lines: Sequence[InvoiceLine], wrap: bool = False) -> list[str]:
    """Each line's explanation and the case numbers it counted; ``wrap``: at ``WIDTH``."""
    out = []
    for x in lines:
        text = f"  - {x.item}: {x.explanation}"
        out.extend(textwrap.wrap(text, width=WIDTH, subsequent_indent="    ") if wrap else [text])
        if x.cases:
            out.extend(
                textwrap.wrap(
                    "zaken: " + cases_label(x.cases),
                    width=WIDTH,
                    initial_indent="    ",
                    subsequent_indent="      ",
                )
            )
    return out


def render_invoice(inv: Invoice, fmt: str) -> str:
    """All statements at once: ``table`` (text), ``csv`` or ``json``."""
    if fmt == "json":
        return _json(inv)
    if fmt == "csv":
        rows = [row for s in inv.statements for row in statement_rows(inv, s)]
        rows += [_line_row(inv, f"(gedeeld) {x.party}", x) for x in inv.shared_lines]
        rows.append([inv.region, inv.period.label, "Totaal", "", "", "", eur(inv.total, False), ""])
        return _csv(rows)
    out = [
        f"Rekening {inv.region} · {inv.period.label} ({inv.period.describe()})"
        + (f" · {inv.tariff_name}" if inv.tariff_name else ""),
        "",
    ]
    for s in inv.statements:
        out.append(f"Gemeente {s.municipality} ({s.population:,} inwoners)".replace(",", "."))
        if s.lines:
            out.append(_block(s.lines))
        out.append(f"Totaal {s.municipality}: {eur(s.total)}")
        out.extend(_notes(s.lines))
        out.append("")
    out.append(f"Gedeelde partneraccounts (verdeeld naar inwoners): {eur(inv.shared_total)}")
    if inv.shared_lines:
        out.append(_block(inv.shared_lines, party=True))
        out.extend(_notes(inv.shared_lines))
    for item in inv.not_billed:
        out.append(f"Niet doorbelast: {item}")
    out.append("")
    out.append(
        f"Totaal regio {inv.region}: {eur(inv.total)} "
        f"(eigen kosten {eur(sum(s.own for s in inv.statements))} + gedeeld "
        f"{eur(inv.shared_total)})"
    )
    out.extend(inv.notes)
    return "\n".join(out) + "\n"


# --- one statement per municipality ---------------------------------------------------------------


def statement_csv(inv: Invoice, s: Statement) -> str:
    """The municipality's lines in the columns of ``hvo costs invoice --format csv``."""
    return _csv(statement_rows(inv, s))


def statement_text(
    inv: Invoice, s: Statement, made: date, tariff_source: str = DEFAULT_TARIFF_SOURCE
) -> str:
    """The statement one municipality is sent: who, what period, each line with its explanation
    and the case numbers counted, its own costs, its share of the shared partner accounts, the
    total, and how it was computed."""
    thousands = f"{s.population:,}".replace(",", ".")
    out = [
        f"Rekening Wet tijdelijk huisverbod · {s.municipality} · {inv.period.label}",
        "",
        f"Regio:      {inv.region}",
        f"Gemeente:   {s.municipality} ({thousands} inwoners)",
        f"Periode:    {inv.period.label} ({inv.period.describe()})",
        f"Opgemaakt:  {made:%d-%m-%Y}",
        "",
    ]
    if s.lines:
        out += [_block(s.lines), ""]
    else:
        out += ["Geen kosten in deze periode.", ""]
    amounts = (
        ("Eigen kosten (accounts en handelingen)", s.own),
        ("Aandeel gedeelde partneraccounts", s.share),
        ("Totaal te betalen", s.total),
    )
    width = max(len(eur(a)) for _, a in amounts)
    out += [f"{label:<40}{eur(amount):>{width}}" for label, amount in amounts]
    if s.lines:
        out += ["", "Toelichting per post", *_notes(s.lines, wrap=True)]
    if inv.shared_lines and s.share:
        out += [
            "",
            f"Gedeelde partneraccounts in de regio, samen {eur(inv.shared_total)}, "
            "verdeeld naar inwoners:",
            _block(inv.shared_lines, party=True),
        ]
    tariff = f"{inv.tariff_name}, {tariff_source}" if inv.tariff_name else tariff_source
    out += [
        "",
        "Hoe is dit berekend",
        *textwrap.wrap(f"Tarieven: {tariff}.", width=WIDTH),
        *(line for note in inv.notes for line in textwrap.wrap(note, width=WIDTH)),
        *textwrap.wrap(
            f"Dit is de specificatie van {s.municipality} uit de rekening van regio "
            f"{inv.region} over {inv.period.label}, opgemaakt met hvo.",
            width=WIDTH,
        ),
    ]
    return "\n".join(out) + "\n"


@dataclass(frozen=True, slots=True)
class StatementFile:
    name: str  # a file name, no directory
    municipality: str
    text: str


def statement_files(
    inv: Invoice, made: date, tariff_source: str = DEFAULT_TARIFF_SOURCE
) -> tuple[StatementFile, ...]:
    """Per municipality ``rekening-<periode>-<gemeente>.txt`` and ``.csv``, in name order. Two
    names with the same slug get ``-2``, ``-3``, so no file is written twice."""
    out: list[StatementFile] = []
    taken: set[str] = set()
    for s in inv.statements:
        base = f"rekening-{inv.period.label}-{slug(s.municipality) or 'gemeente'}"
        stem, n = base, 1
        while stem.lower() in taken:
            n += 1
            stem = f"{base}-{n}"
        taken.add(stem.lower())
        out.append(
            StatementFile(
                f"{stem}.txt", s.municipality, statement_text(inv, s, made, tariff_source)
            )
        )
        out.append(StatementFile(f"{stem}.csv", s.municipality, statement_csv(inv, s)))
    return tuple(out)
