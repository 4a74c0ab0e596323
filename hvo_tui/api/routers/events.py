"""``GET /events``: which cases changed, as server-sent events (``hvo_tui.api.broadcaster``)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse

from ..broadcaster import event_stream
from ..deps import Ctx, api_state, working

router = APIRouter()


@router.get(
    "/events",
    tags=["zaken"],
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"text/event-stream": {}},
            "description": "server-sent events: ready, changes, reread, lost",
        }
    },
)
async def events(request: Request, ctx: Ctx = Depends(working)):
    """Which cases changed, as they change (server-sent events)."""
    api = api_state(request)
    queue = api.broadcaster.subscribe()
    stream = event_stream(
        api.broadcaster,
        queue,
        closing=lambda: api.closing,
        still_valid=lambda: api.sessions.still_valid(ctx.token),
        visible=ctx.store.visible_case_ids,  # only ids of cases in the subscriber's scope
    )
    return StreamingResponse(
        stream,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
