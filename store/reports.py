"""The statistics queries (issue 8): SQLAlchemy Core, set-based, on SQLite and PostgreSQL.

Every report is a handful of GROUP BY queries; the groups go to the builders of
``hvo_tui.domain.statistics``, which hold the rules (what counts as a ban, a withdrawal, late; the
local calendar; percentiles). Moments are grouped by their local month and hour ("YYYY-MM HH",
at most 288 groups a year), which serves both the months and the hours of the day. Lead times are
computed in SQL as seconds; PostgreSQL takes the median and p90 in the GROUP BY
(``percentile_cont``), SQLite returns the seconds and the domain takes them (see ``_quantiles``).

``Reports`` is a repository of ``SqlStore`` (store/database.py): it honours the store's scope (the
account's cases, as the queue does) and its one clock (what "now" is for documents still missing).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    String,
    and_,
    case,
    extract,
    false,
    func,
    literal,
    or_,
    select,
    true,
    type_coerce,
)
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from hvo_tui.domain.localtime import TZ_NAME
from hvo_tui.domain.statistics import (
    REPORTS,
    LateCounts,
    LeadTime,
    MunicipalityCounts,
    PostcodeMap,
    ReportFilter,
    ReportTable,
    cross_table,
    hours_table,
    late_table,
    lead_times_table,
    monthly_table,
    municipality_table,
    shares_table,
    unknown_report,
)
from hvo_tui.domain.vocab import CaseStatus, DocumentKind, DocumentStatus, PersonRole

from .database import Repository
from .interface import UnknownReport
from .models import Account, Case, CasePerson, Document, Municipality, Organisation, Region
from .scope import case_scope_clause

C = Case.__table__.c
M = Municipality.__table__.c
R = Region.__table__.c
D = Document.__table__.c
P = CasePerson.__table__.c
A = Account.__table__.c
ORG = Organisation.__table__.c

_IN = (DocumentStatus.RECEIVED.value, DocumentStatus.SIGNED.value)


# --- dialect-specific expressions ---------------------------------------------------------------


def local_hour_key(conn: Connection, column) -> ColumnElement:
    """The moment's Europe/Amsterdam month and hour as text "YYYY-MM HH", computed in SQL.

    PostgreSQL converts with its time zone database. SQLite has none, so the EU rule that the
    Netherlands follow (since 1996) is written out: summer time (UTC+2) from the last Sunday of
    March 01:00 UTC to the last Sunday of October 01:00 UTC, else UTC+1; "the last Sunday" is the
    first Sunday on or after the 25th. tests/test_reports.py checks it against zoneinfo for every
    hour of several years."""
    if conn.dialect.name == "sqlite":
        # UTCDateTime stores UTC text "YYYY-MM-DD HH:MM:SS.ffffff" on SQLite.
        text = type_coerce(column, String)
        year = type_coerce(func.substr(text, 1, 4), String)
        start = type_coerce(func.date(year + "-03-25", "weekday 0"), String) + " 01:00:00"
        end = type_coerce(func.date(year + "-10-25", "weekday 0"), String) + " 01:00:00"
        offset = case((and_(text >= start, text < end), "+2 hours"), else_="+1 hours")
        return type_coerce(func.strftime("%Y-%m %H", text, offset), String)
    return type_coerce(func.to_char(func.timezone(TZ_NAME, column), "YYYY-MM HH24"), String)


def seconds_between(conn: Connection, start, end) -> ColumnElement:
    """``end - start`` in seconds (a float)."""
    if conn.dialect.name == "sqlite":
        return (
            func.julianday(type_coerce(end, String)) - func.julianday(type_coerce(start, String))
        ) * 86400.0
    return extract("epoch", end - start)


def _in_period(column, lo: datetime | None, hi: datetime | None) -> ColumnElement:
    parts = [column.is_not(None)]
    if lo is not None:
        parts.append(column >= lo)
    if hi is not None:
        parts.append(column < hi)
    return and_(*parts)


def _quantiles(conn: Connection, group, value, from_, where) -> dict[Any, LeadTime]:
    """Per ``group`` (None: one group): how many values, their median and p90.

    PostgreSQL computes them in the GROUP BY (``percentile_cont``, the definition the domain's
    ``percentile`` follows). SQLite has no percentiles, and ranking in a window function there
    costs more than reading the one column of seconds (about 170,000 values for 100,000 cases),
    so there the values come back and the domain computes the same percentiles."""
    if conn.dialect.name == "postgresql":
        cols = [] if group is None else [group]
        query = (
            select(
                *cols,
                func.count(),
                func.percentile_cont(0.5).within_group(value),
                func.percentile_cont(0.9).within_group(value),
            )
            .select_from(from_)
            .where(where)
        )
        if group is not None:
            query = query.group_by(group)
        out = {}
        for row in conn.execute(query):
            key = None if group is None else row[0]
            n, med, p90_ = row[-3:]
            if n:
                out[key] = LeadTime(int(n), float(med), float(p90_))
        return out
    cols = [literal(None, String) if group is None else group, value]
    found: dict[Any, list[float]] = defaultdict(list)
    for key, seconds in conn.execute(select(*cols).select_from(from_).where(where)):
        found[key].append(float(seconds))
    return {key: LeadTime.of(values) for key, values in found.items()}


def _count_if(condition) -> ColumnElement:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


@dataclass(frozen=True, slots=True)
class _Muni:
    id: int
    name: str
    region: str
    population: int
    postcodes: str | None


class Reports(Repository):
    """The statistics of issue 8 for ``SqlStore``.

    Region and municipality filters become a list of municipality ids first (33 rows for three
    regions), so the counting queries group ``hvo_case`` (and ``document``) by ids without joining
    the reference tables; names are put back here."""

    def report(self, name: str, flt: ReportFilter) -> ReportTable:
        """One report by its name (``REPORTS``); ``UnknownReport`` for another name."""
        return self.reports([name], flt)[name]

    def reports(self, names: Iterable[str], flt: ReportFilter) -> dict[str, ReportTable]:
        """Several reports over one connection; queries shared between them run once."""
        names = list(names)
        for name in names:
            if name not in REPORTS:
                raise UnknownReport(unknown_report(name))
        return self._guard(self._reports, names, flt)

    def report_areas(self) -> dict[str, list[str]]:
        """Region -> its municipalities (sorted), for the filters of the statistics screen.
        Limited to the account's regions when it has a region scope."""
        return self._guard(self._report_areas)

    # --- implementation -------------------------------------------------------------------------

    def _region_scope(self) -> frozenset[str] | None:
        return None if self.scope is None else self.scope.regions

    def _own_municipality(self, conn: Connection) -> int | None:
        """A municipal account's (a bestuurder's, a gemeente's) municipality: its organisation's.
        None for a regional or national scope, or an organisation without a municipality (which
        falls back to the account's regions, as ``Scope`` says)."""
        scope = self.scope
        if scope is None or not scope.municipal or scope.organisation_id is None:
            return None
        return conn.execute(
            select(ORG.municipality_id).where(ORG.id == scope.organisation_id)
        ).scalar()

    def _sees_municipality(self, m: _Muni, own: int | None) -> bool:
        if own is not None:
            return m.id == own
        regions = self._region_scope()
        return regions is None or m.region in regions

    def _report_areas(self) -> dict[str, list[str]]:
        with self.engine.connect() as conn:
            munis = _municipalities(conn)
            own = self._own_municipality(conn)
        out: dict[str, list[str]] = defaultdict(list)
        for m in sorted(munis.values(), key=lambda m: (m.region, m.name)):
            if self._sees_municipality(m, own):
                out[m.region].append(m.name)
        return dict(out)

    def _reports(self, names: list[str], flt: ReportFilter) -> dict[str, ReportTable]:
        out: dict[str, ReportTable] = {}
        cache: dict[str, Any] = {}
        with self.engine.connect() as conn:
            munis = _municipalities(conn)
            chosen = [
                m
                for m in munis.values()
                if (not flt.region or m.region == flt.region)
                and (not flt.municipality or m.name == flt.municipality)
            ]
            area = self._area(flt, chosen)

            def once(key, fn):
                if key not in cache:
                    cache[key] = fn(conn, flt, area)
                return cache[key]

            for name in names:
                if name == "per-maand":
                    out[name] = monthly_table(
                        flt,
                        once("opened", self._opened_hours),
                        once("imposed", self._imposed_hours),
                    )
                elif name == "tijdstip":
                    out[name] = hours_table(flt, once("imposed", self._imposed_hours))
                elif name in ("per-gemeente", "aandelen"):
                    counts = once("munis", self._municipality_counts)
                    groups = self._with_zeros(counts, munis, chosen)
                    build = municipality_table if name == "per-gemeente" else shares_table
                    out[name] = build(flt, groups)
                elif name == "doorlooptijden":
                    ext, docs = self._lead_times(conn, flt, area)
                    out[name] = lead_times_table(flt, ext, docs)
                elif name == "kruistabel":
                    groups = [
                        (munis[mid].name, pc4, n)
                        for mid, pc4, n in self._residence_groups(conn, flt, area)
                    ]
                    postcodes = PostcodeMap.from_specs(
                        {m.name: m.postcodes for m in munis.values()}
                    )
                    out[name] = cross_table(flt, groups, postcodes)
                elif name == "te-laat":
                    out[name] = late_table(flt, self._late_counts(conn, flt, area, munis))
        return out

    def _area(self, flt: ReportFilter, chosen: list[_Muni]) -> ColumnElement:
        """The cases of the chosen municipalities (no clause without a region or municipality
        filter) that the account may see."""
        parts = []
        if flt.region or flt.municipality:
            parts.append(C.municipality_id.in_(sorted(m.id for m in chosen)) if chosen else false())
        if self.scope is not None:
            parts.append(case_scope_clause(self.scope))
        return and_(true(), *parts)

    def _with_zeros(
        self, counts: dict[int, MunicipalityCounts], munis: dict[int, _Muni], chosen: list[_Muni]
    ) -> list[MunicipalityCounts]:
        """Every chosen municipality (within the account's area), also those without cases:
        a 0 is an answer too."""
        with self.engine.connect() as conn:
            own = self._own_municipality(conn)
        out = []
        for m in chosen:
            if m.id in counts:
                out.append(counts[m.id])
            elif self._sees_municipality(m, own):
                out.append(
                    MunicipalityCounts(name=m.name, region=m.region, population=m.population)
                )
        return out

    def _hours(self, conn: Connection, flt: ReportFilter, area, column) -> list[tuple[str, int]]:
        lo, hi = flt.bounds()
        key = local_hour_key(conn, column).label("key")
        query = (
            select(key, func.count().label("n"))
            .select_from(Case.__table__)
            .where(_in_period(column, lo, hi), area)
            .group_by(key)
        )
        return [(k, n) for k, n in conn.execute(query)]

    def _opened_hours(self, conn: Connection, flt: ReportFilter, area) -> list[tuple[str, int]]:
        return self._hours(conn, flt, area, C.opened_at)

    def _imposed_hours(self, conn: Connection, flt: ReportFilter, area) -> list[tuple[str, int]]:
        return self._hours(conn, flt, area, C.imposed_at)

    def _municipality_counts(
        self, conn: Connection, flt: ReportFilter, area
    ) -> dict[int, MunicipalityCounts]:
        lo, hi = flt.bounds()
        opened = _in_period(C.opened_at, lo, hi)
        imposed = _in_period(C.imposed_at, lo, hi)
        withdrawal_on_file = select(D.case_id).where(
            D.kind == DocumentKind.INTREKKING.value, D.status.in_(_IN)
        )
        withdrawn = or_(C.status == CaseStatus.WITHDRAWN.value, C.id.in_(withdrawal_on_file))
        query = (
            select(
                C.municipality_id,
                _count_if(opened).label("screenings"),
                _count_if(and_(opened, C.imposed_at.is_not(None))).label("with_ban"),
                _count_if(imposed).label("bans"),
                _count_if(and_(imposed, C.extended_until.is_not(None))).label("extended"),
                _count_if(and_(imposed, withdrawn)).label("withdrawn"),
            )
            .where(or_(opened, imposed), area)
            .group_by(C.municipality_id)
        )
        munis = _municipalities(conn)
        out = {}
        for row in conn.execute(query):
            m = munis[row.municipality_id]
            out[m.id] = MunicipalityCounts(
                name=m.name,
                region=m.region,
                population=m.population,
                screenings=int(row.screenings),
                screenings_with_ban=int(row.with_ban),
                bans=int(row.bans),
                extended=int(row.extended),
                withdrawn=int(row.withdrawn),
            )
        return out

    def _lead_times(
        self, conn: Connection, flt: ReportFilter, area
    ) -> tuple[LeadTime, dict[str, LeadTime]]:
        lo, hi = flt.bounds()
        ext = _quantiles(
            conn,
            None,
            seconds_between(conn, C.imposed_at, C.extension_decided_at),
            Case.__table__,
            and_(
                _in_period(C.imposed_at, lo, hi),
                C.extension_decided_at.is_not(None),
                C.extension_decided_at >= C.imposed_at,
                area,
            ),
        )
        docs = _quantiles(
            conn,
            D.kind,
            seconds_between(conn, D.requested_at, D.received_at),
            Document.__table__.join(Case.__table__, C.id == D.case_id),
            and_(
                _in_period(D.requested_at, lo, hi),
                D.received_at.is_not(None),
                D.received_at >= D.requested_at,
                area,
            ),
        )
        return ext.get(None, LeadTime()), {k: v for k, v in docs.items() if k is not None}

    def _residence_groups(
        self, conn: Connection, flt: ReportFilter, area
    ) -> list[tuple[int, str | None, int]]:
        """(municipality id of imposition, first four postcode digits of the banned person, n)."""
        lo, hi = flt.bounds()
        pc4 = type_coerce(func.substr(P.postcode, 1, 4), String).label("pc4")
        banned = and_(P.case_id == C.id, P.role == PersonRole.UITHUISGEPLAATSTE.value)
        query = (
            select(C.municipality_id, pc4, func.count().label("n"))
            .select_from(Case.__table__.outerjoin(CasePerson.__table__, banned))
            .where(_in_period(C.imposed_at, lo, hi), area)
            .group_by(C.municipality_id, pc4)
        )
        return [(mid, pc, n) for mid, pc, n in conn.execute(query)]

    def _late_counts(
        self, conn: Connection, flt: ReportFilter, area, munis: dict[int, _Muni]
    ) -> list[LateCounts]:
        lo, hi = flt.bounds()
        now = self.now()
        late_received = and_(D.received_at.is_not(None), D.received_at > D.due_at)
        late_open = and_(D.received_at.is_(None), D.due_at < now)
        # The partner: the account it was requested from, else the account that delivered it.
        partner = func.coalesce(D.requested_from_account_id, D.author_account_id).label("partner")
        query = (
            select(
                partner,
                D.requested_from_role,
                C.municipality_id,
                func.count().label("due"),
                _count_if(late_received).label("late_received"),
                _count_if(late_open).label("late_open"),
            )
            .select_from(Document.__table__.join(Case.__table__, C.id == D.case_id))
            .where(_in_period(D.due_at, lo, hi), area)
            .group_by(partner, D.requested_from_role, C.municipality_id)
        )
        rows = conn.execute(query).all()
        accounts = {r.partner for r in rows if r.partner is not None}
        organisation = (
            dict(
                conn.execute(
                    select(A.id, ORG.name)
                    .join(Organisation.__table__, ORG.id == A.organisation_id)
                    .where(A.id.in_(sorted(accounts)))
                ).all()
            )
            if accounts
            else {}
        )
        return [
            LateCounts(
                organisation=organisation.get(pid),
                role=role,
                municipality=munis[mid].name,
                due=int(due),
                late_received=int(lr),
                late_open=int(lo_),
            )
            for pid, role, mid, due, lr, lo_ in rows
        ]


def _municipalities(conn: Connection) -> dict[int, _Muni]:
    rows = conn.execute(
        select(M.id, M.name, R.name, M.population, M.postcodes).join(
            Region.__table__, R.id == M.region_id
        )
    )
    return {
        mid: _Muni(mid, name, region, population, postcodes)
        for mid, name, region, population, postcodes in rows
    }


__all__ = ["Reports", "UnknownReport", "local_hour_key", "seconds_between"]
