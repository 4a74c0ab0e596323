"""The queue and one case: reading them, opening a new one (a screening), and its household (the
persons added and corrected after the screening, the linked cases of a home with more than one
banned person)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import AfterValidator

from store.interface import (
    CaseDetail,
    LinkedCase,
    MunicipalityChoice,
    NewCase,
    NotFound,
    QueueRow,
    Refused,
)

from ..deps import Ctx, api_state, encode, ok, open_cases, require_case, visible, working
from ..errors import values_checked
from ..schemas import (
    MAX_IDS,
    AddPersonBody,
    CaseId,
    CorrectPersonBody,
    Id,
    PersonId,
    ScreeningBody,
    VersionResult,
    clean,
)

router = APIRouter()


@router.get("/queue", response_model=list[QueueRow], tags=["zaken"])
def queue_rows(
    request: Request,
    ctx: Ctx = Depends(working),
    ids: Annotated[list[Id] | None, Query(max_length=MAX_IDS)] = None,
    first: Annotated[int | None, Query(ge=1, le=100_000)] = None,
):
    """Every open case the account sees; with ``ids`` exactly those cases (whatever their
    status); with ``first`` only the open cases whose ban ends soonest."""
    cache, masked = api_state(request).rows, ctx.store.mask_persons
    pairs = open_cases(ctx, first, None if ids is None else list(dict.fromkeys(ids)))
    found, missing = cache.lookup(pairs, masked)
    for start in range(0, len(missing), MAX_IDS):
        for row in ctx.store.queue_rows(missing[start : start + MAX_IDS]):
            found[row.case_id] = body = encode(row)
            cache.put(row.case_id, masked, row.version, body)
    parts = [found[case_id] for case_id, _ in pairs if case_id in found]
    return Response(b"[" + b",".join(parts) + b"]", media_type="application/json")


@router.get("/cases/by-number/{number}", response_model=QueueRow, tags=["zaken"])
def case_by_number(
    number: Annotated[str, Path(max_length=40), AfterValidator(clean)],
    ctx: Ctx = Depends(working),
):
    row = ctx.store.case_by_number(number)
    if row is None:
        raise NotFound(f"zaak {number} bestaat niet")
    return ok(row)


@router.get("/earlier-counts", response_model=dict[int, int], tags=["zaken"])
def earlier_counts(
    ids: Annotated[list[Id], Query(min_length=1, max_length=MAX_IDS)],
    ctx: Ctx = Depends(working),
):
    """Per visible case: the number of earlier cases (cases without any are left out)."""
    seen = visible(ctx, list(ids))
    return ok(ctx.store.earlier_counts([i for i in ids if i in seen]))


@router.get("/cases/{case_id}", response_model=CaseDetail, tags=["zaken"])
def case_detail(case_id: CaseId, ctx: Ctx = Depends(working)):
    """Everything about one case. Logs that the account opened it."""
    require_case(ctx, case_id)
    return ok(ctx.store.case_detail(case_id, ctx.actor))


@router.get("/municipalities", response_model=list[MunicipalityChoice], tags=["zaken"])
def municipalities(ctx: Ctx = Depends(working)):
    """Where the account may register a new screening (its regions' municipalities)."""
    return ok(ctx.store.municipalities())


@router.post("/screenings", response_model=NewCase, status_code=201, tags=["zaken"])
def open_screening(body: ScreeningBody, ctx: Ctx = Depends(working)):
    """A new screening with its persons and RiHG; with ``decision`` decided at once.

    A value the rules refuse (a banned person under 18 at T0, a BSN failing the 11-test, ...):
    422 naming the field, no case made. The role refusing the decision or a municipality outside
    the account's regions: 403."""
    with values_checked(not_values=("decision", "municipality_id")):
        new = ctx.store.open_screening(
            ctx.actor,
            municipality_id=body.municipality_id,
            opened_at=body.opened_at,
            address=body.address.model_dump(),
            persons=[p.model_dump() for p in body.persons],
            rihg=body.rihg,
            rihg_author=body.rihg_author,
            decision=body.decision,
            imposed_at=body.imposed_at,
            reason=body.reason,
        )
    return ok(new, status=201)


# --- the household (issue 16) ---------------------------------------------------------------------


@router.post("/cases/{case_id}/persons", response_model=VersionResult, tags=["zaken"])
def add_person(case_id: CaseId, body: AddPersonBody, ctx: Ctx = Depends(working)):
    """A person joins the case's household. A value the rules refuse (a BSN failing the 11-test,
    a birth date in the future, an unknown role, a second banned person, contact details of a
    child): 422 naming the field; the role may not: 403; outside the account's scope: 404."""
    require_case(ctx, case_id)
    person = body.model_dump(exclude={"version"})
    with values_checked():
        version = ctx.store.add_person(case_id, body.version, ctx.actor, person=person)
    return ok({"version": version})


@router.patch("/cases/{case_id}/persons/{person_id}", response_model=VersionResult, tags=["zaken"])
def correct_person(
    case_id: CaseId, person_id: PersonId, body: CorrectPersonBody, ctx: Ctx = Depends(working)
):
    """Correct a person of the case: the fields sent replace the recorded ones (null clears an
    optional one). 422 for a value the rules refuse, 404 for a person not on this case."""
    require_case(ctx, case_id)
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    try:
        with values_checked(not_values=("person_id",)):
            version = ctx.store.correct_person(
                case_id, body.version, person_id, ctx.actor, changes=changes
            )
    except Refused as exc:
        if exc.field == "person_id":
            raise NotFound("deze persoon hoort niet bij deze zaak") from None
        raise
    return ok({"version": version})


@router.get("/cases/{case_id}/household", response_model=list[LinkedCase], tags=["zaken"])
def household_cases(case_id: CaseId, ctx: Ctx = Depends(working)):
    """The other cases of the household: other persons banned from the same home, each with a
    case of their own. No person data."""
    require_case(ctx, case_id)
    return ok(ctx.store.household_cases(case_id))
