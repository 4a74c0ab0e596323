"""The queue's I/O: the first load, the change feed and the earlier-case counts.

These run in the queue screen's thread workers. They read the store and post what they found as
typed Messages (screens/messages.py) to ``post``, the screen's thread-safe ``post_message``; they
never touch a widget. The screen's handlers own the state.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from textual.message import Message

from store.interface import ConnectionLost, QueueRow, Store, StoreError

from .messages import (
    ConnectionDropped,
    EarlierCounted,
    QueueLoaded,
    QueueReread,
    RowsChanged,
)

FIRST_PAGE = 60  # rows loaded before everything else, for a fast first paint
BACKOFF = (1, 2, 4, 8, 15, 30)  # seconds between attempts to reconnect

Post = Callable[[Message], Any]
Derive = Callable[[list[QueueRow]], dict]


def load_queue(store: Store, post: Post, *, initial: bool, derive: Derive) -> None:
    """Read the queue. ``initial``: the screen has nothing yet, so the first screenful (the bans
    that end soonest) goes first, then every open case, each with its rules applied here, in
    the worker, so the screen never waits for them. Otherwise every open case, to be diffed."""
    try:
        if initial:
            first = store.queue_rows(first=FIRST_PAGE)
            post(QueueLoaded(first, derive(first), complete=False))
        rows = store.queue_rows()
    except StoreError as exc:
        post(ConnectionDropped(str(exc), BACKOFF[0]))
        return
    if initial:
        post(QueueLoaded(rows, derive(rows), complete=True))
    else:
        post(QueueReread(rows))


def count_earlier(store: Store, post: Post, ids: list[int]) -> None:
    """How many earlier cases the people of ``ids`` have (the flag in the table)."""
    try:
        counts = store.earlier_counts(ids)
    except StoreError:
        return  # the flag is a help, not essential; the next full load tries again
    post(EarlierCounted(counts))


def follow_changes(store: Store, post: Post, cancelled: Callable[[], bool]) -> None:
    """Follow the store's change feed until ``cancelled()``: the changed cases' rows as they
    come; on a lost connection say so, back off, reopen the feed and reread everything."""
    feed = None
    attempt = 0
    while not cancelled():
        try:
            if feed is None:
                feed = store.change_feed()
                if attempt:
                    post(QueueReread(store.queue_rows()))
                attempt = 0
            changed = feed.wait(0.5)
            if cancelled():
                break
            if changed is None:  # the store cannot say which cases changed (SQLite)
                post(QueueReread(store.queue_rows()))
            elif changed:
                post(RowsChanged(set(changed), store.queue_rows(changed)))
        except StoreError as exc:
            if feed is not None:
                feed.close()
                feed = None
            delay = BACKOFF[min(attempt, len(BACKOFF) - 1)]
            attempt += 1
            message = str(exc) if isinstance(exc, ConnectionLost) else f"fout: {exc}"
            post(ConnectionDropped(message, delay))
            end = time.monotonic() + delay
            while time.monotonic() < end and not cancelled():
                time.sleep(0.1)
    if feed is not None:
        feed.close()
