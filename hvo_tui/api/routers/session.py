"""Health and sessions: ``/health``, ``/login``, ``/logout``, ``/me``, ``/password``.

``POST /login`` checks the password (lockout, TOTP: ``store.accounts``) and returns a bearer token
(``hvo_tui.api.sessions``).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from store.accounts import LoggedIn
from store.interface import ConnectionLost, Refused
from store.sql import SqlStore

from ..deps import Ctx, any_session, api_state, ok
from ..schemas import Health, LoginBody, LoginResult, PasswordBody

router = APIRouter()


@router.get("/health", response_model=Health, tags=["sessie"])
def health(request: Request):
    """Whether the server can reach its database (no login needed)."""
    api = api_state(request)
    try:
        database = SqlStore(api.engine).ping()
    except Exception as exc:  # noqa: BLE001 - any failure: report, do not crash
        raise ConnectionLost(f"database niet bereikbaar: {type(exc).__name__}") from None
    return ok({"status": "ok", "database": database})


@router.post("/login", response_model=LoginResult, tags=["sessie"])
def login(body: LoginBody, request: Request):
    """Account name and password (or one-time code), and the TOTP code when the account has
    a second factor. Returns a bearer token that expires."""
    api = api_state(request)
    store = api.store()
    logged_in = store.authenticate(
        body.username, body.password, totp_code=body.totp_code, now=store.now()
    )
    token, session = api.sessions.issue(logged_in)
    api.refresh(session)
    return ok({"token": token, "expires_at": session.expires_at, "actor": session.logged_in})


@router.post("/logout", status_code=204, tags=["sessie"])
def logout(request: Request, ctx: Ctx = Depends(any_session)):
    """Revoke this token."""
    api_state(request).sessions.revoke(ctx.token)
    return ok(status=204)


@router.get("/me", response_model=LoggedIn, tags=["sessie"])
def me(ctx: Ctx = Depends(any_session)):
    return ok(ctx.session.logged_in)


@router.post("/password", status_code=204, tags=["sessie"])
def set_password(body: PasswordBody, request: Request, ctx: Ctx = Depends(any_session)):
    """A new password for one's own account, after the current password or one-time code."""
    if body.account_id is not None and body.account_id != ctx.session.account_id:
        raise Refused("U kunt alleen uw eigen wachtwoord wijzigen.", "account_id")
    sessions = api_state(request).sessions
    ctx.store.set_password(
        ctx.session.account_id,
        body.current,
        body.new_password,
        now=ctx.store.now(),
        keep_session=ctx.session.key,  # this session stays; every other one of the account ends
    )
    sessions.forget_others(ctx.session)
    sessions.password_set(ctx.session)
    return ok(status=204)
