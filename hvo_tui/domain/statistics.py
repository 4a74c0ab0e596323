"""Statistics and reports (issue 8): the aggregation rules, pure. The store counts in SQL (GROUP BY)
and hands the groups to the builders here, which turn them into ``ReportTable``s that the CLI
prints (table, CSV, JSON) and the statistics screen shows beside its charts.

What is counted, and when (choices where domain.md is silent):

* Every case starts as a screening, so a **screening** is a case, counted in the period by its
  opening (``opened_at``). A **ban** (huisverbod) is a case with a T0 (``imposed_at``), counted in
  the period by T0. Destroyed cases keep their record (status, T0, municipality) and are counted.
* **Share that led to a ban**: of the screenings opened in the period, those with a T0 (whenever).
  **Share extended**: of the bans imposed in the period, those extended (``extended_until``).
  **Share withdrawn**: of the bans imposed in the period, those withdrawn (status ingetrokken, or a
  received beschikking intrekken on file: a closed case keeps that document).
* **Time of day**: T0 of the bans in the period, in 24 one-hour bins of Europe/Amsterdam local time.
* **Lead times**: T0 to the mayor's decision on extension (``extension_decided_at``; also a
  decision not to extend), for bans imposed in the period; a document's request to its receipt,
  per document kind, for documents requested in the period. Median and 90th percentile, linearly
  interpolated between the closest ranks (as PostgreSQL's ``percentile_cont``), in hours.
* **Cross table**: bans in the period by the municipality where the ban was imposed (the case's
  municipality, whose mayor decides) against the municipality of residence of the banned person
  (the postcode of the uithuisgeplaatste on the case, matched against the municipalities' postcode
  ranges; "onbekend" when there is no such person or postcode, e.g. after destruction, and
  "buiten de regio's" for a postcode of no known municipality).
* **Documents late per partner organisation**: documents whose due moment lies in the period, by
  the organisation of the account they were requested from, else of the account that delivered
  them; without an account, "Gemeente <the case's municipality>" for a document asked of the
  gemeente or the mayor, else "onbekend (<partner role>)". Late: received after the due moment,
  or not received while the due moment has passed.
* Per 10,000 inhabitants: count / population x 10,000 (the municipality's registered population),
  two decimals. Shares are percentages with one decimal; an empty base gives no share (None).
* Period: ``start`` and ``end`` are local calendar days, both inclusive; either may be open.
* Months and hours are Europe/Amsterdam local time. The store groups moments by their local month
  and hour ("YYYY-MM HH", ``local_key``): one query serves the months and the hours of the day.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from .errors import DomainError
from .localtime import ZONE
from .vocab import DocumentKind, PartnerRole

AMS = ZONE
UTC = UTC
UNKNOWN = "onbekend"
OUTSIDE = "buiten de regio's"
TOTAL = "Totaal"

# --- the catalogue of reports -------------------------------------------------------------------

REPORTS: dict[str, str] = {
    "per-maand": "screenings en huisverboden per maand",
    "per-gemeente": "screenings en huisverboden per gemeente, absoluut en per 10.000 inwoners",
    "aandelen": "aandeel screenings met huisverbod, aandeel verlengd en ingetrokken, per gemeente",
    "tijdstip": "tijdstip van opleggen (24 uur, Nederlandse tijd)",
    "doorlooptijden": "doorlooptijden: opleggen tot besluit verlenging, opvragen tot ontvangst "
    "document (mediaan en p90)",
    "kruistabel": "huisverboden: woongemeente uithuisgeplaatste tegen gemeente van opleggen",
    "te-laat": "documenten te laat per partnerorganisatie",
}


def unknown_report(name: str) -> str:
    """The Dutch message for a report name that does not exist, listing the ones that do."""
    return f"onbekend rapport '{name}'; kies uit: {', '.join(REPORTS)}"


# --- the filter ---------------------------------------------------------------------------------

_DATE_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
_DATE_NL = re.compile(r"^\s*(\d{1,2})-(\d{1,2})-(\d{4})\s*$")


def parse_date(text: str, what: str = "datum") -> date:
    """A calendar day typed as 2026-03-31 or 31-03-2026; DomainError with a Dutch reason."""
    text = (text or "").strip()
    m = _DATE_ISO.match(text)
    if m:
        year, month, day = (int(g) for g in m.groups())
    else:
        m = _DATE_NL.match(text)
        if not m:
            raise DomainError(
                f"ongeldige {what} '{text}': gebruik JJJJ-MM-DD, bijvoorbeeld 2026-03-31",
                field=what,
            )
        day, month, year = (int(g) for g in m.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise DomainError(f"ongeldige {what} '{text}': die dag bestaat niet", field=what) from None


@dataclass(frozen=True, slots=True)
class ReportFilter:
    """Which cases a report covers. ``start``/``end``: local days, inclusive, None = open;
    ``region``/``municipality``: names (of the municipality where the ban was imposed)."""

    start: date | None = None
    end: date | None = None
    region: str | None = None
    municipality: str | None = None

    def __post_init__(self) -> None:
        if self.start is not None and self.end is not None and self.end < self.start:
            raise DomainError(
                f"de einddatum {self.end:%d-%m-%Y} ligt vóór de begindatum {self.start:%d-%m-%Y}",
                field="end",
            )

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """[start 00:00, day after end 00:00) in Europe/Amsterdam, as aware UTC moments."""
        lo = _local_midnight(self.start) if self.start else None
        hi = _local_midnight(self.end + timedelta(days=1)) if self.end else None
        return lo, hi

    def describe(self) -> str:
        """The filter in Dutch, for a report's heading."""
        if self.start and self.end:
            period = f"{self.start:%d-%m-%Y} t/m {self.end:%d-%m-%Y}"
        elif self.start:
            period = f"vanaf {self.start:%d-%m-%Y}"
        elif self.end:
            period = f"t/m {self.end:%d-%m-%Y}"
        else:
            period = "alle perioden"
        parts = [period]
        if self.region:
            parts.append(f"regio {self.region}")
        if self.municipality:
            parts.append(f"gemeente {self.municipality}")
        return " · ".join(parts)

    def as_dict(self) -> dict[str, str | None]:
        return {
            "van": self.start.isoformat() if self.start else None,
            "tot_en_met": self.end.isoformat() if self.end else None,
            "regio": self.region,
            "gemeente": self.municipality,
        }


def _local_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=AMS).astimezone(UTC)


def last_months(today: date, months: int = 12) -> ReportFilter:
    """The default period of the screen: the first day of the month ``months - 1`` months back
    up to and including today."""
    year, month = today.year, today.month - (months - 1)
    while month < 1:
        month += 12
        year -= 1
    return ReportFilter(start=date(year, month, 1), end=today)


# --- small numeric helpers ----------------------------------------------------------------------


def percentile(values: Iterable[float], q: float) -> float | None:
    """The ``q``-quantile (0..1) of ``values``, linearly interpolated between the closest ranks
    (PostgreSQL's percentile_cont, numpy's default); None for no values."""
    data = sorted(values)
    if not data:
        return None
    if not 0 <= q <= 1:
        raise ValueError("q must lie in [0, 1]")
    lo, hi, frac = percentile_ranks(len(data), q)
    return float(data[lo]) if not frac else data[lo] + (data[hi] - data[lo]) * frac


def percentile_ranks(n: int, q: float) -> tuple[int, int, float]:
    """For ``n`` sorted values: the 0-based ranks around the ``q``-quantile and the weight of the
    upper one, so that percentile = v[lo] + (v[hi] - v[lo]) x frac (what ``percentile`` does;
    the store picks the values at these ranks in SQL)."""
    pos = (n - 1) * q
    lo = math.floor(pos + 1e-9)  # (n - 1) x 0.9 may land a hair below a whole rank
    return lo, min(lo + 1, n - 1), max(0.0, pos - lo)


def interpolate(n: int, q: float, at: Mapping[int, float]) -> float | None:
    """The ``q``-quantile of ``n`` values of which ``at`` holds those at the ranks that
    ``percentile_ranks`` names (rank -> value); None for no values."""
    if n <= 0:
        return None
    lo, hi, frac = percentile_ranks(n, q)
    low = float(at[lo])
    return low if not frac else low + (float(at[hi]) - low) * frac


def median(values: Iterable[float]) -> float | None:
    return percentile(values, 0.5)


def p90(values: Iterable[float]) -> float | None:
    return percentile(values, 0.9)


def per_10k(count: int, population: int | None) -> float | None:
    """``count`` per 10,000 inhabitants, two decimals; None without a population."""
    if not population:
        return None
    return round(count * 10_000 / population, 2)


def share(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` as a percentage with one decimal; None when ``whole`` is 0."""
    if not whole:
        return None
    return round(part * 100 / whole, 1)


def display_value(value: Any, decimals: int = 1) -> str:
    """A cell for people: "–" for no value, thousands with a dot, decimals with a comma (Dutch)."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    if isinstance(value, float):
        text = f"{value:,.{decimals}f}"
        return text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return str(value)


def hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 1)


# --- local hour keys: "YYYY-MM HH" -> month and hour of the day -----------------------------------


def local_key(moment: datetime) -> str:
    """The store's GROUP BY key of a moment: its Europe/Amsterdam month and hour, "YYYY-MM HH"."""
    local = moment.astimezone(AMS)
    return f"{local.year:04d}-{local.month:02d} {local.hour:02d}"


def hour_bins(groups: Iterable[tuple[str, int]]) -> list[int]:
    """24 counts, local hour 0 to 23, from ("YYYY-MM HH", count) groups."""
    bins = [0] * 24
    for key, count in groups:
        bins[int(key[8:10])] += count
    return bins


def month_counts(groups: Iterable[tuple[str, int]]) -> dict[str, int]:
    """Counts per local month "YYYY-MM" from ("YYYY-MM HH", count) groups."""
    out: dict[str, int] = defaultdict(int)
    for key, count in groups:
        out[key[:7]] += count
    return dict(out)


def months_between(first: str, last: str) -> list[str]:
    """Every month "YYYY-MM" from ``first`` to ``last``, both included."""
    year, month = int(first[:4]), int(first[5:7])
    end = (int(last[:4]), int(last[5:7]))
    out = []
    while (year, month) <= end:
        out.append(f"{year:04d}-{month:02d}")
        month += 1
        if month > 12:
            month, year = 1, year + 1
    return out


_MONTHS_NL = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def month_label(month: str) -> str:
    """ "2026-03" -> "mrt 2026"."""
    return f"{_MONTHS_NL[int(month[5:7]) - 1]} {month[:4]}"


# --- postcodes -> municipality ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PostcodeMap:
    """Four-digit postcode ranges of the known municipalities ("5911-5916;5921-5928")."""

    ranges: tuple[tuple[int, int, str], ...]

    @classmethod
    def from_specs(cls, specs: Mapping[str, str | None]) -> PostcodeMap:
        ranges = []
        for name, spec in specs.items():
            for part in (spec or "").split(";"):
                part = part.strip()
                if not part:
                    continue
                lo, _, hi = part.partition("-")
                try:
                    ranges.append((int(lo), int(hi or lo), name))
                except ValueError:
                    continue
        return cls(tuple(sorted(ranges)))

    def municipality(self, postcode: str | None) -> str:
        """The municipality of a postcode ("6041 EL"), ``OUTSIDE`` if none has it, ``UNKNOWN``
        for no (or no readable) postcode."""
        digits = (postcode or "").strip()[:4]
        if len(digits) != 4 or not digits.isdigit():
            return UNKNOWN
        number = int(digits)
        for lo, hi, name in self.ranges:
            if lo <= number <= hi:
                return name
        return OUTSIDE


# --- the report table ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Column:
    key: str  # for CSV and JSON
    label: str  # Dutch header for the table
    numeric: bool = True
    decimals: int = 0  # shown with this many decimals (floats)


@dataclass(frozen=True, slots=True)
class ReportTable:
    """One report: its columns and rows of plain values (str, int, float or None)."""

    name: str
    title: str
    filter: ReportFilter
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]
    note: str = ""
    # Figures for the charts beside the table (label -> series), kept separate from the rows.
    series: dict[str, tuple[float, ...]] = field(default_factory=dict)
    labels: tuple[str, ...] = ()

    def records(self) -> list[dict[str, Any]]:
        keys = [c.key for c in self.columns]
        return [dict(zip(keys, row, strict=False)) for row in self.rows]

    def column(self, key: str) -> list[Any]:
        i = [c.key for c in self.columns].index(key)
        return [row[i] for row in self.rows]


def _num(value: int | float | None) -> float:
    return 0.0 if value is None else float(value)


# --- the builders -------------------------------------------------------------------------------


def monthly_table(
    flt: ReportFilter, screenings: Iterable[tuple[str, int]], bans: Iterable[tuple[str, int]]
) -> ReportTable:
    """Screenings (by opening) and bans (by T0) per local month; every month of the period, also
    the empty ones (an open period: from the first to the last month with data)."""
    s_months, b_months = month_counts(screenings), month_counts(bans)
    seen = sorted(set(s_months) | set(b_months))
    first = f"{flt.start:%Y-%m}" if flt.start else (seen[0] if seen else None)
    last = f"{flt.end:%Y-%m}" if flt.end else (seen[-1] if seen else None)
    months = months_between(first, last) if first and last and first <= last else []
    rows = tuple((m, s_months.get(m, 0), b_months.get(m, 0)) for m in months)
    total = (TOTAL, sum(r[1] for r in rows), sum(r[2] for r in rows))
    return ReportTable(
        name="per-maand",
        title=REPORTS["per-maand"],
        filter=flt,
        columns=(
            Column("maand", "Maand", False),
            Column("screenings", "Screenings"),
            Column("huisverboden", "Huisverboden"),
        ),
        rows=rows + ((total,) if rows else ()),
        note="screenings naar maand van opening, huisverboden naar maand van opleggen (T0)",
        labels=tuple(month_label(m) for m in months),
        series={
            "screenings": tuple(float(r[1]) for r in rows),
            "huisverboden": tuple(float(r[2]) for r in rows),
        },
    )


@dataclass(frozen=True, slots=True)
class MunicipalityCounts:
    """The store's GROUP BY per municipality (of imposition)."""

    name: str
    region: str
    population: int
    screenings: int = 0  # opened in the period
    screenings_with_ban: int = 0  # of those, with a T0
    bans: int = 0  # T0 in the period
    extended: int = 0  # of those, extended
    withdrawn: int = 0  # of those, withdrawn


def _sum_counts(groups: Sequence[MunicipalityCounts]) -> MunicipalityCounts:
    return MunicipalityCounts(
        name=TOTAL,
        region="",
        population=sum(g.population for g in groups),
        screenings=sum(g.screenings for g in groups),
        screenings_with_ban=sum(g.screenings_with_ban for g in groups),
        bans=sum(g.bans for g in groups),
        extended=sum(g.extended for g in groups),
        withdrawn=sum(g.withdrawn for g in groups),
    )


def municipality_table(flt: ReportFilter, groups: Sequence[MunicipalityCounts]) -> ReportTable:
    """Per municipality: screenings and bans, absolute and per 10,000 inhabitants; ordered by
    region and name, a total row last."""
    ordered = sorted(groups, key=lambda g: (g.region, g.name))

    def row(g: MunicipalityCounts) -> tuple:
        return (
            g.name,
            g.region,
            g.population,
            g.screenings,
            per_10k(g.screenings, g.population),
            g.bans,
            per_10k(g.bans, g.population),
        )

    rows = tuple(row(g) for g in ordered)
    if ordered:
        rows += (row(_sum_counts(ordered)),)
    return ReportTable(
        name="per-gemeente",
        title=REPORTS["per-gemeente"],
        filter=flt,
        columns=(
            Column("gemeente", "Gemeente", False),
            Column("regio", "Regio", False),
            Column("inwoners", "Inwoners"),
            Column("screenings", "Screenings"),
            Column("screenings_per_10000", "Scr. per 10.000", decimals=2),
            Column("huisverboden", "Huisverboden"),
            Column("huisverboden_per_10000", "Hv. per 10.000", decimals=2),
        ),
        rows=rows,
        note="gemeente waar het huisverbod is opgelegd; inwoners volgens de gemeentetabel",
        labels=tuple(g.name for g in ordered),
        series={
            "huisverboden per 10.000": tuple(_num(per_10k(g.bans, g.population)) for g in ordered),
            "huisverboden": tuple(float(g.bans) for g in ordered),
        },
    )


def shares_table(flt: ReportFilter, groups: Sequence[MunicipalityCounts]) -> ReportTable:
    """Per municipality and in total: share of screenings that led to a ban, share of bans
    extended and withdrawn."""
    ordered = sorted(groups, key=lambda g: (g.region, g.name))
    total = _sum_counts(ordered)

    def row(g: MunicipalityCounts) -> tuple:
        return (
            g.name,
            g.screenings,
            g.screenings_with_ban,
            share(g.screenings_with_ban, g.screenings),
            g.bans,
            g.extended,
            share(g.extended, g.bans),
            g.withdrawn,
            share(g.withdrawn, g.bans),
        )

    rows = tuple(row(g) for g in ordered)
    if ordered:
        rows += (row(total),)
    return ReportTable(
        name="aandelen",
        title=REPORTS["aandelen"],
        filter=flt,
        columns=(
            Column("gemeente", "Gemeente", False),
            Column("screenings", "Screenings"),
            Column("met_huisverbod", "Met huisverbod"),
            Column("pct_huisverbod", "% huisverbod", decimals=1),
            Column("huisverboden", "Huisverboden"),
            Column("verlengd", "Verlengd"),
            Column("pct_verlengd", "% verlengd", decimals=1),
            Column("ingetrokken", "Ingetrokken"),
            Column("pct_ingetrokken", "% ingetrokken", decimals=1),
        ),
        rows=rows,
        note="% huisverbod: van de screenings in de periode; % verlengd en % ingetrokken: van de "
        "huisverboden opgelegd in de periode",
        labels=("huisverbod", "verlengd", "ingetrokken"),
        series={
            "%": (
                _num(share(total.screenings_with_ban, total.screenings)),
                _num(share(total.extended, total.bans)),
                _num(share(total.withdrawn, total.bans)),
            )
        },
    )


def hours_table(flt: ReportFilter, bans: Iterable[tuple[str, int]]) -> ReportTable:
    """T0 of the bans in 24 local one-hour bins."""
    bins = hour_bins(bans)
    total = sum(bins)
    rows = tuple((f"{h:02d}:00-{h:02d}:59", bins[h], share(bins[h], total)) for h in range(24))
    return ReportTable(
        name="tijdstip",
        title=REPORTS["tijdstip"],
        filter=flt,
        columns=(
            Column("uur", "Uur", False),
            Column("huisverboden", "Huisverboden"),
            Column("pct", "%", decimals=1),
        ),
        rows=rows + ((TOTAL, total, share(total, total)),),
        note="tijdstip van opleggen (T0), Europe/Amsterdam",
        labels=tuple(f"{h:02d}" for h in range(24)),
        series={"huisverboden": tuple(float(b) for b in bins)},
    )


EXTENSION_DECISION = "opleggen → besluit verlenging"


@dataclass(frozen=True, slots=True)
class LeadTime:
    """How many lead times, and their median and 90th percentile, in seconds."""

    n: int = 0
    median: float | None = None
    p90: float | None = None

    @classmethod
    def of(cls, seconds: Sequence[float]) -> LeadTime:
        return cls(len(seconds), median(seconds), p90(seconds))


def lead_times_table(
    flt: ReportFilter, extension: LeadTime, documents: Mapping[str, LeadTime]
) -> ReportTable:
    """Median and p90 in hours: T0 to the decision on extension; request to receipt per
    document kind (in the order of the process)."""
    rows = [(EXTENSION_DECISION, extension.n, hours(extension.median), hours(extension.p90))]
    kinds = [k.value for k in DocumentKind if k.value in documents]
    kinds += sorted(k for k in documents if k not in kinds)
    for kind in kinds:
        lt = documents[kind]
        try:
            label = DocumentKind(kind).label
        except ValueError:
            label = kind
        rows.append((f"opvragen → ontvangst {label}", lt.n, hours(lt.median), hours(lt.p90)))
    return ReportTable(
        name="doorlooptijden",
        title=REPORTS["doorlooptijden"],
        filter=flt,
        columns=(
            Column("doorlooptijd", "Doorlooptijd", False),
            Column("aantal", "Aantal"),
            Column("mediaan_uren", "Mediaan (uur)", decimals=1),
            Column("p90_uren", "p90 (uur)", decimals=1),
        ),
        rows=tuple(rows),
        note="besluit verlenging: huisverboden opgelegd in de periode; documenten: opgevraagd in "
        "de periode en ontvangen",
        labels=tuple(r[0] for r in rows),
        series={"mediaan": tuple(_num(r[2]) for r in rows), "p90": tuple(_num(r[3]) for r in rows)},
    )


def cross_table(
    flt: ReportFilter, groups: Iterable[tuple[str, str | None, int]], postcodes: PostcodeMap
) -> ReportTable:
    """Bans by municipality of residence (rows) against municipality of imposition (columns),
    from (imposition municipality, postcode of the banned person, count) groups. Only the
    municipalities that occur; totals in the last row and column."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for imposed_in, postcode, count in groups:
        counts[(postcodes.municipality(postcode), imposed_in)] += count
    tail = {UNKNOWN: 2, OUTSIDE: 1}
    residences = sorted({r for r, _ in counts}, key=lambda n: (tail.get(n, 0), n))
    impositions = sorted({i for _, i in counts})
    rows = []
    for res in residences:
        cells = [counts.get((res, imp), 0) for imp in impositions]
        rows.append((res, *cells, sum(cells)))
    if rows:
        col_totals = [sum(counts.get((res, imp), 0) for res in residences) for imp in impositions]
        rows.append((TOTAL, *col_totals, sum(col_totals)))
    diagonal = sum(counts.get((m, m), 0) for m in impositions)
    whole = sum(counts.values())
    return ReportTable(
        name="kruistabel",
        title=REPORTS["kruistabel"],
        filter=flt,
        columns=(
            Column("woongemeente", "Woongemeente \\ opgelegd in", False),
            *(Column(m, m) for m in impositions),
            Column("totaal", TOTAL),
        ),
        rows=tuple(rows),
        note=f"rijen: woongemeente (postcode uithuisgeplaatste); kolommen: gemeente van opleggen; "
        f"{display_value(share(diagonal, whole) or 0.0)}% in de eigen woongemeente",
        labels=tuple(impositions),
        series={
            "huisverboden": tuple(
                float(sum(counts.get((r, imp), 0) for r in residences)) for imp in impositions
            )
        },
    )


@dataclass(frozen=True, slots=True)
class LateCounts:
    """The store's GROUP BY per organisation the documents were requested from."""

    organisation: str | None  # None: no account (external or not recorded)
    role: str | None  # requested_from_role, the fallback label
    municipality: str | None = None  # of the case: a gemeente partner without an account
    due: int = 0  # documents with a due moment in the period
    late_received: int = 0  # received after the due moment
    late_open: int = 0  # not received, due moment passed


def partner_label(
    organisation: str | None, role: str | None, municipality: str | None = None
) -> str:
    """The organisation; without an account, the case's municipality for a document asked of the
    gemeente or the mayor, else "onbekend (role)"."""
    if organisation:
        return organisation
    if municipality and role in (PartnerRole.GEMEENTE.value, PartnerRole.BESTUURDER.value):
        return f"Gemeente {municipality}"
    try:
        role_label = PartnerRole(role).label if role else None
    except ValueError:
        role_label = role
    return f"{UNKNOWN} ({role_label})" if role_label else UNKNOWN


def late_table(flt: ReportFilter, groups: Iterable[LateCounts]) -> ReportTable:
    """Per partner organisation: documents due in the period, late (received late or still
    missing), and the share late; the most late first."""
    merged: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for g in groups:
        acc = merged[partner_label(g.organisation, g.role, g.municipality)]
        acc[0] += g.due
        acc[1] += g.late_received
        acc[2] += g.late_open
    order = sorted(merged.items(), key=lambda kv: (-(kv[1][1] + kv[1][2]), kv[0]))
    rows = tuple((name, due, lr + lo, lr, lo, share(lr + lo, due)) for name, (due, lr, lo) in order)
    if rows:
        due, lr, lo = (sum(v[i] for v in merged.values()) for i in range(3))
        rows += ((TOTAL, due, lr + lo, lr, lo, share(lr + lo, due)),)
    return ReportTable(
        name="te-laat",
        title=REPORTS["te-laat"],
        filter=flt,
        columns=(
            Column("organisatie", "Organisatie", False),
            Column("opgevraagd", "Met termijn"),
            Column("te_laat", "Te laat"),
            Column("te_laat_ontvangen", "Laat ontvangen"),
            Column("te_laat_open", "Nog open"),
            Column("pct_te_laat", "% te laat", decimals=1),
        ),
        rows=rows,
        note="documenten met een termijn in de periode; te laat: na de termijn ontvangen, of niet "
        "ontvangen terwijl de termijn verstreken is",
        labels=tuple(name for name, _ in order),
        series={"te laat": tuple(float(v[1] + v[2]) for _, v in order)},
    )


__all__ = [
    "EXTENSION_DECISION",
    "OUTSIDE",
    "REPORTS",
    "TOTAL",
    "UNKNOWN",
    "Column",
    "LateCounts",
    "LeadTime",
    "MunicipalityCounts",
    "PostcodeMap",
    "ReportFilter",
    "ReportTable",
    "cross_table",
    "display_value",
    "hour_bins",
    "hours_table",
    "interpolate",
    "last_months",
    "late_table",
    "lead_times_table",
    "local_key",
    "median",
    "month_counts",
    "month_label",
    "monthly_table",
    "months_between",
    "municipality_table",
    "p90",
    "parse_date",
    "per_10k",
    "percentile",
    "percentile_ranks",
    "share",
    "shares_table",
    "unknown_report",
]
