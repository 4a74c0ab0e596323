"""The mayor's signature on a decision (issue 10): what awaits it, signing, refusing, checking."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from store.interface import PendingDecision, SignatureCheck

from ..deps import Ctx, ok, require_case, signer, working
from ..schemas import CaseId, DocumentId, RefuseBody, SignBody, VersionResult

router = APIRouter()


@router.get("/signing/pending", response_model=list[PendingDecision], tags=["ondertekenen"])
def decisions_awaiting_signature(ctx: Ctx = Depends(signer)):
    """Draft decisions on open cases of the municipality of the account's organisation."""
    return ok(ctx.store.decisions_awaiting_signature(ctx.actor))


@router.post(
    "/cases/{case_id}/documents/{document_id}/signature",
    response_model=VersionResult,
    tags=["ondertekenen"],
)
def sign_decision(
    case_id: CaseId, document_id: DocumentId, body: SignBody, ctx: Ctx = Depends(working)
):
    """Sign a draft decision with the account's password (a wrong one counts as a failed
    login). Only a bestuurder of the case's municipality."""
    require_case(ctx, case_id)
    return ok(
        {
            "version": ctx.store.sign_decision(
                case_id, body.version, document_id, ctx.actor, password=body.password
            )
        }
    )


@router.post(
    "/cases/{case_id}/documents/{document_id}/refusal",
    response_model=VersionResult,
    tags=["ondertekenen"],
)
def refuse_decision(
    case_id: CaseId, document_id: DocumentId, body: RefuseBody, ctx: Ctx = Depends(working)
):
    """Refuse to sign a draft decision, with the reason (it goes on the case's timeline)."""
    require_case(ctx, case_id)
    return ok(
        {
            "version": ctx.store.refuse_decision(
                case_id, body.version, document_id, ctx.actor, reason=body.reason
            )
        }
    )


@router.get(
    "/cases/{case_id}/signatures", response_model=list[SignatureCheck], tags=["ondertekenen"]
)
def decision_signatures(case_id: CaseId, ctx: Ctx = Depends(working)):
    """Every signature on the case's decisions, verified now."""
    require_case(ctx, case_id)
    return ok(ctx.store.decision_signatures(case_id))
