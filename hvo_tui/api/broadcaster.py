"""The database's change feed (``store.feed``), read by one thread and fanned out to every open
event stream, and the stream itself (server-sent events of ``GET /events``).

Events: ``changes`` with a JSON array of case ids, ``reread`` when the feed cannot say which cases
changed (SQLite), ``lost`` when the server lost its database (the client reconnects and rereads),
``expired`` when the stream's session ended. Case ids are not filtered by scope (they are opaque
numbers; every row is read through the scoped endpoints).
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any

from store.interface import StoreError
from store.sql import SqlStore

log = logging.getLogger("hvo.server")

EVENT_TICK = 1.0  # seconds between checks of an event stream (closing, session still valid)
PING_SECONDS = 15.0

_LOST = "lost"
_CLOSED = "closed"


class Broadcaster:
    """One database change feed (a thread) fanned out to every open event stream."""

    def __init__(self, engine, *, backoff: tuple[float, ...] = (0.5, 1, 2, 5)) -> None:
        self.engine = engine
        self.backoff = backoff
        self._subscribers: dict[asyncio.Queue, asyncio.AbstractEventLoop] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        with self._lock:
            if self._thread is None and not self._stop.is_set():
                self._thread = threading.Thread(target=self._run, name="hvo-feed", daemon=True)
                self._thread.start()

    def subscribe(self) -> asyncio.Queue:
        queue: asyncio.Queue = asyncio.Queue()
        loop = asyncio.get_running_loop()
        with self._lock:
            self._subscribers[queue] = loop
        self.start()
        return queue

    def unsubscribe(self, queue: asyncio.Queue) -> None:
        with self._lock:
            self._subscribers.pop(queue, None)

    def publish(self, item: Any) -> None:
        with self._lock:
            targets = list(self._subscribers.items())
        for queue, loop in targets:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, item)
            except RuntimeError:  # that stream's loop is closed
                self.unsubscribe(queue)

    def close(self) -> None:
        self._stop.set()
        self.publish(_CLOSED)
        thread = self._thread
        if thread is not None:
            thread.join(timeout=5)

    def _run(self) -> None:
        feed = None
        failures = 0
        while not self._stop.is_set():
            try:
                if feed is None:
                    feed = SqlStore(self.engine).change_feed()
                    if failures:
                        self.publish(None)  # changes may have been missed: reread
                    failures = 0
                changed = feed.wait(0.5)
                if changed is None:
                    self.publish(None)
                elif changed:
                    self.publish(set(changed))
            except StoreError as exc:
                log.warning("wijzigingsfeed: %s", exc)
                if feed is not None:
                    feed.close()
                    feed = None
                if failures == 0:
                    self.publish(_LOST)
                self._stop.wait(self.backoff[min(failures, len(self.backoff) - 1)])
                failures += 1
        if feed is not None:
            feed.close()


async def event_stream(
    broadcaster: Broadcaster,
    queue: asyncio.Queue,
    *,
    closing: Callable[[], bool],
    still_valid: Callable[[], bool],
    visible: Callable[[set[int]], set[int]],
) -> AsyncIterator[str]:
    """One client's server-sent events from ``queue`` (``broadcaster.subscribe()``, which it
    unsubscribes at the end) until the server closes, the database is lost or the session ends
    (``still_valid`` is asked in a thread every ``EVENT_TICK`` while idle). The broadcaster
    hears every case that changes; ``visible`` (the subscriber's scope, asked in a thread) keeps
    only the ids this client may see: another region's activity is not its business."""
    try:
        yield "retry: 2000\nevent: ready\ndata: {}\n\n"
        idle = 0.0
        while True:
            try:
                item = await asyncio.wait_for(queue.get(), timeout=EVENT_TICK)
            except TimeoutError:
                if closing():
                    return
                if not await asyncio.to_thread(still_valid):
                    yield "event: expired\ndata: {}\n\n"
                    return
                idle += EVENT_TICK
                if idle >= PING_SECONDS:
                    idle = 0.0
                    yield ": ping\n\n"
                continue
            if item == _CLOSED:
                return
            if item == _LOST:
                yield "event: lost\ndata: {}\n\n"
                return
            if item is None:
                yield "event: reread\ndata: null\n\n"
            else:
                ids = await asyncio.to_thread(visible, set(item))
                if ids:
                    yield f"event: changes\ndata: {json.dumps(sorted(ids))}\n\n"
    finally:
        broadcaster.unsubscribe(queue)
