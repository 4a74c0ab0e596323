"""A small TCP proxy for fault tests: the app talks to PostgreSQL through it, and the test cuts
every connection (and refuses new ones) with ``cut()``, then lets them through again with
``restore()``, on the same port.

``lose_commit_answer()`` arms the worst moment of all: the next COMMIT a client sends is forwarded
to the server, the server's answer is read (so the transaction is committed) but thrown away, and
then everything is cut as by ``cut()``. The client never learns that its write was saved.
"""

from __future__ import annotations

import contextlib
import socket
import threading

# PostgreSQL's simple-query message for COMMIT: 'Q', int32 length (4 + 7), "COMMIT\0". psycopg
# commits with exactly this message.
COMMIT = b"Q\x00\x00\x00\x0bCOMMIT\x00"


class TcpProxy:
    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.port = 0
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._armed = False
        self.commit_lost = threading.Event()  # set once an armed COMMIT's answer was thrown away
        self.start()

    def lose_commit_answer(self) -> None:
        """Let the next COMMIT through to the server, swallow its answer, then ``cut()``."""
        self.commit_lost.clear()
        self._armed = True

    def start(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(32)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed by cut()
            try:
                server = socket.create_connection(self.upstream, timeout=5)
                server.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets.update((client, server))
            link = {"swallow": False}  # this connection's answers are being thrown away
            for a, b, upstream in ((client, server, True), (server, client, False)):
                threading.Thread(
                    target=self._pump, args=(a, b, upstream, link), daemon=True
                ).start()

    def _pump(
        self, source: socket.socket, target: socket.socket, upstream: bool, link: dict
    ) -> None:
        try:
            while data := source.recv(65536):
                if upstream and self._armed and COMMIT in data:
                    with self._lock:
                        mine, self._armed = self._armed, False
                    link["swallow"] = link["swallow"] or mine
                elif not upstream and link["swallow"]:
                    # The server answered the COMMIT: it is committed. The client never hears it.
                    self.commit_lost.set()
                    self.cut()
                    break
                target.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, target):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        """Drop every connection and refuse new ones, as a server that went away."""
        if self._listener is not None:
            # Shutting down wakes the thread blocked in accept().
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for s in sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def restore(self) -> None:
        if self._listener is None:
            self.start()

    def close(self) -> None:
        self.cut()
