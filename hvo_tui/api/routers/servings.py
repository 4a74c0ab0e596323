"""Serving a decision (issue 16): served on or announced orally to the banned person, or a copy
sent to another party. The servings themselves come with the case (GET /cases/{id}, ``servings``).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends

from ..deps import Ctx, ok, require_case, working
from ..errors import values_checked
from ..schemas import CaseId, ServingBody, VersionResult

router = APIRouter()


@router.post("/cases/{case_id}/servings", response_model=VersionResult, tags=["zaakacties"])
def record_serving(case_id: CaseId, body: ServingBody, ctx: Ctx = Depends(working)):
    """Record that a decision (beschikking, verlenging, intrekking, herstel) was served on
    (``uitgereikt``) or announced to (``mondeling``, with ``written_at`` once it was put in
    writing, Wth art. 2 lid 7) the banned person, or sent as a copy (``afschrift``) to another
    party; by whom (``served_by``) and when.

    The moment lies between the decision (T0 for the beschikking; the signature or the case's
    decision for a later one) and now; only a received or signed decision is served. A value the
    rules refuse: 422 naming the field, nothing saved. The role (the procesmanager, the police,
    the HOvJ and the bestuurder record it) or a closed case: 403. Outside the account's cases:
    404. The same oral announcement recorded again with ``written_at`` completes it."""
    require_case(ctx, case_id)
    with values_checked():
        version = ctx.store.record_serving(
            case_id,
            body.version,
            ctx.actor,
            document_id=body.document_id,
            recipient=body.recipient,
            manner=body.manner,
            served_at=body.served_at,
            served_by=body.served_by,
            written_at=body.written_at,
        )
    return ok({"version": version})
