"""What can be done to one case: life-cycle actions, partners, documents, meetings, notes.

Every write names the version it was based on (409 when someone else changed the case since) and
checks the case is within the account's scope first (404 otherwise).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import AfterValidator

from hvo_tui.domain import lifecycle
from store.interface import AccountChoice

from ..deps import Ctx, ok, require_case, working
from ..errors import Invalid, values_checked
from ..schemas import (
    ActionBody,
    CaseId,
    DocumentId,
    MeetingBody,
    NoteBody,
    PartnerBody,
    ReceiveDocumentBody,
    RemindBody,
    RequestDocumentBody,
    VersionResult,
    clean,
)

router = APIRouter()


@router.post("/cases/{case_id}/actions", response_model=VersionResult, tags=["zaakacties"])
def apply_action(case_id: CaseId, body: ActionBody, ctx: Ctx = Depends(working)):
    """A life-cycle action through the domain's state machine.

    A parameter the action does not take, or a value the rules refuse (a process step's ``at``
    in the future or before T0, an empty ``address``, a banned person under 18 at T0): 422
    naming the field, nothing saved. The role or the case's state refusing the action: 403."""
    params = body.params.model_dump(exclude_none=True)
    known = lifecycle.action_params(body.action)
    unknown = sorted(set(params) - set(known) - {"reason"})
    if unknown:
        raise Invalid(f"Deze actie kent geen '{unknown[0]}'.", unknown[0])
    require_case(ctx, case_id)
    with values_checked():
        version = ctx.store.apply_action(case_id, body.version, body.action, ctx.actor, **params)
    return ok({"version": version})


@router.post("/cases/{case_id}/partners", response_model=VersionResult, tags=["zaakacties"])
def assign_partner(case_id: CaseId, body: PartnerBody, ctx: Ctx = Depends(working)):
    require_case(ctx, case_id)
    external = body.external.model_dump() if body.external else None
    return ok(
        {
            "version": ctx.store.assign_partner(
                case_id,
                body.version,
                body.role,
                ctx.actor,
                account_id=body.account_id,
                external=external,
            )
        }
    )


@router.post(
    "/cases/{case_id}/documents/requests", response_model=VersionResult, tags=["zaakacties"]
)
def request_document(case_id: CaseId, body: RequestDocumentBody, ctx: Ctx = Depends(working)):
    require_case(ctx, case_id)
    return ok(
        {
            "version": ctx.store.request_document(
                case_id,
                body.version,
                body.kind,
                ctx.actor,
                from_role=body.from_role,
                due_at=body.due_at,
                from_account_id=body.from_account_id,
            )
        }
    )


@router.post(
    "/cases/{case_id}/documents/received", response_model=VersionResult, tags=["zaakacties"]
)
def receive_document(case_id: CaseId, body: ReceiveDocumentBody, ctx: Ctx = Depends(working)):
    """A document received (or a draft). A decision received or signed must hold what the law
    requires of it (Wth art. 2 lid 4, art. 9): otherwise a 422 naming the missing field, nothing
    saved. A signed document cannot change (403)."""
    require_case(ctx, case_id)
    with values_checked(not_values=("status",)):
        version = ctx.store.receive_document(
            case_id,
            body.version,
            body.kind,
            ctx.actor,
            received_at=body.received_at,
            author_name=body.author_name,
            fields=body.fields,
            status=body.status,
        )
    return ok({"version": version})


@router.post(
    "/cases/{case_id}/documents/{document_id}/reminders",
    response_model=VersionResult,
    tags=["zaakacties"],
)
def remind_document(
    case_id: CaseId, document_id: DocumentId, body: RemindBody, ctx: Ctx = Depends(working)
):
    require_case(ctx, case_id)
    return ok({"version": ctx.store.remind_document(case_id, body.version, document_id, ctx.actor)})


@router.post("/cases/{case_id}/meetings", response_model=VersionResult, tags=["zaakacties"])
def record_meeting(case_id: CaseId, body: MeetingBody, ctx: Ctx = Depends(working)):
    require_case(ctx, case_id)
    return ok(
        {
            "version": ctx.store.record_meeting(
                case_id,
                body.version,
                ctx.actor,
                kind=body.kind,
                held_at=body.held_at,
                participants=body.participants,
                outcome=body.outcome,
            )
        }
    )


@router.post("/cases/{case_id}/notes", response_model=VersionResult, tags=["zaakacties"])
def add_note(case_id: CaseId, body: NoteBody, ctx: Ctx = Depends(working)):
    require_case(ctx, case_id)
    return ok(
        {
            "version": ctx.store.add_note(
                case_id, body.version, ctx.actor, text=body.text, kind=body.kind
            )
        }
    )


@router.get("/partner-accounts", response_model=list[AccountChoice], tags=["zaakacties"])
def accounts_for_role(
    role: Annotated[str, Query(max_length=40), AfterValidator(clean)],
    region: Annotated[str | None, Query(max_length=200), AfterValidator(clean)] = None,
    ctx: Ctx = Depends(working),
):
    """Active accounts that can fill a partner role (the assign form)."""
    return ok(ctx.store.accounts_for_role(role, region))
