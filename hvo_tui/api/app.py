"""The application factory of the HTTP API: ``create_app(engine)``, the ASGI application that
``hvo serve`` runs (hvo_tui/commands/serve.py) and the tests start. Nothing else imports this
module: the routers import schemas and dependencies, never the factory.

Responses are encoded with ``store.codec`` (the HTTP store decodes them with the same codec); the
OpenAPI schemas come from the same dataclasses.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

from fastapi import APIRouter, FastAPI

from store import idempotency

from .deps import API, invalid_write_key, write_key
from .errors import ERROR_RESPONSES, install_errors
from .routers import accounts, case_actions, cases, events, reports, servings, session, signing
from .sessions import DEFAULT_TOKEN_HOURS, RECHECK_SECONDS
from .state import ApiState

# The areas in the order of the OpenAPI description (and of their tags in /api/v1/docs).
ROUTERS = (session, cases, case_actions, servings, events, accounts, reports, signing)


class HvoApi:
    """The ASGI application: the API's routes (built once per process, see ``_shared``) bound to
    one database's state. ``state`` is what the endpoints reach as ``request.state.api``."""

    def __init__(self, state: ApiState) -> None:
        self.state = state
        self.fastapi = _shared()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    self.state.closing = True
                    await asyncio.to_thread(self.state.broadcaster.close)
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        scope["state"] = {**(scope.get("state") or {}), "api": self.state}
        key = write_key(scope)
        refusal = invalid_write_key(key)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        # The request's write goes with the client's key (a context variable: the endpoint's
        # thread sees it); the store then writes it at most once.
        with idempotency.write_key(key):
            await self._route(scope, receive, send)

    async def _route(self, scope, receive, send) -> None:
        if (
            scope["type"] == "http"
            and scope.get("method") not in ("GET", "HEAD", "OPTIONS")
            and scope.get("path", "").startswith(f"{API}/accounts")
        ):
            rows = self.state.rows

            async def send_and_forget_rows(message) -> None:
                # An account changed (name, phone, roles): the partners shown in rows may differ.
                if message["type"] == "http.response.start" and message["status"] < 400:
                    rows.clear()
                await send(message)

            await self.fastapi(scope, receive, send_and_forget_rows)
            return
        await self.fastapi(scope, receive, send)

    def openapi(self) -> dict[str, Any]:
        return self.fastapi.openapi()


def create_app(
    engine,
    *,
    clock=None,
    token_hours: float = DEFAULT_TOKEN_HOURS,
    recheck_seconds: float = RECHECK_SECONDS,
) -> HvoApi:
    """The API over ``engine`` (a migrated hvo database). ``clock`` stamps writes (tests freeze
    it); tokens expire after ``token_hours`` of wall time."""
    return HvoApi(
        ApiState(engine, clock=clock, token_hours=token_hours, recheck_seconds=recheck_seconds)
    )


@functools.cache
def _shared() -> FastAPI:
    """The FastAPI application with every route and error handler; building it (pydantic
    schemas for every model) is the slow part, so it happens once."""
    app = FastAPI(
        title="hvo API",
        version="1",
        description="De wachtrij en dossiers van de Wet tijdelijk huisverbod. Log in met "
        "POST /api/v1/login en stuur het token mee als 'Authorization: Bearer ...'.",
        openapi_url=f"{API}/openapi.json",
        docs_url=f"{API}/docs",
        redoc_url=None,
    )
    install_errors(app)
    api = APIRouter(prefix=API, responses=ERROR_RESPONSES)
    for area in ROUTERS:
        api.include_router(area.router)
    app.include_router(api)
    return app


__all__ = ["HvoApi", "create_app"]
