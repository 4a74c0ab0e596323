"""Statistics (issue 8) and the invoice per municipality.

The request's store carries the account's scope: the counts cover only its cases, the areas only
its regions. A region or municipality outside those areas is refused (as ``hvo report`` refuses an
unknown one), so a filter never reaches past the scope.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import AfterValidator

from hvo_tui.domain.billing import Period, RegionUsage
from hvo_tui.domain.errors import DomainError
from hvo_tui.domain.statistics import REPORTS, ReportFilter, ReportTable
from store.interface import Refused

from ..deps import Ctx, ok, report_viewer, working
from ..schemas import AreaName, Day, ReportName, clean

router = APIRouter()


def within_areas(areas: dict[str, list[str]], flt: ReportFilter) -> None:
    """Refuse a region or municipality outside the account's areas (or unknown)."""
    if flt.region and flt.region not in areas:
        raise Refused(
            f"De regio '{flt.region}' valt buiten uw regio's; kies uit: "
            f"{', '.join(sorted(areas)) or 'geen'}.",
            "region",
        )
    if flt.municipality:
        pool = areas.get(flt.region, []) if flt.region else [m for ms in areas.values() for m in ms]
        if flt.municipality not in pool:
            where = f" in regio {flt.region}" if flt.region else ""
            raise Refused(
                f"De gemeente '{flt.municipality}'{where} valt buiten uw gebied.", "municipality"
            )


@router.get("/report-areas", response_model=dict[str, list[str]], tags=["statistiek"])
def report_areas(ctx: Ctx = Depends(report_viewer)):
    """Region -> its municipalities, within the account's regions (the screen's filters)."""
    return ok(ctx.store.report_areas())


@router.get("/reports", response_model=dict[str, ReportTable], tags=["statistiek"])
def reports(
    name: Annotated[
        list[ReportName],
        Query(min_length=1, max_length=len(REPORTS), description="een of meer rapporten"),
    ],
    ctx: Ctx = Depends(report_viewer),
    start: Annotated[Day | None, Query(description="eerste dag, inclusief")] = None,
    end: Annotated[Day | None, Query(description="laatste dag, inclusief")] = None,
    region: AreaName | None = None,
    municipality: AreaName | None = None,
):
    """Reports by name for a period (local days, both included), a region and a
    municipality: counts only, over the account's cases."""
    try:
        flt = ReportFilter(
            start=start, end=end, region=region or None, municipality=municipality or None
        )
    except DomainError as exc:
        raise Refused(exc.message, exc.field) from None
    within_areas(ctx.store.report_areas(), flt)
    return ok(ctx.store.reports(list(dict.fromkeys(name)), flt))


@router.get("/billing/regions", response_model=list[str], tags=["rekening"])
def billing_regions(ctx: Ctx = Depends(working)):
    """The regions an invoice can be drawn up for (beheerder only)."""
    return ok(ctx.store.billing_regions(ctx.actor))


@router.get("/billing/usage", response_model=RegionUsage, tags=["rekening"])
def billing_usage(
    region: AreaName,
    start: Day,
    end: Day,
    ctx: Ctx = Depends(working),
    label: Annotated[str | None, Query(max_length=40), AfterValidator(clean)] = None,
):
    """What a region used from ``start`` up to (not including) ``end``: its municipalities,
    organisations, accounts and billable steps (beheerder only)."""
    if end <= start:
        raise Refused("Het einde van de periode moet na het begin liggen.", "end")
    period = Period(label or f"{start:%d-%m-%Y} t/m {end - timedelta(days=1):%d-%m-%Y}", start, end)
    return ok(ctx.store.billing_usage(ctx.actor, region, period))
