"""The tests' HTTP server on 127.0.0.1: a small Maven repository, or any file server.

Stores PUT bodies under a directory and serves them back with GET/HEAD, like
a WebDAV-backed repository; :meth:`RepoServer.serve` places a file to download. Basic auth is required for every request when
``credentials`` is set; ``fail_next`` answers that many coming requests
(only those of ``fail_method`` when set) with 500; ``immutable`` refuses a second PUT of the same non-metadata file with
400, as release repositories (Nexus, Artifactory) do. ``fail_puts_from = N``
answers the Nth PUT and every later one with 500 (a server that breaks down
half-way through a deploy). ``redirect = (status, location)`` answers requests
(only those of ``redirect_method`` when set) with that 3xx.
``get_headers`` are added to every successful GET (e.g. ``Content-Encoding``);
``trickle`` sends GET bodies one byte per that many seconds (a stalling mirror);
``trickle_headers`` sends a GET answer's status line and headers that way too.
Every request is logged as ``(method, path, status)``, its User-Agent in
``user_agents`` and its Authorization header in ``authorizations``. ``host``
picks the address to listen on (default 127.0.0.1).
"""

from __future__ import annotations

import base64
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Optional, Tuple


class RepoServer:
    def __init__(
        self, root: Path, credentials: Optional[Tuple[str, str]] = ("deployer", "s3cret"), host: str = "127.0.0.1"
    ) -> None:
        self.root = root
        self.credentials = credentials
        self.fail_next = 0
        self.fail_method: Optional[str] = None
        self.fail_puts_from: Optional[int] = None
        self.puts_seen = 0
        self.redirect: Optional[Tuple[int, str]] = None
        self.redirect_method: Optional[str] = None
        self.authorizations: list[Optional[str]] = []
        self.immutable = True
        self.get_headers: dict[str, str] = {}
        self.trickle: Optional[float] = None
        self.trickle_headers: Optional[float] = None
        self.requests: list[tuple[str, str, int]] = []
        self.user_agents: list[Optional[str]] = []
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer((host, 0), _handler(self))
        # A client that hangs up mid-body (a refused huge file) is expected: no traceback on stderr,
        # which a later test's capsys would otherwise catch from this server's still running thread.
        self.httpd.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
        self.url = f"http://{host}:{self.httpd.server_address[1]}/maven"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> "RepoServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def serve(self, name: str, data: bytes) -> str:
        """Put ``data`` at ``name`` (relative to the repository) and return its URL."""
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return f"{self.url}/{name}"

    def paths(self, method: str = "GET") -> list[str]:
        """The paths requested with ``method``, in order."""
        return [p for m, p, _ in self.requests if m == method]

    def files(self) -> dict[str, bytes]:
        return {str(p.relative_to(self.root)): p.read_bytes() for p in sorted(self.root.rglob("*")) if p.is_file()}


def _handler(server: RepoServer) -> type:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # keep pytest output clean
            pass

        def _answer(self, status: int, body: bytes = b"", head: bool = False, location: Optional[str] = None) -> None:
            with server.lock:
                server.requests.append((self.command, self.path, status))
                server.user_agents.append(self.headers.get("User-Agent"))
                server.authorizations.append(self.headers.get("Authorization"))
            if self.command == "GET" and status == 200 and server.trickle_headers:
                return self._trickled(status, body, server.trickle_headers)
            self.send_response(status)
            if status == 401:
                self.send_header("WWW-Authenticate", 'Basic realm="maven"')
            if self.command == "GET" and status == 200:
                for name, value in server.get_headers.items():
                    self.send_header(name, value)
            if location is not None:
                self.send_header("Location", location)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if head:
                return
            if self.command == "GET" and status == 200 and server.trickle:
                try:
                    for i in range(len(body)):
                        self.wfile.write(body[i:i + 1])
                        self.wfile.flush()
                        time.sleep(server.trickle)
                except OSError:  # the client gave up: that is the point of trickling
                    self.close_connection = True
                return
            self.wfile.write(body)

        def _trickled(self, status: int, body: bytes, seconds: float) -> None:
            """The whole answer one byte at a time (headers included): a server that never quite stalls."""
            head = f"HTTP/1.1 {status} OK\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body
            try:
                for i in range(len(head)):
                    self.wfile.write(head[i:i + 1])
                    self.wfile.flush()
                    time.sleep(seconds)
            except OSError:
                pass
            self.close_connection = True

        def _gate(self) -> bool:
            """True when the request may proceed; answers 500/401 itself otherwise."""
            with server.lock:
                if self.command == "PUT":
                    server.puts_seen += 1
                if server.fail_next > 0 and server.fail_method in (None, self.command):
                    server.fail_next -= 1
                    failing = True
                else:
                    failing = self.command == "PUT" and server.fail_puts_from is not None and (
                        server.puts_seen >= server.fail_puts_from
                    )
                redirect = server.redirect if server.redirect_method in (None, self.command) else None
            if redirect is not None:
                self._answer(redirect[0], b"moved", head=self.command == "HEAD", location=redirect[1])
                return False
            if failing:
                self._answer(500, b"injected failure")
                return False
            if server.credentials is not None:
                expected = "Basic " + base64.b64encode(":".join(server.credentials).encode()).decode()
                if self.headers.get("Authorization") != expected:
                    self._answer(401, b"authentication required")
                    return False
            return True

        def _path(self) -> Optional[Path]:
            prefix = "/maven/"
            if not self.path.startswith(prefix) or ".." in self.path:
                return None
            return server.root / self.path[len(prefix):]

        def do_PUT(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if not self._gate():
                return
            path = self._path()
            if path is None:
                return self._answer(404)
            metadata = path.name.startswith("maven-metadata.xml")
            if server.immutable and path.exists() and not metadata:
                return self._answer(400, b"release artifacts cannot be redeployed")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(body)
            self._answer(201)

        def _serve(self, head: bool) -> None:
            if not self._gate():
                return
            path = self._path()
            if path is None or not path.is_file():
                return self._answer(404, head=head)
            self._answer(200, path.read_bytes(), head=head)

        def do_GET(self) -> None:
            self._serve(False)

        def do_HEAD(self) -> None:
            self._serve(True)

    return Handler
