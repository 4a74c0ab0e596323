"""Issue 18 row 8: the change feed (GET /events) tells each subscriber only of cases in its scope.

A Midden-Limburg procesmanager listening while a Noord-Limburg case changes hears nothing of it
(not even its id); a change in her own region is announced. SQLite's feed only knows that
something changed (it announces a reread, which names no case), so the ids are checked where the
database names them: PostgreSQL, and the stream's filter itself on both."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from hvo_tui.api.broadcaster import _CLOSED, event_stream
from store.interface import Actor
from store.models import Case
from store.sql import SqlStore
from tests.factories import account_id, seed_case

ML, NL = "Midden-Limburg", "Noord-Limburg"


@pytest.fixture
def world(engine):
    with engine.begin() as conn:
        ml = seed_case(conn, number="HV-2026-00101", municipality="Roermond", region=ML)
        nl = seed_case(conn, number="HV-2026-00102", municipality="Venlo", region=NL)
        ans = account_id(
            conn,
            "ans",
            "Ans Visser",
            role="procesmanager",
            organisation="Veiligheidshuis Limburg",
            regions=(ML,),
        )
    return {"ml": ml, "nl": nl, "ans": ans}


def _note(engine, case_id: int) -> None:
    sql = SqlStore(engine)
    with engine.connect() as conn:
        version = conn.execute(
            select(Case.__table__.c.version).where(Case.__table__.c.id == case_id)
        ).scalar_one()
    pm = Actor(name="Beheer", roles=frozenset({"procesmanager"}), account_id=None, username=None)
    sql.add_note(case_id, version, pm, text="notitie")
    sql.close()


def test_the_stream_passes_only_ids_the_subscriber_may_see(engine, world):
    """The filter in the stream itself, on both databases: a batch with another region's case
    loses that id; a batch of only such ids is not sent at all."""
    store = SqlStore(engine)
    store.act_as(
        Actor(name="Ans", roles=frozenset({"procesmanager"}), account_id=world["ans"], username="a")
    )

    class Quiet:
        def unsubscribe(self, queue):
            pass

    async def run() -> list[str]:
        queue: asyncio.Queue = asyncio.Queue()
        # another region only, both regions, "reread all" (names nothing), end of the stream
        for item in ({world["nl"]}, {world["ml"], world["nl"]}, None, _CLOSED):
            queue.put_nowait(item)
        out = []
        async for chunk in event_stream(
            Quiet(),
            queue,
            closing=lambda: False,
            still_valid=lambda: True,
            visible=store.visible_case_ids,
        ):
            out.append(chunk)
        return out

    chunks = asyncio.run(run())
    assert chunks[0].startswith("retry:")
    assert chunks[1:] == [
        f"event: changes\ndata: [{world['ml']}]\n\n",
        "event: reread\ndata: null\n\n",
    ]
    store.close()


@pytest.mark.postgres
@pytest.mark.parametrize("db_target", ["postgres"], indirect=True)  # SQLite's feed names no ids
def test_over_http_another_regions_change_is_not_announced(engine, world, api_server):
    from store.http import HttpStore

    server = api_server(engine)
    feed = HttpStore(server.url, token=server.token_for("ans"), retries=0).change_feed()
    try:
        _note(engine, world["nl"])
        assert feed.wait(1.5) == set()  # nothing for her: not even the id
        _note(engine, world["ml"])
        changed = feed.wait(5)
        assert changed == {world["ml"]}
    finally:
        feed.close()
