"""A small HTTP receiver on 127.0.0.1 for webhook tests and the throughput benchmark.

``Receiver(behaviour)`` serves in a background thread; ``behaviour(request_number, body,
headers)`` returns a ``Reply`` (status, headers, body, delay). Every request is recorded.
``foreign_service(banner)`` is a port where something other than HTTP answers first.
"""

import http.server
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b"ok"
    delay: float = 0.0


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


Behaviour = Callable[[int, bytes, dict[str, str]], Reply]


def always(status: int = 200, **kwargs) -> Behaviour:
    """Answer every request the same way."""
    return lambda number, body, headers: Reply(status=status, **kwargs)


def sequence(*statuses: int) -> Behaviour:
    """Answer with these statuses in turn, then repeat the last one."""
    return lambda number, body, headers: Reply(status=statuses[min(number, len(statuses) - 1)])


class Receiver:
    """A threaded HTTP/1.1 server bound to 127.0.0.1 on a free port."""

    def __init__(self, behaviour: Behaviour | None = None, *, record: bool = True) -> None:
        self.behaviour = behaviour or always(200)
        self.received: list[Received] = []
        self.count = 0
        self._record = record
        self._lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                # Answer at once instead of waiting for delayed ACKs (Nagle), like real servers.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                with receiver._lock:
                    number = receiver.count
                    receiver.count += 1
                    if receiver._record:
                        receiver.received.append(Received(self.path, headers, body))
                reply = receiver.behaviour(number, body, headers)
                if reply.delay:
                    time.sleep(reply.delay)
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                try:
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST  # noqa: N815

            def log_message(self, format: str, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> "Receiver":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def foreign_service(banner: bytes) -> int:
    """A one-connection server where something other than HTTP (SSH, SMTP...) greets first
    with ``banner``; its port on 127.0.0.1."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)

    def greet() -> None:
        connection, _ = server.accept()
        with connection, server:
            connection.sendall(banner)
            try:
                connection.recv(65536)
            except OSError:
                pass

    threading.Thread(target=greet, daemon=True).start()
    return server.getsockname()[1]
