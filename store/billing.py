"""What a region used in a period, for the invoice (``hvo_tui.domain.billing`` computes it).

A handful of set-based queries, no per-case loop:

- the region's municipalities (name, population, peiljaar);
- its organisations (``region_id`` of the region, or linked to one of its municipalities) and
  their accounts created before the period's end (the domain decides which months count);
- the billable steps on the cases of its municipalities in the period, per case and kind, from
  two sources: the ``document`` table (a RiHG, proces-verbaal, advice received, a beschikking
  signed: status received or signed, ``received_at`` in the period) and the ``event`` log (the
  decisions taken in the app or imported: impose, extend, withdraw, herstel). A step is charged
  once: per case and kind the larger of the two counts, so a decision with both a signed
  beschikking and its event is one step, and a decision logged without a document still counts.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

from sqlalchemy import func, or_, select

from hvo_tui.domain.billing import (
    ACTIONS,
    AccountUse,
    ActionUse,
    MunicipalityInfo,
    OrganisationUse,
    Period,
    RegionUsage,
)
from hvo_tui.domain.permissions import Permission, allowed
from hvo_tui.domain.vocab import DocumentKind, DocumentStatus

from .database import Repository
from .interface import Refused, StoreError
from .models import Account, Case, Document, Event, Municipality, Organisation, Region

A = Account.__table__.c
C = Case.__table__.c
D = Document.__table__.c
E = Event.__table__.c
M = Municipality.__table__.c
ORG = Organisation.__table__.c
R = Region.__table__.c

# Event actions that are a billable decision: the app's life-cycle actions (CaseAction values)
# and the names the demo and imports use.
EVENT_DECISIONS: dict[str, str] = {
    "impose": DocumentKind.BESCHIKKING.value,
    "case.imposed": DocumentKind.BESCHIKKING.value,
    "extend": DocumentKind.VERLENGING.value,
    "case.extended": DocumentKind.VERLENGING.value,
    "withdraw": DocumentKind.INTREKKING.value,
    "case.withdrawn": DocumentKind.INTREKKING.value,
    "herstel": DocumentKind.HERSTEL.value,
    "case.herstel": DocumentKind.HERSTEL.value,
}
_IN = (DocumentStatus.RECEIVED.value, DocumentStatus.SIGNED.value)


def _utc(moment: datetime) -> datetime:
    u = moment.astimezone(UTC)
    return datetime(u.year, u.month, u.day, u.hour, u.minute, u.second, u.microsecond, tzinfo=UTC)


def region_names(engine) -> list[str]:
    """The names of all regions, in order."""
    with engine.connect() as conn:
        return list(conn.execute(select(R.name).order_by(R.name)).scalars())


def region_usage(engine, region: str, period: Period) -> RegionUsage:
    """The use of ``region`` (its name, any case) in ``period``; StoreError if unknown."""
    start, end = (_utc(m) for m in period.bounds())
    with engine.connect() as conn:
        found = conn.execute(
            select(R.id, R.name).where(func.lower(R.name) == region.strip().lower())
        ).first()
        if found is None:
            names = conn.execute(select(R.name).order_by(R.name)).scalars().all()
            raise StoreError(f"onbekende regio '{region}' (bekend: {', '.join(names) or 'geen'})")
        munis = tuple(
            MunicipalityInfo(r.id, r.name, r.population, r.population_year)
            for r in conn.execute(
                select(M.id, M.name, M.population, M.population_year)
                .where(M.region_id == found.id)
                .order_by(M.name)
            )
        )
        muni_ids = [m.id for m in munis]
        org_rows = conn.execute(
            select(ORG.id, ORG.name, ORG.kind, ORG.municipality_id)
            .where(or_(ORG.region_id == found.id, ORG.municipality_id.in_(muni_ids)))
            .order_by(ORG.name)
        ).all()
        accounts: dict[int, list[AccountUse]] = defaultdict(list)
        if org_rows:
            for r in conn.execute(
                select(
                    A.organisation_id,
                    A.username,
                    A.full_name,
                    A.created_at,
                    A.deactivated_at,
                    A.bestuurlijk,
                    A.active,
                )
                .where(A.organisation_id.in_([o.id for o in org_rows]), A.created_at < end)
                .order_by(A.username)
            ):
                accounts[r.organisation_id].append(
                    AccountUse(
                        username=r.username,
                        full_name=r.full_name,
                        created_at=r.created_at,
                        deactivated_at=r.deactivated_at,
                        bestuurlijk=bool(r.bestuurlijk),
                        active=bool(r.active),
                    )
                )
        orgs = tuple(
            OrganisationUse(o.id, o.name, o.kind, o.municipality_id, tuple(accounts.get(o.id, ())))
            for o in org_rows
        )
        actions = _actions(conn, muni_ids, start, end) if muni_ids else ()
    return RegionUsage(found.name, munis, orgs, actions)


class BillingQueries(Repository):
    """The store interface's billing methods,
    for an account with ``Permission.INVOICE`` (the beheerder); others are refused here too.
    (``hvo costs invoice`` calls ``region_usage`` itself: whoever may open the database from the
    shell may read its use, as with ``hvo accounts``.)"""

    def billing_regions(self, actor) -> list[str]:
        _may_invoice(actor)
        return [name for name in region_names(self.engine) if self._may_bill(name)]

    def billing_usage(self, actor, region: str, period: Period) -> RegionUsage:
        _may_invoice(actor)
        if not self._may_bill(region):
            raise Refused(f"Regio {region} valt buiten de regio's van uw account.", "region")
        return region_usage(self.engine, region, period)

    def _may_bill(self, region: str) -> bool:
        """A beheerder invoices the regions of their own account (its scope); an unscoped store
        (the shell, the tests) all of them."""
        scope = self.scope
        return (
            scope is None
            or scope.regions is None
            or region.strip().lower() in {name.lower() for name in scope.regions}
        )


def _may_invoice(actor) -> None:
    if not allowed(actor.roles, Permission.INVOICE):
        raise Refused("Alleen een functioneel beheerder kan de rekening per gemeente opstellen.")


def _actions(conn, muni_ids: list[int], start: datetime, end: datetime) -> tuple[ActionUse, ...]:
    kinds = [k.value for k in ACTIONS]
    docs = conn.execute(
        select(C.id, C.number, C.municipality_id, D.kind, func.count().label("n"))
        .select_from(Document.__table__.join(Case.__table__, C.id == D.case_id))
        .where(
            C.municipality_id.in_(muni_ids),
            D.kind.in_(kinds),
            D.status.in_(_IN),
            D.received_at >= start,
            D.received_at < end,
        )
        .group_by(C.id, C.number, C.municipality_id, D.kind)
    ).all()
    events = conn.execute(
        select(C.id, C.number, C.municipality_id, E.action, func.count().label("n"))
        .select_from(Event.__table__.join(Case.__table__, C.id == E.case_id))
        .where(
            C.municipality_id.in_(muni_ids),
            E.action.in_(list(EVENT_DECISIONS)),
            E.at >= start,
            E.at < end,
        )
        .group_by(C.id, C.number, C.municipality_id, E.action)
    ).all()
    from_docs: dict[tuple[int, str], int] = defaultdict(int)
    from_events: dict[tuple[int, str], int] = defaultdict(int)
    where: dict[int, tuple[str, int]] = {}
    for r in docs:
        from_docs[(r.id, r.kind)] += r.n
        where[r.id] = (r.number, r.municipality_id)
    for r in events:
        from_events[(r.id, EVENT_DECISIONS[r.action])] += r.n
        where[r.id] = (r.number, r.municipality_id)
    out = []
    for key in sorted(set(from_docs) | set(from_events)):
        case_id, kind = key
        number, muni_id = where[case_id]
        out.append(
            ActionUse(muni_id, kind, number, max(from_docs.get(key, 0), from_events.get(key, 0)))
        )
    return tuple(out)
