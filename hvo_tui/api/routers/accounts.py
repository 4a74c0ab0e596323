"""Accounts and organisations (functioneel beheer; one's own account for everyone).

A change to an account reaches its sessions: deactivating it or resetting its login revokes them,
any other change has them reread the account at their next request.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import AfterValidator

from store.accounts import AccountRow, ImportReport, OrganisationCount
from store.interface import EventRow

from ..deps import Ctx, admin, api_state, ok, working
from ..schemas import (
    MAX_INT,
    AccountId,
    CodeResult,
    CreateAccountBody,
    CreatedAccount,
    ImportBody,
    Organisation,
    ResetBody,
    SecretResult,
    UpdateAccountBody,
    clean,
)

router = APIRouter()


@router.get("/accounts", response_model=list[AccountRow], tags=["accounts"])
def list_accounts(
    ctx: Ctx = Depends(admin),
    organisation_id: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
    role: Annotated[str | None, Query(max_length=40), AfterValidator(clean)] = None,
    region: Annotated[str | None, Query(max_length=200), AfterValidator(clean)] = None,
    active: bool | None = None,
    text: Annotated[str | None, Query(max_length=200), AfterValidator(clean)] = None,
):
    return ok(
        ctx.store.list_accounts(
            organisation_id=organisation_id,
            role=role,
            region=region,
            active=active,
            text=text,
            now=ctx.store.now(),
        )
    )


@router.get("/accounts/{account_id}", response_model=AccountRow, tags=["accounts"])
def account(account_id: AccountId, ctx: Ctx = Depends(working)):
    """One account: a beheerder any, everyone else only their own."""
    if account_id != ctx.session.account_id:
        admin(ctx)
    return ok(ctx.store.account(account_id, now=ctx.store.now()))


@router.post("/accounts", response_model=CreatedAccount, status_code=201, tags=["accounts"])
def create_account(body: CreateAccountBody, ctx: Ctx = Depends(working)):
    """Create an account; the response holds its one-time login code (shown once)."""
    account_id, code = ctx.store.create_account(ctx.actor, **body.model_dump())
    return ok({"id": account_id, "code": code}, status=201)


@router.patch("/accounts/{account_id}", status_code=204, tags=["accounts"])
def update_account(
    account_id: AccountId,
    body: UpdateAccountBody,
    request: Request,
    ctx: Ctx = Depends(working),
):
    changes = body.model_dump(exclude_unset=True)
    for key in ("roles", "regions"):  # an explicit null means: none
        if key in changes and changes[key] is None:
            changes[key] = []
    ctx.store.update_account(ctx.actor, account_id, **changes)
    api_state(request).sessions.stale(account_id)
    return ok(status=204)


@router.post("/accounts/{account_id}/deactivate", status_code=204, tags=["accounts"])
def deactivate(account_id: AccountId, request: Request, ctx: Ctx = Depends(working)):
    ctx.store.deactivate(ctx.actor, account_id)
    api_state(request).sessions.revoke_account(account_id)
    return ok(status=204)


@router.post("/accounts/{account_id}/reactivate", status_code=204, tags=["accounts"])
def reactivate(account_id: AccountId, ctx: Ctx = Depends(working)):
    ctx.store.reactivate(ctx.actor, account_id)
    return ok(status=204)


@router.post("/accounts/{account_id}/login-reset", response_model=CodeResult, tags=["accounts"])
def reset_login(
    account_id: AccountId, body: ResetBody, request: Request, ctx: Ctx = Depends(working)
):
    """A new one-time login code; the account's sessions end."""
    code = ctx.store.reset_login(ctx.actor, account_id, reset_totp=body.reset_totp)
    if account_id != ctx.session.account_id:
        api_state(request).sessions.revoke_account(account_id)
    return ok({"code": code})


@router.post("/accounts/{account_id}/totp", response_model=SecretResult, tags=["accounts"])
def enable_totp(account_id: AccountId, ctx: Ctx = Depends(working)):
    return ok({"secret": ctx.store.enable_totp(ctx.actor, account_id)})


@router.delete("/accounts/{account_id}/totp", status_code=204, tags=["accounts"])
def disable_totp(account_id: AccountId, ctx: Ctx = Depends(working)):
    ctx.store.disable_totp(ctx.actor, account_id)
    return ok(status=204)


@router.get("/accounts/{account_id}/activity", response_model=list[EventRow], tags=["accounts"])
def account_activity(
    account_id: AccountId,
    ctx: Ctx = Depends(admin),
    limit: Annotated[int, Query(ge=1, le=10_000)] = 200,
):
    ctx.store.account(account_id)  # 404 for an unknown account
    return ok(ctx.store.account_activity(account_id, limit=limit))


@router.post("/accounts/import", response_model=ImportReport, tags=["accounts"])
def import_accounts(body: ImportBody, ctx: Ctx = Depends(working)):
    """CSV import; ``dry_run`` reports per line and writes nothing; otherwise all or nothing."""
    return ok(ctx.store.import_accounts_csv(ctx.actor, body.text, dry_run=body.dry_run))


@router.get("/organisations", response_model=list[Organisation], tags=["accounts"])
def organisations(ctx: Ctx = Depends(admin)):
    return ok(ctx.store.organisations())


@router.get("/organisation-counts", response_model=list[OrganisationCount], tags=["accounts"])
def organisation_counts(ctx: Ctx = Depends(admin)):
    return ok(ctx.store.organisation_counts())
