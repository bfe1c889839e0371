"""The HTTP seam against a real server on 127.0.0.1."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

import pytest

from tflite_slim.errors import NetworkError
from tflite_slim.http import USER_AGENT, HttpClient, redact_url


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep pytest output clean
        pass

    def do_GET(self) -> None:
        server = self.server
        server.seen.append((self.command, self.path, self.headers.get("User-Agent")))
        if server.fail_next > 0:
            server.fail_next -= 1
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b"x" * 3000
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_PUT(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self.server.seen.append((self.command, self.path, self.rfile.read(length)))
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.seen = []
    httpd.fail_next = 0
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def _url(server: ThreadingHTTPServer, path: str) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}{path}"


def test_get_streams_body_with_user_agent(server):
    with HttpClient() as client:
        response = client.get(_url(server, "/a"), stream=True)
        body = b"".join(HttpClient.iter_body(response, chunk_size=1000))
    assert response.status_code == 200 and body == b"x" * 3000
    assert server.seen == [("GET", "/a", USER_AGENT)]


def test_retries_server_errors(server):
    server.fail_next = 2
    with HttpClient(retries=3, backoff=0) as client:
        assert client.get(_url(server, "/b")).status_code == 200
    assert [s[1] for s in server.seen] == ["/b", "/b", "/b"]


def test_gives_up_after_retries(server):
    server.fail_next = 10
    with HttpClient(retries=1, backoff=0) as client:
        response = client.get(_url(server, "/c"))
    # With retries spent the last answer comes back for the caller to judge.
    assert response.status_code == 503
    assert len(server.seen) == 2


def test_put_sends_bytes(server):
    with HttpClient() as client:
        assert client.put(_url(server, "/p/x.aar"), b"abc").status_code == 201
    assert server.seen == [("PUT", "/p/x.aar", b"abc")]


def test_connection_refused_is_a_network_error_without_credentials(server):
    port = server.server_address[1]
    server.shutdown()
    server.server_close()
    with HttpClient(retries=0) as client, pytest.raises(NetworkError) as info:
        client.get(f"http://alice:s3cret@127.0.0.1:{port}/x")
    assert "s3cret" not in str(info.value) and "alice" not in str(info.value)
    assert f"GET http://***@127.0.0.1:{port}/x failed" in str(info.value)


@pytest.mark.parametrize(
    "url, shown",
    [
        ("https://repo.example/maven", "https://repo.example/maven"),
        ("https://u:p@repo.example/m?x=1", "https://***@repo.example/m?x=1"),
        ("http://token@127.0.0.1:8080/r", "http://***@127.0.0.1:8080/r"),
    ],
)
def test_redact_url(url, shown):
    assert redact_url(url) == shown
