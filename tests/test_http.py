"""The HTTP seam against a real server on 127.0.0.1."""

from __future__ import annotations

import gzip
import time
from pathlib import Path
from typing import Iterator

import pytest

from repo_server import RepoServer
from tflite_slim.errors import NetworkError
from tflite_slim.http import MAX_RETRY_AFTER, USER_AGENT, DeadlineExceeded, HttpClient, redact_url


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RepoServer]:
    with RepoServer(tmp_path / "served", credentials=None) as repo:
        yield repo


def test_get_streams_body_with_user_agent(server):
    url = server.serve("a", b"x" * 3000)
    with HttpClient() as client:
        response = client.get(url, stream=True)
        body = b"".join(HttpClient.iter_body(response, chunk_size=1000))
    assert response.status_code == 200 and body == b"x" * 3000
    assert server.paths() == ["/maven/a"] and server.user_agents == [USER_AGENT]


def test_retries_server_errors(server):
    url = server.serve("b", b"ok")
    server.fail_next = 2
    with HttpClient(retries=3, backoff=0) as client:
        assert client.get(url).status_code == 200
    assert server.requests == [("GET", "/maven/b", 500), ("GET", "/maven/b", 500), ("GET", "/maven/b", 200)]


def test_gives_up_after_retries(server):
    url = server.serve("c", b"ok")
    server.fail_next = 10
    with HttpClient(retries=1, backoff=0) as client:
        response = client.get(url)
    # With retries spent the last answer comes back for the caller to judge.
    assert response.status_code == 500
    assert server.requests == [("GET", "/maven/c", 500), ("GET", "/maven/c", 500)]


def test_put_sends_bytes(server):
    with HttpClient() as client:
        assert client.put(f"{server.url}/p/x.aar", b"abc").status_code == 201
    assert server.files() == {"p/x.aar": b"abc"}


def test_connection_refused_is_a_network_error_without_credentials(tmp_path: Path):
    with RepoServer(tmp_path / "gone", credentials=None) as gone:
        port = gone.httpd.server_address[1]
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
        # Never raise: these are what error messages about a bad URL are made of.
        ("http://u:pw@[::1/maven", "http://***@[::1/maven"),
        ("http://u:pw@h:99999999/m", "http://***@h:99999999/m"),
        ("http://u:pw@h:abc/m", "http://***@h:abc/m"),
        ("http://u:p@ss@[::1]:8080/m", "http://***@[::1]:8080/m"),
    ],
)
def test_redact_url(url, shown):
    assert redact_url(url) == shown


def test_iter_raw_gives_the_bytes_as_sent(server):
    """No Content-Encoding decoding: what Content-Length counted is what we get (and checksum)."""
    body = gzip.compress(b"tar bytes " * 1000)
    url = server.serve("x.tar.gz", body)
    server.get_headers["Content-Encoding"] = "gzip"
    with HttpClient(retries=0) as client:
        response = client.get(url, stream=True)
        got = b"".join(HttpClient.iter_raw(response, chunk_size=1000))
    assert got == body and int(response.headers["Content-Length"]) == len(body)


def test_iter_raw_deadline_ends_a_blocked_read(server):
    """The whole body in one read that never fills: the watchdog, not the read timeout, ends it."""
    url = server.serve("slow.bin", b"z" * 200)
    server.trickle = 0.05  # 10 s in all, each byte well inside the read timeout
    started = time.monotonic()
    with HttpClient(retries=0) as client:
        response = client.get(url, stream=True, deadline=0.5)
        with pytest.raises(DeadlineExceeded, match=r"did not finish within 0\.5 s"):
            for _ in HttpClient.iter_raw(response, chunk_size=1 << 20):
                pass
    assert time.monotonic() - started < 3
@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_put_never_follows_a_redirect(server, tmp_path: Path, status: int) -> None:
    """Followed, a 301 re-sends an empty body, a 302/303 becomes a GET whose 200 looks like an upload."""
    with RepoServer(tmp_path / "elsewhere", credentials=None) as elsewhere:
        server.redirect = (status, f"{elsewhere.url}/a")
        with HttpClient(auth=("deployer", "s3cret"), retries=0) as client:
            response = client.put(f"{server.url}/a", b"payload")
            assert response.status_code == status and response.headers["Location"] == f"{elsewhere.url}/a"
            # GET still follows when asked (source downloads), but not when told not to.
            assert client.get(f"{server.url}/a", allow_redirects=False).status_code == status
            assert client.head(f"{server.url}/a", allow_redirects=False).status_code == status
        assert elsewhere.requests == []


@pytest.mark.parametrize("retry_after", ["86400", "Wed, 21 Oct 2099 07:28:00 GMT"])
def test_a_servers_retry_after_is_honoured_only_up_to_a_minute(retry_after: str) -> None:
    """A 503 with ``Retry-After: 86400`` must not stall a deploy for hours (urllib3 sleeps up to 6 h per retry)."""
    import urllib3

    with HttpClient(retries=3) as client:
        retry = client.session.get_adapter("https://repo.example/").max_retries
        answer = urllib3.HTTPResponse(b"", headers={"Retry-After": retry_after}, status=503)
        assert retry.get_retry_after(answer) == MAX_RETRY_AFTER == 60
        assert retry.get_retry_after(urllib3.HTTPResponse(b"", headers={"Retry-After": "2"}, status=503)) == 2
        # And what urllib3 hands on after one retry keeps the cap.
        assert retry.increment("GET", "/x", answer).get_retry_after(answer) == MAX_RETRY_AFTER


@pytest.mark.parametrize("url", ["http://alice:s3cret@h:99999/x", "http://alice:s3cret@/x", "http://alice:s3cret@h:abc/x"])
def test_an_unparsable_url_with_credentials_is_not_quoted_back(url: str) -> None:
    """requests' InvalidURL message quotes the whole URL, credentials included ("Failed to parse: http://...")."""
    with HttpClient(retries=0) as client, pytest.raises(NetworkError) as info:
        client.get(url)
    assert "s3cret" not in str(info.value) and "alice" not in str(info.value)
    assert str(info.value).startswith(f"GET {redact_url(url)} failed: ")


def _netrc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A netrc with an entry for 127.0.0.1 and the `default` entry the README suggests for deploy."""
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login alice password s3cret\ndefault login bob password hunter2\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("HOME", str(tmp_path))


def test_no_credentials_are_sent_unless_given(server, tmp_path: Path, monkeypatch) -> None:
    """requests sent ~/.netrc entries (even the default one) to any host, plain http included."""
    _netrc(tmp_path, monkeypatch)
    url = server.serve("a", b"x")
    with HttpClient(retries=0) as client:
        assert client.get(url).status_code == 200
        assert client.get(url.replace("://", "://carol:pw@")).status_code == 200
    assert server.authorizations == [None, None]


def test_a_redirect_picks_up_no_netrc_credentials(server, tmp_path: Path, monkeypatch) -> None:
    """requests' rebuild_auth looks the redirect's host up in netrc and sends what it finds there."""
    _netrc(tmp_path, monkeypatch)
    with RepoServer(tmp_path / "other", credentials=None) as other:
        target = other.serve("a", b"x")
        server.redirect = (302, target)
        with HttpClient(retries=0) as client:
            assert client.get(f"{server.url}/a").status_code == 200
        assert other.authorizations == [None]


def test_credentials_outside_latin1_are_sent_as_utf8(tmp_path: Path) -> None:
    """requests encodes Basic credentials as Latin-1: a UnicodeEncodeError traceback quoting a password character."""
    creds = ("jürgen", "pässwörd€✓")
    with RepoServer(tmp_path / "served", credentials=creds) as repo:
        url = repo.serve("a", b"x")
        with HttpClient(auth=creds, retries=0) as client:
            assert client.get(url).status_code == 200


@pytest.mark.parametrize("user, password", [("a:b", "pw"), ("a", "p\nw"), ("a", "p\0w")])
def test_credentials_basic_auth_cannot_carry_are_refused_without_quoting(user: str, password: str) -> None:
    from tflite_slim.errors import UsageError

    with pytest.raises(UsageError) as info:
        HttpClient(auth=(user, password))
    assert password not in str(info.value) and "pw" not in str(info.value).replace("password", "")


def test_retries_say_one_line_of_ours_not_urllib3s(server, caplog):
    """urllib3 logs ``WARNING ... Retrying (Retry(total=...))`` per attempt; the user gets one line of ours."""
    import logging

    url = server.serve("r", b"ok")
    server.fail_next = 2
    lines: list[str] = []
    with caplog.at_level(logging.DEBUG):
        with HttpClient(retries=3, backoff=0, notify=lines.append) as client:
            assert client.get(url).status_code == 200
    assert lines == [f"tflite-slim: GET {url} answered 500; retrying (at most 3 more times)"]
    assert not [r for r in caplog.records if "Retrying" in r.getMessage()]


@pytest.mark.parametrize("stream", [False, True])
def test_one_deadline_covers_the_headers_too(server, stream):
    """Issue 29 #3: a server sending its headers a byte at a time (each read on time) cannot hold a request:
    one deadline covers connect, headers and body, retries included."""
    url = server.serve("slow.xml", b"<metadata/>")
    server.trickle_headers = 0.1  # about 5 s for the answer, each byte well inside the read timeout
    started = time.monotonic()
    with HttpClient(deadline=0.5) as client, pytest.raises(DeadlineExceeded) as e:
        response = client.get(url, stream=stream)
        b"".join(HttpClient.iter_body(response))
    assert time.monotonic() - started < 3
    assert str(e.value) == f"GET {url} did not finish within 0.5 s (overall limit; check the server and the network)"
