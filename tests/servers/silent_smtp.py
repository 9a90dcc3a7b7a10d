"""An SMTP relay that accepts the TCP connection and never sends its greeting.

The worst relay there is: no refusal, no error, just silence until the client's timeout. The
tests use it to show that a hanging relay delays only its own delivery thread.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Self


class SilentSmtpServer:
    """Accepts connections on a loopback port, holds them open, and says nothing."""

    def __init__(self) -> None:
        self.host = "127.0.0.1"
        self._listener = socket.create_server((self.host, 0))
        self.port: int = self._listener.getsockname()[1]
        self._held: list[socket.socket] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._accept, name="silent-smtp", daemon=True)

    @property
    def connections(self) -> int:
        """How many clients have connected so far."""
        with self._lock:
            return len(self._held)

    def start(self) -> None:
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:  # closed by stop()
                return
            with self._lock:
                self._held.append(conn)

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept() on Linux
        self._listener.close()
        with self._lock:
            for conn in self._held:
                conn.close()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
