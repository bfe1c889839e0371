"""``tflite-slim verify --url URL --coordinates G:A:V``: the deployed ops.json, read from that repository only.

The repository is the tests' HTTP server on 127.0.0.1 (tests/repo_server.py).
What the Gradle plugin's team flow relies on on Gradle 4.4: the exit status
tells covered (0), lacking (1), unreadable (2) and not deployed (3) apart;
credentials come from the environment and never appear in output.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import modelmaker as mm
from repo_server import RepoServer
from tflite_slim.analysis.opset import OpSet, dumps, opset_to_json
from tflite_slim.cli import main
from tflite_slim.maven import remote

G, A, V = "io.tfliteslim", "tensorflow-lite", "2.16.1-slim-0123456789ab"
GAV = f"{G}:{A}:{V}"
OPS_PATH = f"io/tfliteslim/{A}/{V}/{A}-{V}-ops.json"
PASSWORD = "s3cret"


def record(ops: OpSet) -> bytes:
    return dumps({"format_version": 1, "op_set": opset_to_json(ops)}).encode()


@pytest.fixture()
def server(tmp_path: Path):
    with RepoServer(tmp_path / "served") as s:
        yield s


@pytest.fixture()
def models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """One model needing ADD v1; no machine netrc/settings.xml; the password in DEPLOY_PW."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("NETRC", raising=False)
    monkeypatch.setenv("DEPLOY_PW", PASSWORD)
    assets = tmp_path / "assets"
    assets.mkdir()
    (assets / "a.tflite").write_bytes(mm.make_model([mm.builtin(mm.ADD)], [[mm.Op(0)]]))
    return assets


def verify(server: RepoServer, models: Path, *extra: str, url: str = "") -> int:
    return main(["verify", "--url", url or server.url, "--coordinates", GAV,
                 "--username", "deployer", "--password-env", "DEPLOY_PW", *extra, str(models)])


def test_covered_reads_the_deployed_file_with_the_credentials(server: RepoServer, models: Path, capsys) -> None:
    server.serve(OPS_PATH, record(OpSet({"ADD": (1,)})))
    assert verify(server, models) == 0
    out, err = capsys.readouterr()
    assert out == f"ok: the runtime in {server.url}/{OPS_PATH} covers the 1 model\n"
    assert server.paths() == [f"/maven/{OPS_PATH}"]
    assert PASSWORD not in out + err


def test_lacking_op_is_exit_1_naming_the_url(server: RepoServer, models: Path, capsys) -> None:
    server.serve(OPS_PATH, record(OpSet({"CONV_2D": (1,)})))
    assert verify(server, models) == 1
    err = capsys.readouterr().err
    assert f"the runtime in {server.url}/{OPS_PATH} lacks 1 op that the models need" in err
    assert "ADD version 1: needed by" in err


def test_not_deployed_is_exit_3(server: RepoServer, models: Path, capsys) -> None:
    assert verify(server, models) == 3
    err = capsys.readouterr().err
    assert err.strip() == (
        f"error: GET {server.url}/{OPS_PATH} answered 404 Not Found; {GAV} is not deployed to {server.url}: "
        "deploy it there (tflite-slim deploy), or check the version"
    )


def test_refused_credentials_name_their_source(server: RepoServer, models: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("DEPLOY_PW", "wrong")
    assert verify(server, models) == 2
    err = capsys.readouterr().err
    assert "answered 401" in err and "--username and $DEPLOY_PW were refused" in err and "wrong" not in err


def test_a_redirect_is_never_followed(server: RepoServer, models: Path, tmp_path: Path, capsys) -> None:
    with RepoServer(tmp_path / "elsewhere", credentials=None) as elsewhere:
        elsewhere.serve(OPS_PATH, record(OpSet({"ADD": (1,)})))
        server.redirect = (302, f"{elsewhere.url}/{OPS_PATH}")
        assert verify(server, models) == 2
        assert elsewhere.requests == []
    err = capsys.readouterr().err
    assert "follows no redirects" in err and f"redirecting to {elsewhere.url}/{OPS_PATH}" in err


def test_an_oversized_file_is_refused_unread(server: RepoServer, models: Path, capsys, monkeypatch) -> None:
    monkeypatch.setattr(remote, "MAX_OPS_JSON", 1 << 20)
    server.serve(OPS_PATH, b" " * (3 << 20))
    assert verify(server, models) == 2
    err = capsys.readouterr().err
    assert f"GET {server.url}/{OPS_PATH}: larger than 1 MiB" in err


def test_a_trickling_server_cannot_hold_the_check(server: RepoServer, models: Path, capsys, monkeypatch) -> None:
    monkeypatch.setattr(remote, "_hash_deadline", lambda size: 0.5)
    server.serve(OPS_PATH, record(OpSet({"ADD": (1,)})))
    server.trickle = 0.2
    assert verify(server, models) == 2
    err = capsys.readouterr().err
    assert f"GET {server.url}/{OPS_PATH} did not finish within 0.5 s" in err


def test_a_server_trickling_its_headers_cannot_hold_the_check(server: RepoServer, models: Path, capsys,
                                                              monkeypatch) -> None:
    """Issue 29 #3: the deadline covers the whole request; it used to start after the response headers."""
    import time

    monkeypatch.setattr(remote, "_hash_deadline", lambda size: 0.5)
    server.serve(OPS_PATH, record(OpSet({"ADD": (1,)})))
    server.trickle_headers = 0.1  # the headers alone take about 4 s
    started = time.monotonic()
    assert verify(server, models) == 2
    assert time.monotonic() - started < 2
    err = capsys.readouterr().err
    assert err == (f"error: GET {server.url}/{OPS_PATH} did not finish within 0.5 s (overall limit; check the "
                   "server and the network)\n")


@pytest.mark.parametrize("body", [b"\xff\xfe not utf-8", b"{\"op_set\": ", b"[]"])
def test_a_malformed_file_is_one_error_line(server: RepoServer, models: Path, capsys, body: bytes) -> None:
    server.serve(OPS_PATH, body)
    assert verify(server, models) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {server.url}/{OPS_PATH}: ") and err.count("\n") == 1


def test_credentials_over_plain_http_to_another_machine_are_refused_unsent(models: Path, capsys) -> None:
    # Nothing listens there: the refusal comes before any connection.
    assert main(["verify", "--url", "http://repo.example/maven", "--coordinates", GAV,
                 "--username", "u", "--password-env", "DEPLOY_PW", str(models)]) == 2
    err = capsys.readouterr().err
    assert "is plain http" in err and "nothing was sent" in err and PASSWORD not in err


def test_url_credentials_are_refused_and_redacted(models: Path, capsys) -> None:
    assert main(["verify", "--url", "https://u:pw@repo.example/maven", "--coordinates", GAV, str(models)]) == 2
    err = capsys.readouterr().err
    assert "https://***@repo.example/maven carries credentials" in err and "pw@" not in err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--url", "https://repo.example/maven"], "--url needs --coordinates G:A:V"),
        (["--url", "https://repo.example/maven", "--coordinates", "a:b"], "is not G:A:V"),
        # The coordinates become the URL's path: no climbing out of the runtime's directory.
        (["--url", "https://repo.example/maven", "--coordinates", "io..x:a:1"], "is not a valid Maven id"),
        (["--url", "https://repo.example/maven", "--coordinates", "io.x:a:../1"], "is not a usable Maven version"),
        (["--ops", "ops.json", "--coordinates", GAV], "--coordinates goes with --url"),
        (["--ops", "ops.json", "--username", "u"], "--username goes with --url"),
    ],
)
def test_usage_errors(models: Path, capsys, argv: list, message: str) -> None:
    assert main(["verify", *argv, str(models)]) == 2
    assert message in capsys.readouterr().err


def _netrc_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A netrc whose only entry is `default`, which Python's netrc (and deploy) uses for any host."""
    netrc = tmp_path / "netrc"
    netrc.write_text("default login someone password netrc-secret\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))


def test_netrc_default_entry_is_sent_without_no_netrc(server: RepoServer, models: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The baseline --no-netrc changes: without it and without --username, the netrc `default` goes along."""
    _netrc_default(tmp_path, monkeypatch)
    server.credentials = None  # an anonymous repository: whatever arrives is what the client chose to send
    server.serve(OPS_PATH, record(OpSet({"ADD": (1,)})))
    assert main(["verify", "--url", server.url, "--coordinates", GAV, str(models)]) == 0
    assert server.authorizations and all(a is not None for a in server.authorizations)


def test_no_netrc_sends_no_credentials_the_caller_did_not_give(server: RepoServer, models: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    """Issue 29.7: the Gradle plugin states the credentials (none here); ~/.netrc's default must not be sent."""
    _netrc_default(tmp_path, monkeypatch)
    server.credentials = None
    server.serve(OPS_PATH, record(OpSet({"ADD": (1,)})))
    assert main(["verify", "--url", server.url, "--coordinates", GAV, "--no-netrc", str(models)]) == 0
    assert server.authorizations == [None]
    assert "netrc-secret" not in "".join(capsys.readouterr())


def test_no_netrc_keeps_the_credentials_given(server: RepoServer, models: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    _netrc_default(tmp_path, monkeypatch)
    server.serve(OPS_PATH, record(OpSet({"ADD": (1,)})))
    assert verify(server, models, "--no-netrc") == 0
    import base64
    assert server.authorizations == ["Basic " + base64.b64encode(f"deployer:{PASSWORD}".encode()).decode()]
