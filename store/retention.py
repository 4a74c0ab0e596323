"""Retention (issue 9): finding the cases past their retention term and destroying them.

Which cases: ``hvo_tui.domain.retention`` decides from the case's dates and its region's
``retention_years``. How: through the store's own life-cycle writes, so a purge is exactly what a
beheerder's "archiveren" and "vernietigen" would do, with the same locking, permission checks and
events: a closed case is archived first, then destroyed (``CaseWrites._destroy``: persons and
notes removed, documents, meetings and reminders emptied, free text in the events' details
replaced and the rewrites recorded in the chained destroy event). The case row stays with its
status, municipality, T0 and decision moments, anonymous, for the statistics.

Each case is its own transaction: a failure (someone editing the case at that moment) leaves that
case as it was and the purge goes on; the next run picks it up again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pendulum
from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine

from hvo_tui.domain import RegionRules
from hvo_tui.domain.facts import CaseFacts
from hvo_tui.domain.localtime import format_date
from hvo_tui.domain.retention import (
    MIN_RETENTION_YEARS,
    last_decision,
    overdue_open,
    purgeable,
    retention_end,
)
from hvo_tui.domain.vocab import CaseKind, CaseStatus

from .chain import E
from .database import Repository, region_rules
from .interface import Actor, StoreError
from .models import Case, Municipality, Region, WriteKey

C = Case.__table__.c
M = Municipality.__table__.c
R = Region.__table__.c


@dataclass(frozen=True, slots=True)
class RetentionCase:
    case_id: int
    number: str
    status: str
    municipality: str
    region: str
    last_decision: datetime
    retention_end: datetime
    retention_years: int
    version: int


@dataclass(slots=True)
class PurgeResult:
    purged: list[RetentionCase] = field(default_factory=list)
    removed: dict[str, int] = field(default_factory=dict)  # rows cleared per kind, all cases
    rewritten_events: int = 0
    failed: list[tuple[RetentionCase, str]] = field(default_factory=list)


def retention_overview(
    engine: Engine, now: datetime
) -> tuple[list[RetentionCase], list[RetentionCase]]:
    """(cases a purge destroys now, open cases past their term that it leaves alone), by number."""
    horizon = pendulum.instance(now).subtract(years=MIN_RETENTION_YEARS).add(days=1)  # 29 Feb
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                C.id,
                C.number,
                C.kind,
                C.status,
                C.version,
                C.opened_at,
                C.decided_at,
                C.extension_decided_at,
                C.appeal_decided_at,
                C.closed_at,
                M.name.label("municipality"),
                R.name.label("region"),
                R.rules_toml,
            )
            .join(Municipality.__table__, M.id == C.municipality_id)
            .join(Region.__table__, R.id == M.region_id)
            .where(C.status != CaseStatus.DESTROYED.value, C.opened_at <= horizon)
            .order_by(C.number)
        ).all()
    due: list[RetentionCase] = []
    open_overdue: list[RetentionCase] = []
    rules_of: dict[str | None, RegionRules] = {}
    for row in rows:
        rules = rules_of.get(row.rules_toml)
        if rules is None:
            rules = rules_of[row.rules_toml] = region_rules(row.rules_toml)
        facts = CaseFacts(
            number=row.number,
            kind=CaseKind(row.kind),
            status=CaseStatus(row.status),
            opened_at=row.opened_at,
            decided_at=row.decided_at,
            extension_decided_at=row.extension_decided_at,
            appeal_decided_at=row.appeal_decided_at,
            closed_at=row.closed_at,
        )
        target = (
            due
            if purgeable(facts, rules, now)
            else (open_overdue if overdue_open(facts, rules, now) else None)
        )
        if target is not None:
            target.append(
                RetentionCase(
                    case_id=row.id,
                    number=row.number,
                    status=row.status,
                    municipality=row.municipality,
                    region=row.region,
                    last_decision=last_decision(facts),
                    retention_end=retention_end(facts, rules),
                    retention_years=rules.retention_years,
                    version=row.version,
                )
            )
    return due, open_overdue


def purge(store: Any, actor: Actor, cases: list[RetentionCase]) -> PurgeResult:
    """Destroy ``cases`` (from ``retention_overview``) as ``actor`` (a beheerder), one transaction
    per life-cycle step, through ``store.apply_action``."""
    result = PurgeResult()
    for case in cases:
        try:
            version = case.version
            if case.status == CaseStatus.CLOSED.value:
                version = store.apply_action(case.case_id, version, "archive", actor)
            store.apply_action(
                case.case_id,
                version,
                "destroy",
                actor,
                reason=(
                    f"bewaartermijn van {case.retention_years} jaar verstreken "
                    f"(laatste besluit {format_date(case.last_decision)})"
                ),
            )
        except StoreError as exc:
            result.failed.append((case, str(exc)))
            continue
        result.purged.append(case)
        with store.engine.connect() as conn:
            details = (
                conn.execute(
                    select(E.details)
                    .where(E.case_id == case.case_id, E.action == "destroy")
                    .order_by(E.id.desc())
                    .limit(1)
                ).scalar()
                or {}
            )
        for kind, n in (details.get("verwijderd") or {}).items():
            result.removed[kind] = result.removed.get(kind, 0) + int(n)
        result.rewritten_events += len(details.get("herschreven") or ())
    return result


# A form retries a lost save within minutes (store/idempotency.py); a month is far beyond that.
WRITE_KEY_DAYS = 30


def prune_write_keys(engine: Engine, now: datetime, *, dry_run: bool = False) -> int:
    """Remove (or, dry, count) the idempotency keys of writes older than ``WRITE_KEY_DAYS``."""
    WK = WriteKey.__table__
    old = WK.c.at < now - timedelta(days=WRITE_KEY_DAYS)
    if dry_run:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(WK).where(old)).scalar_one()
    with engine.begin() as conn:
        return conn.execute(delete(WK).where(old)).rowcount


class Retention(Repository):
    """The retention terms for ``hvo archive``: what is due, the purge, old write keys. ``now``
    defaults to the store's clock."""

    def overview(
        self, now: datetime | None = None
    ) -> tuple[list[RetentionCase], list[RetentionCase]]:
        return self._guard(retention_overview, self.engine, now or self.now())

    def prune_write_keys(self, now: datetime | None = None, *, dry_run: bool = False) -> int:
        return self._guard(prune_write_keys, self.engine, now or self.now(), dry_run=dry_run)
