"""Which cases an account sees, as a WHERE clause on ``hvo_case``, for queries and every write.

The rule itself is ``hvo_tui.domain.permissions.Scope.sees``; this is its SQL. ``account_scope``
reads an account's scope from the database (its roles, regions and organisation), for the queries
of the account administration and for the scope check of every case write. A module of its own
below accounts, case writes and reports, so each imports it at the top.
"""

from __future__ import annotations

from sqlalchemy import and_, false, or_, select, true
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from hvo_tui.domain.permissions import Scope, scope_for

from .models import (
    Account,
    AccountRegion,
    AccountRole,
    Case,
    CasePartner,
    Municipality,
    Organisation,
    Region,
)

A = Account.__table__.c
C = Case.__table__.c
CP = CasePartner.__table__.c
M = Municipality.__table__.c
ORG = Organisation.__table__.c
R = Region.__table__.c
AR = AccountRole.__table__.c
AGt = AccountRegion.__table__
AG = AGt.c

NOTHING = Scope(regions=frozenset(), own_cases_only=True)  # an inactive or unknown account


def case_scope_clause(scope: Scope) -> ColumnElement[bool]:
    """A WHERE clause on ``hvo_case`` keeping exactly the cases ``scope`` sees (the rule of
    ``Scope.sees``): cases where the account or an account of its organisation is a current
    partner (``ended_at`` empty), plus, unless ``own_cases_only``, the account's area: its
    organisation's municipality (``municipal``; an organisation without one falls back to the
    regions) or its regions (None: all)."""
    partner_accounts = []
    if scope.account_id is not None:
        partner_accounts.append(A.id == scope.account_id)
    if scope.organisation_id is not None:
        partner_accounts.append(A.organisation_id == scope.organisation_id)
    clauses = []
    if partner_accounts:
        # One IN over the accounts (not "= me OR IN my organisation's"): PostgreSQL then reads
        # case_partner by its account index instead of scanning it (the queue's hot query).
        clauses.append(
            C.id.in_(
                select(CP.case_id)
                .where(
                    CP.ended_at.is_(None),
                    CP.account_id.in_(select(A.id).where(or_(*partner_accounts)).correlate(None)),
                )
                .correlate(None)
            )
        )  # never correlate with a query that itself joins these tables
    if not scope.own_cases_only:
        if scope.regions is None:
            in_regions = true()
        elif not scope.regions:
            in_regions = false()
        else:
            in_regions = C.municipality_id.in_(
                select(M.id)
                .join(Region.__table__, R.id == M.region_id)
                .where(R.name.in_(sorted(scope.regions)))
                .correlate(None)
            )
        if scope.municipal and scope.organisation_id is not None:
            own_municipality = (
                select(ORG.municipality_id)
                .where(ORG.id == scope.organisation_id)
                .correlate(None)
                .scalar_subquery()
            )
            clauses.append(
                or_(
                    and_(own_municipality.is_not(None), C.municipality_id == own_municipality),
                    and_(own_municipality.is_(None), in_regions),
                )
            )
        else:
            clauses.append(in_regions)
    return or_(*clauses) if clauses else false()


def roles_of(conn: Connection, account_id: int) -> tuple[str, ...]:
    """The account's roles, sorted."""
    return tuple(sorted(conn.execute(select(AR.role).where(AR.account_id == account_id)).scalars()))


def regions_of(conn: Connection, account_id: int) -> tuple[str, ...]:
    """The names of the account's regions, sorted."""
    return tuple(
        sorted(
            conn.execute(
                select(R.name).join(AGt, AG.region_id == R.id).where(AG.account_id == account_id)
            ).scalars()
        )
    )


def account_scope(conn: Connection, account_id: int) -> Scope:
    """The scope of an active account, from its roles, regions and organisation in the database
    (not from what a caller claims). An inactive or unknown account sees nothing."""
    row = conn.execute(select(A.active, A.organisation_id).where(A.id == account_id)).one_or_none()
    if row is None or not row.active:
        return NOTHING
    return scope_for(
        roles_of(conn, account_id),
        regions_of(conn, account_id),
        row.organisation_id,
        account_id=account_id,
    )
