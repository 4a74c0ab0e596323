"""A real ``hvo serve`` (uvicorn on 127.0.0.1, a free port, in a thread) over the test databases,
and the ``backend`` fixture that runs a test against the SQL store and against the HTTP store.

tests/conftest.py imports both fixtures (``api_server``, a factory, and ``backend``); build the
app's store with ``backend(engine, actor)``:

* ``sql``: ``SqlStore(engine)``, exactly as the tests always did (no ``act_as``: unscoped);
* ``api``: a server over ``engine`` and an ``HttpStore`` logged in as ``actor``'s account. The
  server always applies the account's scope (it has no unscoped mode), so the acting account is
  given every region in the database first: both backends then show the same cases. Without an
  actor a procesmanager ``api.tester`` with every region is used. Sessions are issued on the
  server directly (no password is needed or changed), and the server's clock is frozen at
  ``FROZEN_NOW`` like the app's.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest
from sqlalchemy import insert, select

from hvo_tui.domain.localtime import FrozenClock
from store.interface import Actor

TESTER = "api.tester"


class ApiServer:
    """``hvo serve`` over ``engine`` on a free port of 127.0.0.1, in a thread."""

    def __init__(
        self, engine, *, clock=None, token_hours: float = 8.0, recheck_seconds: float = 5.0
    ) -> None:
        import uvicorn

        from hvo_tui.api.app import create_app

        self.engine = engine
        self.app = create_app(
            engine, clock=clock, token_hours=token_hours, recheck_seconds=recheck_seconds
        )
        self.state = self.app.state
        # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets that say so, and
        # without it every small answer waits ~40 ms for a delayed ACK (Nagle).
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            lifespan="on",
            loop="asyncio",
            timeout_graceful_shutdown=1,
            access_log=False,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run,
            kwargs={"sockets": [sock]},
            name=f"uvicorn-{self.port}",
            daemon=True,
        )
        self.thread.start()
        end = time.monotonic() + 15
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > end:
                raise RuntimeError("the API server did not start")
            time.sleep(0.02)
        self._sock = sock

    # --- sessions without passwords -------------------------------------------------------------

    def token_for(self, username: str) -> str:
        """A session for ``username`` issued on the server itself (as a login would)."""
        from store.accounts import LoggedIn

        store = self.state.store()
        actor = store.actor_for(username)
        assert actor is not None, f"no active account {username}"
        logged_in = LoggedIn(
            name=actor.name,
            roles=actor.roles,
            account_id=actor.account_id,
            username=actor.username,
            regions=actor.regions,
        )
        token, session = self.state.sessions.issue(logged_in)
        self.state.refresh(session)
        return token

    def store_for(self, actor: Actor | None = None, *, all_regions: bool = True):
        """An ``HttpStore`` logged in as ``actor`` (or the ``api.tester`` procesmanager)."""
        from store.http import HttpStore

        username = actor.username if actor is not None else None
        if username is None:
            username = ensure_tester(self.engine)
        if all_regions:
            grant_all_regions(self.engine, username)
        store = HttpStore(self.url, token=self.token_for(username), retries=1, backoff=0.05)
        store.actor = actor
        return store

    def stop(self) -> None:
        from hvo_tui.api.broadcaster import _CLOSED

        self.state.closing = True
        self.state.broadcaster.publish(_CLOSED)  # open event streams end now, not at their tick
        self.server.should_exit = True
        self.thread.join(timeout=15)
        self._sock.close()


def ensure_tester(engine) -> str:
    """A procesmanager ``api.tester`` (the unnamed user of the SQL tests, over the API)."""
    from tests.factories import account_id

    with engine.begin() as conn:
        account_id(conn, TESTER, "API Tester", role="procesmanager", organisation="hvo API-test")
    return TESTER


def grant_all_regions(engine, username: str) -> None:
    from store.models import Account, AccountRegion, Region

    A, AG, R = Account.__table__.c, AccountRegion.__table__, Region.__table__.c
    with engine.begin() as conn:
        account = conn.execute(select(A.id).where(A.username == username)).scalar_one()
        have = set(conn.execute(select(AG.c.region_id).where(AG.c.account_id == account)).scalars())
        missing = [rid for rid in conn.execute(select(R.id)).scalars() if rid not in have]
        if missing:
            conn.execute(insert(AG), [{"account_id": account, "region_id": rid} for rid in missing])


@pytest.fixture
def api_server():
    """A factory: ``api_server(engine, clock=..., token_hours=...)`` starts a server; all are
    stopped after the test."""
    started: list[ApiServer] = []

    def start(engine, **kw) -> ApiServer:
        from tests.conftest import FROZEN_NOW  # (conftest imports this module)

        kw.setdefault("clock", FrozenClock(FROZEN_NOW))
        server = ApiServer(engine, **kw)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(params=["sql", "api"])
def backend(request, api_server):
    """``backend(engine, actor=None)``: the store a test's app uses, once per backend."""
    from store.sql import SqlStore

    servers: dict[int, ApiServer] = {}
    stores = []

    def make(engine, actor: Actor | None = None, *, session: bool = True):
        """The store for ``engine``; over the API logged in as ``actor`` (``session=False``:
        not logged in, for the login screen)."""
        if request.param == "sql":
            return SqlStore(engine)
        server = servers.get(id(engine))
        if server is None:
            server = servers[id(engine)] = api_server(engine)
        if session:
            store = server.store_for(actor)
        else:
            from store.http import HttpStore

            store = HttpStore(server.url, retries=1, backoff=0.05)
        stores.append(store)
        return store

    make.kind = request.param
    make.servers = servers
    yield make
    for store in stores:
        store._client.close()
