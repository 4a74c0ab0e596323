"""What the endpoints depend on: the application's state, the request's session and store
(``Ctx``) with the role each area needs, and the helpers they share (``ok``, scope checks, the
idempotency key).

A case write or new screening sent with an ``Idempotency-Key`` header (1-80 printable ASCII
characters) is written at most once: repeated with the same key (its answer was lost), it answers
with the recorded result and writes nothing (``store.idempotency``). The application reads the
key before routing (``write_key``) and hands it to the store for the whole request.
"""

from __future__ import annotations

import dataclasses
import json
import time
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from hvo_tui.domain.permissions import Permission, allowed
from store import idempotency
from store.codec import to_json
from store.interface import Actor, NotFound, Refused
from store.sql import SqlStore

from .errors import NEW_PASSWORD_FIRST, SESSION_REQUIRED, SessionInvalid, error_response
from .sessions import Session
from .state import ApiState

API = "/api/v1"


@dataclasses.dataclass
class Ctx:
    """One authenticated request."""

    session: Session
    store: SqlStore
    token: str

    @property
    def actor(self) -> Actor:
        return self.session.logged_in


_bearer = HTTPBearer(auto_error=False, description="het token uit POST /api/v1/login")


def api_state(request: Request) -> ApiState:
    """The state of the application that serves ``request`` (``HvoApi`` puts it there)."""
    return request.state.api


def _session(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)
) -> Ctx:
    api = api_state(request)
    token = credentials.credentials if credentials else None
    session = api.sessions.get(token)
    if session is None:
        raise SessionInvalid(SESSION_REQUIRED)
    if time.monotonic() - session.checked > api.sessions.recheck_seconds:
        api.refresh(session)
    return Ctx(session=session, store=api.store(session), token=token or "")


def any_session(ctx: Ctx = Depends(_session)) -> Ctx:
    """A valid session, also one that must first set a new password."""
    return ctx


def working(ctx: Ctx = Depends(_session)) -> Ctx:
    """A valid session that may work (its password is not due for a change)."""
    if ctx.session.must_change_password:
        raise Refused(NEW_PASSWORD_FIRST, "new_password")
    return ctx


def admin(ctx: Ctx = Depends(working)) -> Ctx:
    if not allowed(ctx.actor.roles, Permission.MANAGE_ACCOUNTS):
        raise Refused("Alleen een functioneel beheerder kan accounts beheren.")
    return ctx


def report_viewer(ctx: Ctx = Depends(working)) -> Ctx:
    if not allowed(ctx.actor.roles, Permission.VIEW_REPORTS):
        raise Refused(
            "Statistieken zijn er voor procesmanagers, beleidsmedewerkers, bestuurders, "
            "beheerders en support."
        )
    return ctx


def signer(ctx: Ctx = Depends(working)) -> Ctx:
    if not allowed(ctx.actor.roles, Permission.SIGN_DECISION):
        raise Refused("Alleen een bestuurder (burgemeester) mag besluiten ondertekenen.")
    return ctx


# --- answers -------------------------------------------------------------------------------------


def encode(value: Any) -> bytes:
    """``value`` as compact JSON (``store.codec``; the HTTP store decodes with the same codec)."""
    return json.dumps(to_json(value), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def ok(value: Any = None, status: int = 200) -> Response:
    if status == 204:
        return Response(status_code=204)
    return Response(encode(value), status_code=status, media_type="application/json")


# --- scope ---------------------------------------------------------------------------------------


def visible(ctx: Ctx, ids: list[int]) -> set[int]:
    """Which of ``ids`` the request's account may see (its scope, as in the queue)."""
    return ctx.store.visible_case_ids(ids)


def open_cases(
    ctx: Ctx, first: int | None = None, ids: list[int] | None = None
) -> list[tuple[int, int]]:
    """(id, version) of the open cases the account sees (see SqlStore.open_case_versions)."""
    return ctx.store.open_case_versions(first, ids)


def require_case(ctx: Ctx, case_id: int) -> None:
    """404 for a case that does not exist or lies outside the account's scope (before anything
    is written or logged)."""
    if case_id not in visible(ctx, [case_id]):
        raise NotFound("zaak bestaat niet")


# --- the idempotency key -------------------------------------------------------------------------


def write_key(scope) -> str | None:
    """The ``Idempotency-Key`` header of an HTTP request (an ASGI scope), if it has one."""
    if scope["type"] != "http":
        return None
    wanted = idempotency.HEADER.lower().encode("latin-1")
    for name, value in scope.get("headers") or ():
        if name == wanted:
            return value.decode("latin-1")
    return None


def invalid_write_key(key: str | None) -> JSONResponse | None:
    """The 422 answer for a malformed ``Idempotency-Key``; None for a valid one or none."""
    if key is None or idempotency.valid_key(key):
        return None
    return error_response(
        422,
        "invalid",
        f"De {idempotency.HEADER} is ongeldig: 1 tot "
        f"{idempotency.MAX_KEY_LENGTH} leesbare ASCII-tekens.",
    )
