"""Idempotency keys on writes (issue 9): a save happens exactly once, also when its answer is lost.

When the connection drops after the database committed a write but before the client heard so,
the client cannot know whether it was saved. Saving again would meet the optimistic lock (the
version moved by our own write) or, on top of that, write the same thing twice. So a form sends
a key with its save, and the store records the key in the write's own transaction::

    with store.write_key(key):
        store.add_note(case_id, version, actor, text="...")

A write inside the ``with`` whose key is already recorded is not written again: it returns the
recorded result (the case's version after the write, or the new case of a screening) as if it had
just succeeded. The key applies to the first write inside the ``with`` only.

The table is ``write_key`` (store/models.py); the writes record and look up keys with
``record_key`` and ``applied_key`` of store/chain.py. This module holds no SQL (the HTTP
client uses it too). The key travels in a ``ContextVar``: per thread (the app saves in worker
threads, one shared store) and per request on the server (``hvo serve`` sets it from the
``Idempotency-Key`` header for the request; the endpoint's thread sees it). ``HttpStore`` sends
it as that header.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

MAX_KEY_LENGTH = 80
HEADER = "Idempotency-Key"

# The key for the next write (set by ``write_key``, taken by the write).
_next: ContextVar[str | None] = ContextVar("hvo_write_key", default=None)
# The key the running write must record with its case and version (set by ``recording``).
_recording: ContextVar[str | None] = ContextVar("hvo_write_key_recording", default=None)


def valid_key(key: str) -> bool:
    """1 to 80 printable ASCII characters (it also travels as an HTTP header)."""
    return 0 < len(key) <= MAX_KEY_LENGTH and key.isascii() and key.isprintable()


@contextmanager
def write_key(key: str | None) -> Iterator[None]:
    """Attach ``key`` to the next write in this thread (or request); None: no key."""
    if key is not None and not valid_key(key):
        raise ValueError(f"ongeldige sleutel voor een schrijfactie: {key!r}")
    token = _next.set(key)
    try:
        yield
    finally:
        _next.reset(token)


def take_write_key() -> str | None:
    """The key for this write, if any; the writes after it in the same ``with`` get none."""
    key = _next.get()
    if key is not None:
        _next.set(None)
    return key


@contextmanager
def recording(key: str) -> Iterator[None]:
    token = _recording.set(key)
    try:
        yield
    finally:
        _recording.reset(token)


def recording_key() -> str | None:
    """The key the running write must record in its transaction (``chain.record_key``)."""
    return _recording.get()


__all__ = [
    "HEADER",
    "MAX_KEY_LENGTH",
    "recording",
    "recording_key",
    "take_write_key",
    "valid_key",
    "write_key",
]
