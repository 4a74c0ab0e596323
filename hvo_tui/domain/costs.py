"""Splitting a region's yearly cost over its municipalities (issue 8, "kostenverdeling").

Pure: the CSV text comes in as a string, the result goes out as plain data; no I/O.

The input is a CSV with the header ``gemeente,inwoners`` and optionally ``zaken`` (average cases a
year, may be fractional, decimal point) and ``gewicht`` (a factor on zaken, default 1).

Models (``allocate``):

``inwoners``
    each municipality pays ``total x inwoners / sum(inwoners)``; basis is 0.
``zaken``
    each municipality pays ``base`` (basis); the rest of the total, ``total - base x n``, is split
    pro rata to ``zaken x gewicht`` (aandeel).
``tarief``
    no total: each pays ``fixed x inwoners`` (basis) plus ``variable x inwoners`` (aandeel).

Money: inputs are read exactly (``Decimal``) and kept in integer cents; the exact shares are
fractions of cents (``Fraction``), never floats. The result is shown in whole euros, rounded by the
largest-remainder method (``largest_remainder``): every row gets the whole euros below its exact
amount, and the euros left over go one each to the rows with the largest fractions (on a tie, the
row that comes first in the file). So the rows add up to the total exactly, no row is ever
negative, and no row is a euro or more away from its exact amount.

For ``tarief`` there is no total to add up to. Rounding there means: each column (basis and
aandeel) has an exact column total, the sum of its exact amounts; that is rounded to whole euros
half up, and the column's rows are rounded by largest remainder so they add up to it. bedrag is
basis + aandeel, so the Totaal row is the sum of the two rounded column totals; every basis and
aandeel is less than a euro from its exact amount (bedrag less than two).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from math import floor

from .errors import DomainError

MODELS = ("inwoners", "zaken", "tarief")
COLUMNS = ("gemeente", "inwoners", "zaken", "gewicht")
REQUIRED = ("gemeente", "inwoners")
CSV_HEADER = ("gemeente", "inwoners", "zaken", "gewicht", "basis", "aandeel", "bedrag")


class CostInputError(DomainError):
    """Bad input for the cost allocation. ``line`` is the line of the CSV file it concerns (1 is
    the header), or None when it concerns the arguments; ``str()`` starts with ``regel N:``."""

    def __init__(self, message: str, line: int | None = None, field: str | None = None) -> None:
        super().__init__(f"regel {line}: {message}" if line is not None else message, field)
        self.line = line


@dataclass(frozen=True, slots=True)
class CostInput:
    """One municipality from the CSV file."""

    line: int
    gemeente: str
    inwoners: int
    zaken: Decimal | None = None
    gewicht: Decimal = Decimal(1)


@dataclass(frozen=True, slots=True)
class CostTable:
    """The parsed CSV file: the columns it had, and its rows in file order."""

    columns: tuple[str, ...]
    rows: tuple[CostInput, ...]


@dataclass(frozen=True, slots=True)
class CostRow:
    """One municipality's result, in whole euros; ``exact`` is the unrounded bedrag in euros."""

    gemeente: str
    inwoners: int
    zaken: Decimal | None
    gewicht: Decimal
    basis: int
    aandeel: int
    bedrag: int
    exact: Fraction


@dataclass(frozen=True, slots=True)
class Allocation:
    model: str
    rows: tuple[CostRow, ...]
    basis: int  # column totals, whole euros
    aandeel: int
    total: int
    explanation: tuple[str, ...] = field(default=())

    @property
    def inwoners(self) -> int:
        return sum(r.inwoners for r in self.rows)

    @property
    def zaken(self) -> Decimal | None:
        values = [r.zaken for r in self.rows if r.zaken is not None]
        return sum(values, Decimal(0)) if values else None


# --- rounding ------------------------------------------------------------------------------------


def largest_remainder(exact: Sequence[Fraction | int], total: int) -> list[int]:
    """Whole numbers for ``exact`` (non-negative) that add up to ``total``: each gets its floor,
    and the ``total - sum(floors)`` units left go one each to the largest fractional parts (ties:
    the earlier index). ``total`` must lie between the sum of the floors and that sum plus the
    number of values, which holds for ``total == sum(exact)`` and for any rounding of that sum."""
    floors = [floor(x) for x in exact]
    left = total - sum(floors)
    if any(x < 0 for x in exact) or not 0 <= left <= len(floors):
        raise ValueError(f"cannot round {list(exact)!r} to {total}")
    order = sorted(range(len(exact)), key=lambda i: (-(Fraction(exact[i]) - floors[i]), i))
    out = list(floors)
    for i in order[:left]:
        out[i] += 1
    return out


def apportion(total: int, weights: Sequence[Fraction | Decimal | int]) -> list[int]:
    """Split the whole number ``total`` in proportion to ``weights`` (largest remainder), summing
    exactly to ``total``. All weights zero: only a zero total can be split (all zeros)."""
    ws = [Fraction(w) for w in weights]
    if any(w < 0 for w in ws):
        raise ValueError("negative weight")
    whole = sum(ws)
    if whole == 0:
        if total:
            raise ValueError("nothing to split by")
        return [0] * len(ws)
    return largest_remainder([total * w / whole for w in ws], total)


def round_half_up(value: Fraction) -> int:
    return floor(value + Fraction(1, 2))


# --- reading -------------------------------------------------------------------------------------


def parse_euros(text: str, what: str) -> Decimal:
    """An amount in euros as typed on the command line: ``125000``, ``125000.50``. Refuses a
    comma, thousands separators, signs and more than two decimals, with a Dutch message."""
    raw = text.strip().removeprefix("€").strip()
    if "," in raw:
        raise CostInputError(
            f"{what}: '{text}' bevat een komma; schrijf bedragen met een "
            "decimale punt en zonder duizendtallen, bv. 125000.50"
        )
    value = _decimal(raw)
    if value is None:
        raise CostInputError(f"{what}: '{text}' is geen bedrag in euro's (bv. 125000 of 125000.50)")
    if value < 0:
        raise CostInputError(f"{what}: een bedrag kan niet negatief zijn ({text})")
    if value.as_tuple().exponent < -2 and value != value.quantize(Decimal("0.01")):
        raise CostInputError(f"{what}: '{text}' heeft meer dan twee decimalen (hele centen)")
    return value


def parse_rate(text: str, what: str) -> Decimal:
    """A rate in euros per inhabitant (``0.35``, ``0.125``): any number of decimals."""
    raw = text.strip().removeprefix("€").strip()
    if "," in raw:
        raise CostInputError(
            f"{what}: '{text}' bevat een komma; gebruik een decimale punt, bv. 0.35"
        )
    value = _decimal(raw)
    if value is None:
        raise CostInputError(f"{what}: '{text}' is geen bedrag in euro's per inwoner (bv. 0.35)")
    if value < 0:
        raise CostInputError(f"{what}: een bedrag kan niet negatief zijn ({text})")
    return value


def _decimal(raw: str) -> Decimal | None:
    """``123``, ``12.5``, ``.5``, ``-3`` exactly; None for anything else (``1e3``, ``12,5``)."""
    body = raw[1:] if raw.startswith("-") else raw
    if (
        not body
        or body.count(".") > 1
        or not any(ch.isdigit() for ch in body)
        or not all(ch.isdigit() or ch == "." for ch in body)
    ):
        return None
    value = Decimal(body)
    return -value if raw.startswith("-") else value


def _cell_number(text: str, line: int, column: str, *, whole: bool) -> Decimal:
    raw = text.strip()
    if not raw:
        raise CostInputError(f"kolom '{column}' is leeg", line, column)
    value = _decimal(raw)
    if whole and value is not None and "." in raw:
        value = None  # 58.000 is Dutch for 58000, never 58: refuse rather than guess
    if value is None:
        hint = ""
        if "," in raw:
            hint = "; gebruik een decimale punt, geen komma"
        elif whole and any(ch in raw for ch in ". _"):
            hint = " (schrijf het getal zonder punten of spaties, bv. 58000)"
        kind = "geheel getal" if whole else "getal"
        raise CostInputError(f"{column} '{raw}' is geen {kind}{hint}", line, column)
    if value < 0:
        raise CostInputError(f"{column} mag niet negatief zijn ({raw})", line, column)
    return value


def parse_cost_csv(text: str) -> CostTable:
    """Read the input CSV; every refusal names the line it concerns."""
    text = text.removeprefix("\ufeff")  # a BOM, as Excel writes it
    if not text.strip():
        raise CostInputError(
            "het bestand is leeg; verwacht een kopregel 'gemeente,inwoners' "
            "en een regel per gemeente",
            1,
        )
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    header_line = 1
    for fields in reader:
        if any(f.strip() for f in fields):
            header = [f.strip().lower() for f in fields]
            header_line = reader.line_num
            break
    assert header is not None
    if len(header) == 1 and ";" in header[0]:
        raise CostInputError(
            "de kolommen zijn gescheiden door puntkomma's; gebruik komma's "
            "(kopregel 'gemeente,inwoners[,zaken][,gewicht]')",
            header_line,
        )
    for i, name in enumerate(header):
        if not name:
            raise CostInputError(f"kolom {i + 1} van de kopregel heeft geen naam", header_line)
        if name not in COLUMNS:
            raise CostInputError(
                f"onbekende kolom '{name}' (toegestaan: {', '.join(COLUMNS)})", header_line, name
            )
        if header.index(name) != i:
            raise CostInputError(
                f"kolom '{name}' staat twee keer in de kopregel", header_line, name
            )
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise CostInputError(
            f"kolom{'men' if len(missing) > 1 else ''} {', '.join(repr(m) for m in missing)} "
            f"ontbreekt in de kopregel (verwacht 'gemeente,inwoners', optioneel zaken en gewicht)",
            header_line,
            missing[0],
        )

    rows: list[CostInput] = []
    seen: dict[str, int] = {}
    for fields in reader:
        line = reader.line_num
        if not any(f.strip() for f in fields):
            continue  # blank lines are harmless
        if len(fields) != len(header):
            raise CostInputError(
                f"{len(fields)} velden, verwacht {len(header)} ({','.join(header)})", line
            )
        cells = dict(zip(header, fields, strict=False))
        name = cells["gemeente"].strip()
        if not name:
            raise CostInputError("de naam van de gemeente ontbreekt", line, "gemeente")
        key = " ".join(name.casefold().split())
        if key in seen:
            raise CostInputError(
                f"gemeente '{name}' staat dubbel (ook op regel {seen[key]})", line, "gemeente"
            )
        seen[key] = line
        inwoners = int(_cell_number(cells["inwoners"], line, "inwoners", whole=True))
        if inwoners == 0:
            raise CostInputError("inwoners moet groter dan 0 zijn", line, "inwoners")
        zaken = None
        if "zaken" in cells:
            zaken = _cell_number(cells["zaken"], line, "zaken", whole=False)
        gewicht = Decimal(1)
        if "gewicht" in cells and cells["gewicht"].strip():
            gewicht = _cell_number(cells["gewicht"], line, "gewicht", whole=False)
        rows.append(
            CostInput(line=line, gemeente=name, inwoners=inwoners, zaken=zaken, gewicht=gewicht)
        )
    if not rows:
        raise CostInputError("het bestand heeft een kopregel maar geen gemeenten", header_line)
    return CostTable(columns=tuple(header), rows=tuple(rows))


# --- the models ----------------------------------------------------------------------------------


def euros(value: int | Fraction | Decimal, decimals: int = 0) -> str:
    """Dutch notation: ``€ 12.345`` or ``€ 12.345,67``."""
    q = Decimal(1).scaleb(-decimals)
    d = (
        Decimal(value)
        if not isinstance(value, Fraction)
        else Decimal(value.numerator) / Decimal(value.denominator)
    )
    d = d.quantize(q, rounding=ROUND_HALF_UP)
    sign = "-" if d < 0 else ""
    whole, _, frac = f"{abs(d):f}".partition(".")
    groups = f"{int(whole):,}".replace(",", ".")
    return f"€ {sign}{groups}" + (f",{frac}" if decimals else "")


def number(value: Decimal | int) -> str:
    """A count or factor as typed, without trailing zeros: ``12.5``, ``1``."""
    d = Decimal(value)
    text = f"{d.normalize():f}" if d != d.to_integral_value() else str(int(d))
    return text


def _whole_euros(amount: Decimal, what: str) -> int:
    if amount != amount.to_integral_value():
        raise CostInputError(
            f"{what} moet een heel aantal euro's zijn (de verdeling is in hele "
            f"euro's), niet {euros(amount, 2)}"
        )
    return int(amount)


def allocate(
    table: CostTable,
    model: str,
    *,
    total: Decimal | None = None,
    base: Decimal | None = None,
    fixed: Decimal | None = None,
    variable: Decimal | None = None,
) -> Allocation:
    """The allocation under ``model``; refuses inputs that do not fit it (CostInputError)."""
    if model not in MODELS:
        raise CostInputError(f"onbekend model '{model}' (kies uit {', '.join(MODELS)})")
    rows = table.rows
    if model == "tarief":
        if total is not None:
            raise CostInputError(
                "model tarief heeft geen --total: het bedrag volgt uit "
                "--fixed en --variable per inwoner"
            )
        if base is not None:
            raise CostInputError("--base hoort bij model zaken, niet bij tarief")
        if fixed is None and variable is None:
            raise CostInputError("model tarief vraagt --fixed en/of --variable (euro per inwoner)")
        return _tarief(rows, fixed or Decimal(0), variable or Decimal(0))
    if fixed is not None or variable is not None:
        raise CostInputError(f"--fixed en --variable horen bij model tarief, niet bij {model}")
    if total is None:
        raise CostInputError(f"model {model} vraagt --total (het jaarbedrag in euro's)")
    total_euros = _whole_euros(total, "--total")
    if model == "inwoners":
        if base is not None:
            raise CostInputError("--base hoort bij model zaken, niet bij inwoners")
        return _inwoners(rows, total_euros)
    if "zaken" not in table.columns:
        raise CostInputError("model zaken vraagt een kolom 'zaken' in de kopregel", 1, "zaken")
    base_euros = _whole_euros(base, "--base") if base is not None else 0
    return _zaken(rows, total_euros, base_euros)


def _inwoners(rows: Sequence[CostInput], total: int) -> Allocation:
    population = sum(r.inwoners for r in rows)
    exact = [Fraction(total * r.inwoners, population) for r in rows]
    amounts = largest_remainder(exact, total)
    out = tuple(
        CostRow(r.gemeente, r.inwoners, r.zaken, r.gewicht, 0, a, a, x)
        for r, a, x in zip(rows, amounts, exact, strict=False)
    )
    explanation = (
        f"Model inwoners: elke gemeente betaalt {euros(total)} x haar inwoners / "
        f"{population:,} inwoners in totaal.".replace(",", "."),
        _rounding_note(),
    )
    return Allocation("inwoners", out, 0, total, total, explanation)


def _zaken(rows: Sequence[CostInput], total: int, base: int) -> Allocation:
    n = len(rows)
    rest = total - base * n
    if rest < 0:
        raise CostInputError(
            f"het basisbedrag is te hoog: --base {euros(base)} x {n} gemeenten (regels "
            f"{rows[0].line}-{rows[-1].line}) = {euros(base * n)}, meer dan --total {euros(total)}",
            field="base",
        )
    weights = [Fraction(r.zaken or 0) * Fraction(r.gewicht) for r in rows]
    whole = sum(weights)
    if whole == 0 and rest > 0:
        raise CostInputError(
            f"zaken x gewicht is overal 0: de rest van {euros(rest)} kan niet naar rato "
            f"verdeeld worden (regels {rows[0].line}-{rows[-1].line})",
            field="zaken",
        )
    exact = [rest * w / whole if whole else Fraction(0) for w in weights]
    shares = largest_remainder(exact, rest)
    out = tuple(
        CostRow(r.gemeente, r.inwoners, r.zaken, r.gewicht, base, s, base + s, base + x)
        for r, s, x in zip(rows, shares, exact, strict=False)
    )
    explanation = (
        f"Model zaken: elke gemeente betaalt een basis van {euros(base)}; de rest, "
        f"{euros(total)} - {n} x {euros(base)} = {euros(rest)}, wordt verdeeld naar rato van "
        f"zaken x gewicht (samen {number(Decimal(whole.numerator) / Decimal(whole.denominator))}).",
        _rounding_note(),
    )
    return Allocation("zaken", out, base * n, rest, total, explanation)


def _tarief(rows: Sequence[CostInput], fixed: Decimal, variable: Decimal) -> Allocation:
    exact_basis = [Fraction(fixed) * r.inwoners for r in rows]
    exact_share = [Fraction(variable) * r.inwoners for r in rows]
    basis_total = round_half_up(sum(exact_basis))
    share_total = round_half_up(sum(exact_share))
    basis = largest_remainder(exact_basis, basis_total)
    shares = largest_remainder(exact_share, share_total)
    out = tuple(
        CostRow(r.gemeente, r.inwoners, r.zaken, r.gewicht, b, s, b + s, xb + xs)
        for r, b, s, xb, xs in zip(rows, basis, shares, exact_basis, exact_share, strict=False)
    )
    explanation = (
        f"Model tarief: elke gemeente betaalt per inwoner {euros(fixed, 4)} vast (basis) en "
        f"{euros(variable, 4)} variabel (aandeel).",
        "Afronding: per kolom wordt het exacte kolomtotaal half naar boven afgerond op hele "
        "euro's; de regels worden met de methode van de grootste resten afgerond zodat ze daar "
        "precies op uitkomen (elk bedrag minder dan € 1 van het exacte bedrag).",
    )
    return Allocation(
        "tarief", out, basis_total, share_total, basis_total + share_total, explanation
    )


def _rounding_note() -> str:
    return (
        "Afronding: hele euro's met de methode van de grootste resten: elke gemeente krijgt "
        "het hele bedrag onder haar exacte bedrag, de resterende euro's gaan één voor één naar "
        "de grootste resten (bij gelijke rest: eerst in het bestand), zodat de regels precies "
        "optellen tot het totaal."
    )
