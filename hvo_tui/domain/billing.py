"""Billing from use (issue 8, point 4): one statement per municipality, checkable to the cent.

Pure: the tariff table comes in as TOML text, the use of a region in a period as plain data (the
store counts it, ``store/billing.py``); no I/O, no SQL.

What is charged (domain.md, "Accounts and costs"), all amounts in integer cents:

- **aansluiting**: once per account created in the period; none for bestuurlijke accounts (the
  mayor's account is shared with the sister system and costs nothing extra here).
- **maandprijs per organisatie**: per calendar month in the period in which the organisation had
  at least one active, non-bestuurlijk account.
- **maandprijs per account**: per calendar month in which a non-bestuurlijk account was active for
  at least a moment (created before the month's end, not deactivated before its start).
- **handelingen**: per step actually taken in the period, on a case of the municipality: a RiHG,
  proces-verbaal, zorgadvies or beleidsadvies received, a beschikking (to impose, extend,
  withdraw, or a herstelbeschikking) taken. The store counts them (see there).

Whose costs: a municipality pays its own organisations' accounts (kind ``gemeente`` linked to
it) and the actions on its cases. The accounts of the region's partner organisations (by default
police, casemanagement and the Veiligheidshuis; ``[verdeling] gedeelde_organisaties`` in the
tariff) form a shared pot, split over the municipalities by population with the largest-remainder
method in cents, so the shares add up to the pot exactly. Organisations of other kinds (Veilig
Thuis, GGZ by default) are not passed on; the invoice names them so nothing is silently dropped.

Calendar months and the period are local (Europe/Amsterdam).
"""

from __future__ import annotations

import re
import tomllib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

import pendulum

from .costs import apportion, euros
from .errors import DomainError
from .localtime import TZ, format_date
from .vocab import DocumentKind, OrgKind

# The billable actions, in process order; each is a DocumentKind (the document the step yields).
ACTIONS: tuple[DocumentKind, ...] = (
    DocumentKind.RIHG,
    DocumentKind.BESCHIKKING,
    DocumentKind.PROCES_VERBAAL,
    DocumentKind.ZORGADVIES,
    DocumentKind.BELEIDSADVIES,
    DocumentKind.INTREKKING,
    DocumentKind.VERLENGING,
    DocumentKind.HERSTEL,
)
ACTION_ITEMS = {
    DocumentKind.RIHG: "RiHG",
    DocumentKind.BESCHIKKING: "Beschikking opleggen",
    DocumentKind.PROCES_VERBAAL: "Proces-verbaal",
    DocumentKind.ZORGADVIES: "Zorgadvies",
    DocumentKind.BELEIDSADVIES: "Beleidsadvies",
    DocumentKind.INTREKKING: "Beschikking intrekken",
    DocumentKind.VERLENGING: "Beschikking verlengen",
    DocumentKind.HERSTEL: "Herstelbeschikking",
}
DEFAULT_SHARED = (
    OrgKind.POLITIE.value,
    OrgKind.CASEMANAGEMENT.value,
    OrgKind.VEILIGHEIDSHUIS.value,
)
MONTHS = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


class BillingError(DomainError):
    """A bad tariff table or period, as a Dutch message."""


# --- the tariff table ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tariff:
    connection: int  # cents, once per new account
    organisation_month: int  # cents per organisation per month
    account_month: int  # cents per account per month
    per_action: Mapping[str, int]  # DocumentKind value -> cents
    shared_kinds: tuple[str, ...] = DEFAULT_SHARED  # OrgKind values shared by population
    name: str = ""


_SECTIONS = {
    "abonnement": ("aansluiting_per_account", "per_organisatie_per_maand", "per_account_per_maand"),
    "handelingen": tuple(k.value for k in ACTIONS),
    "verdeling": ("gedeelde_organisaties",),
}


def _cents(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise BillingError(f"tarieven: {where} moet een bedrag in euro's zijn, bv. 12.50")
    text = repr(value) if isinstance(value, float) else str(value).strip()
    if not re.fullmatch(r"\d+(\.\d+)?", text):
        raise BillingError(
            f"tarieven: {where} = {value!r} is geen bedrag in euro's "
            "(niet negatief, decimale punt, bv. 12.50)"
        )
    amount = Decimal(text) * 100
    if amount != amount.to_integral_value():
        raise BillingError(f"tarieven: {where} = {value!r} heeft meer dan twee decimalen")
    return int(amount)


def parse_tariff(text: str) -> Tariff:
    """Read and check a tariff table (see ``hvo_tui/tarieven.toml``). Every key is required; an
    unknown key is refused, so a typo never silently makes something free."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BillingError(f"tarieven: geen geldige TOML: {exc}") from None
    known = {"naam", *_SECTIONS}
    for key in data:
        if key not in known:
            raise BillingError(
                f"tarieven: onbekende sleutel '{key}' (verwacht: {', '.join(sorted(known))})"
            )
    name = data.get("naam", "")
    if not isinstance(name, str):
        raise BillingError("tarieven: 'naam' moet tekst zijn")
    sections = {}
    for section, keys in _SECTIONS.items():
        table = data.get(section)
        if not isinstance(table, dict):
            raise BillingError(f"tarieven: de tabel [{section}] ontbreekt")
        for key in table:
            if key not in keys:
                raise BillingError(
                    f"tarieven: onbekende sleutel '{key}' in [{section}] "
                    f"(verwacht: {', '.join(keys)})"
                )
        for key in keys:
            if key not in table:
                raise BillingError(f"tarieven: '{key}' ontbreekt in [{section}]")
        sections[section] = table
    sub = sections["abonnement"]
    shared = sections["verdeling"]["gedeelde_organisaties"]
    kinds = {k.value for k in OrgKind}
    if not isinstance(shared, list) or not all(isinstance(k, str) for k in shared):
        raise BillingError(
            "tarieven: [verdeling] gedeelde_organisaties moet een lijst van "
            'soorten organisaties zijn, bv. ["politie", "casemanagement"]'
        )
    for kind in shared:
        if kind not in kinds or kind == OrgKind.GEMEENTE.value:
            raise BillingError(
                f"tarieven: [verdeling] onbekende of onmogelijke soort '{kind}' "
                f"(kies uit: {', '.join(sorted(kinds - {'gemeente'}))})"
            )
    return Tariff(
        connection=_cents(sub["aansluiting_per_account"], "[abonnement] aansluiting_per_account"),
        organisation_month=_cents(
            sub["per_organisatie_per_maand"], "[abonnement] per_organisatie_per_maand"
        ),
        account_month=_cents(sub["per_account_per_maand"], "[abonnement] per_account_per_maand"),
        per_action={k: _cents(v, f"[handelingen] {k}") for k, v in sections["handelingen"].items()},
        shared_kinds=tuple(shared),
        name=name,
    )


# --- the period ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Period:
    """Whole local days from ``start`` up to (not including) ``end``."""

    label: str
    start: date
    end: date

    def months(self) -> tuple[tuple[int, int], ...]:
        out, y, m = [], self.start.year, self.start.month
        while date(y, m, 1) < self.end:
            out.append((y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return tuple(out)

    def bounds(self) -> tuple[datetime, datetime]:
        """The period as aware moments: local midnight at the start and at the (exclusive) end."""
        return _midnight(self.start), _midnight(self.end)

    @property
    def last_day(self) -> date:
        return date.fromordinal(self.end.toordinal() - 1)

    def describe(self) -> str:
        return f"{self.start:%d-%m-%Y} t/m {self.last_day:%d-%m-%Y}"


def _midnight(day: date) -> pendulum.DateTime:
    return pendulum.datetime(day.year, day.month, day.day, tz=TZ)


def _next_month(y: int, m: int) -> date:
    return date(y + 1, 1, 1) if m == 12 else date(y, m + 1, 1)


def parse_period(text: str) -> Period:
    """``2026-Q3`` (a quarter), ``2026-07`` (a month) or ``2026`` (a year)."""
    raw = text.strip().upper()
    if match := re.fullmatch(r"(\d{4})-?Q([1-4])", raw):
        y, q = int(match[1]), int(match[2])
        start = date(y, 3 * q - 2, 1)
        return Period(f"{y}-Q{q}", start, _next_month(y, 3 * q))
    if match := re.fullmatch(r"(\d{4})-(\d{1,2})", raw):
        y, m = int(match[1]), int(match[2])
        if 1 <= m <= 12:
            return Period(f"{y}-{m:02d}", date(y, m, 1), _next_month(y, m))
    if re.fullmatch(r"\d{4}", raw):
        y = int(raw)
        return Period(raw, date(y, 1, 1), date(y + 1, 1, 1))
    raise BillingError(
        f"onbekende periode '{text}': gebruik een kwartaal (2026-Q3), een maand "
        "(2026-07) of een jaar (2026)"
    )


# --- the use of a region (filled by the store) ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class MunicipalityInfo:
    id: int
    name: str
    population: int
    population_year: int | None = None


@dataclass(frozen=True, slots=True)
class AccountUse:
    username: str
    full_name: str
    created_at: datetime
    deactivated_at: datetime | None = None
    bestuurlijk: bool = False
    active: bool = True


@dataclass(frozen=True, slots=True)
class OrganisationUse:
    id: int
    name: str
    kind: str  # OrgKind value
    municipality_id: int | None
    accounts: tuple[AccountUse, ...] = ()


@dataclass(frozen=True, slots=True)
class ActionUse:
    """``count`` billable steps of ``kind`` on one case in the period."""

    municipality_id: int
    kind: str  # DocumentKind value
    case_number: str
    count: int = 1


@dataclass(frozen=True, slots=True)
class RegionUsage:
    region: str
    municipalities: tuple[MunicipalityInfo, ...]
    organisations: tuple[OrganisationUse, ...]
    actions: tuple[ActionUse, ...] = ()


# --- the invoice ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    item: str
    count: int | None  # None: not a count times a unit price (the share of the shared pot)
    unit: int | None  # cents
    amount: int  # cents
    explanation: str
    cases: tuple[str, ...] = ()  # for actions: the case numbers counted (a case twice if twice)
    party: str = ""  # the organisation whose accounts the line is about


@dataclass(frozen=True, slots=True)
class Statement:
    municipality: str
    population: int
    lines: tuple[InvoiceLine, ...]

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)

    @property
    def own(self) -> int:
        return sum(line.amount for line in self.lines if line.count is not None)

    @property
    def share(self) -> int:
        return sum(line.amount for line in self.lines if line.count is None)


@dataclass(frozen=True, slots=True)
class Invoice:
    region: str
    period: Period
    tariff_name: str
    statements: tuple[Statement, ...]
    shared_lines: tuple[InvoiceLine, ...]
    population: int
    not_billed: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def shared_total(self) -> int:
        return sum(line.amount for line in self.shared_lines)

    @property
    def total(self) -> int:
        return sum(s.total for s in self.statements)


def _months_label(months: Sequence[tuple[int, int]]) -> str:
    if not months:
        return "geen"
    by_year: dict[int, list[str]] = defaultdict(list)
    for y, m in months:
        by_year[y].append(MONTHS[m - 1])
    return "; ".join(f"{', '.join(ms)} {y}" for y, ms in by_year.items())


def _day(moment: datetime) -> str:
    return format_date(moment)


@dataclass(slots=True)
class _OrgCost:
    """What one organisation's accounts cost in the period, with the explanation lines."""

    org: OrganisationUse
    lines: list[InvoiceLine]
    free: list[str]


def _account_months(acc: AccountUse, period: Period) -> list[tuple[int, int]]:
    if not acc.active and acc.deactivated_at is None:
        return []  # inactive without a date: never billed
    out = []
    for y, m in period.months():
        start, end = _midnight(date(y, m, 1)), _midnight(_next_month(y, m))
        if acc.created_at < end and (acc.deactivated_at is None or acc.deactivated_at > start):
            out.append((y, m))
    return out


def _org_cost(org: OrganisationUse, period: Period, tariff: Tariff) -> _OrgCost:
    start, end = period.bounds()
    lines: list[InvoiceLine] = []
    free = [
        f"{a.username} ({a.full_name})"
        for a in org.accounts
        if a.bestuurlijk and a.created_at < end
    ]
    billable = sorted((a for a in org.accounts if not a.bestuurlijk), key=lambda a: a.username)
    new = [a for a in billable if start <= a.created_at < end]
    if new:
        created = ", ".join(f"{a.username} (aangemaakt {_day(a.created_at)})" for a in new)
        lines.append(
            InvoiceLine(
                "Aansluiting nieuwe accounts",
                len(new),
                tariff.connection,
                len(new) * tariff.connection,
                f"{org.name}: {created}",
                party=org.name,
            )
        )
    per_account = [(a, _account_months(a, period)) for a in billable]
    per_account = [(a, ms) for a, ms in per_account if ms]
    org_months = sorted({m for _, ms in per_account for m in ms})
    if org_months:
        lines.append(
            InvoiceLine(
                "Maandprijs organisatie",
                len(org_months),
                tariff.organisation_month,
                len(org_months) * tariff.organisation_month,
                f"{org.name}: {_plural(len(org_months), 'maand', 'maanden')} met een actief "
                "account "
                f"({_months_label(org_months)})",
                party=org.name,
            )
        )
        n = sum(len(ms) for _, ms in per_account)
        parts = []
        for a, ms in per_account:
            detail = f"{a.username} {len(ms)}"
            if a.deactivated_at is not None and a.deactivated_at < end:
                detail += f" (gedeactiveerd {_day(a.deactivated_at)})"
            elif a.created_at >= start:
                detail += f" (vanaf {_day(a.created_at)})"
            parts.append(detail)
        lines.append(
            InvoiceLine(
                "Maandprijs accounts",
                n,
                tariff.account_month,
                n * tariff.account_month,
                f"{org.name}: {_plural(len(per_account), 'account', 'accounts')}, samen "
                f"{_plural(n, 'accountmaand', 'accountmaanden')}: {', '.join(parts)}",
                party=org.name,
            )
        )
    return _OrgCost(org, lines, free)


def _percent(part: int, whole: int) -> str:
    value = Decimal(part * 100) / Decimal(whole) if whole else Decimal(0)
    return f"{value.quantize(Decimal('0.01'))}".replace(".", ",") + " %"


def cases_label(numbers: Sequence[str]) -> str:
    """``HV-2026-00012, HV-2026-00040 (2x)``: each case once, with how often it counted."""
    counts: dict[str, int] = {}
    for n in numbers:
        counts[n] = counts.get(n, 0) + 1
    return ", ".join(n if c == 1 else f"{n} ({c}x)" for n, c in sorted(counts.items()))


def _plural(n: int, one: str, more: str) -> str:
    return f"{n} {one if n == 1 else more}"


def _kind_label(kind: str) -> str:
    try:
        return OrgKind(kind).label
    except ValueError:
        return kind


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def compute_invoice(usage: RegionUsage, period: Period, tariff: Tariff) -> Invoice:
    """The statements of every municipality of the region, in name order."""
    munis = sorted(usage.municipalities, key=lambda m: m.name)
    by_id = {m.id: m for m in munis}
    own: dict[int, list[InvoiceLine]] = defaultdict(list)
    free: dict[int, list[str]] = defaultdict(list)
    shared_lines: list[InvoiceLine] = []
    not_billed: list[str] = []
    for org in sorted(usage.organisations, key=lambda o: o.name):
        cost = _org_cost(org, period, tariff)
        if org.kind == OrgKind.GEMEENTE.value and org.municipality_id in by_id:
            own[org.municipality_id].extend(cost.lines)
            free[org.municipality_id].extend(cost.free)
        elif org.kind in tariff.shared_kinds:
            shared_lines.extend(cost.lines)
        elif cost.lines:
            amount = sum(line.amount for line in cost.lines)
            not_billed.append(
                f"{org.name} ({_kind_label(org.kind)}): "
                f"{euros(Fraction(amount, 100), 2)} niet doorbelast (deze soort "
                "organisatie staat niet in [verdeling] gedeelde_organisaties)"
            )

    cases: dict[tuple[int, str], list[str]] = defaultdict(list)
    for act in usage.actions:
        cases[(act.municipality_id, act.kind)].extend([act.case_number] * act.count)

    pot = sum(line.amount for line in shared_lines)
    population = sum(m.population for m in munis)
    shares = apportion(pot, [m.population for m in munis]) if population else [0] * len(munis)
    years = sorted({m.population_year for m in munis if m.population_year})
    peil = f", peiljaar {'/'.join(map(str, years))}" if years else ""

    statements = []
    for muni, share in zip(munis, shares, strict=False):
        lines = list(own.get(muni.id, []))
        if free.get(muni.id):
            lines.append(
                InvoiceLine(
                    "Bestuurlijke accounts",
                    len(free[muni.id]),
                    0,
                    0,
                    "gedeeld met het systeem voor verplichte ggz, geen kosten: "
                    + ", ".join(free[muni.id]),
                )
            )
        for kind in ACTIONS:
            numbers = sorted(cases.get((muni.id, kind.value), []))
            if not numbers:
                continue
            unit = tariff.per_action.get(kind.value, 0)
            verb = (
                "genomen"
                if kind
                in (
                    DocumentKind.BESCHIKKING,
                    DocumentKind.INTREKKING,
                    DocumentKind.VERLENGING,
                    DocumentKind.HERSTEL,
                )
                else "ontvangen"
            )
            lines.append(
                InvoiceLine(
                    ACTION_ITEMS[kind],
                    len(numbers),
                    unit,
                    len(numbers) * unit,
                    f"{len(numbers)} x {kind.label} {verb} van {period.describe()}, in "
                    f"{_plural(len(set(numbers)), 'zaak', 'zaken')} van {muni.name}",
                    tuple(numbers),
                )
            )
        if pot:
            lines.append(
                InvoiceLine(
                    "Aandeel partneraccounts",
                    None,
                    None,
                    share,
                    f"{_thousands(muni.population)} van {_thousands(population)} inwoners{peil} "
                    f"= {_percent(muni.population, population)} van {euros(Fraction(pot, 100), 2)} "
                    f"(grootste-restmethode in centen; exact "
                    f"{euros(Fraction(pot * muni.population, 100 * population), 4)})",
                )
            )
        statements.append(Statement(muni.name, muni.population, tuple(lines)))
    notes = (
        f"Periode {period.label}: {period.describe()} (Europe/Amsterdam).",
        "Handelingen tellen per zaak van de gemeente; een stap telt één keer, ook als er zowel "
        "een document als een gebeurtenis van is.",
        "Bestuurlijke accounts kosten niets: geen aansluiting, geen maandprijs.",
        "Gedeelde partneraccounts ("
        + ", ".join(_kind_label(k) for k in tariff.shared_kinds)
        + ") worden naar inwoners verdeeld; "
        "de aandelen tellen precies op tot het totaal van de gedeelde kosten.",
    )
    invoice = Invoice(
        usage.region,
        period,
        tariff.name,
        tuple(statements),
        tuple(shared_lines),
        population,
        tuple(not_billed),
        notes,
    )
    assert invoice.total == sum(s.own for s in statements) + (pot if population else 0)
    return invoice
