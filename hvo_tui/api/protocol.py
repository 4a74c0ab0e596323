"""The HTTP protocol of ``hvo serve`` (uvicorn's, with TCP_NODELAY)."""

from __future__ import annotations

import contextlib
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol


class NoDelayH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with TCP_NODELAY on every connection. With ``--workers`` uvicorn
    binds the listening socket itself, without naming TCP as its protocol, and asyncio then leaves
    Nagle's algorithm on: every request whose body follows its headers in a second packet (each
    POST of httpx) waited about 40 ms for a delayed acknowledgement (write p50 62 ms instead of
    21 ms in benchmarks/api_load.py). uvloop sets the option itself; this makes it hold without."""

    def connection_made(self, transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):  # e.g. a socket type that has no such option
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
