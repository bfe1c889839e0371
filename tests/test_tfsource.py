"""TensorFlow checkouts (version, commit, Android configuration) and release downloads."""

from __future__ import annotations

import io
import json
import tarfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from standin.workspace import BAZEL, make_tensorflow_workspace
from tflite_slim.errors import NetworkError, ToolchainError, UsageError
from tflite_slim.http import HttpClient
from tflite_slim.tfsource import (
    SOURCE_RECORD,
    archive_url,
    check_android_configured,
    detect_source,
    fetch_source,
)

SHA = "0123456789abcdef0123456789abcdef01234567"


def test_detect_version_and_git_commit(tmp_path):
    ws = make_tensorflow_workspace(tmp_path / "tf", version="2.17.0")
    src = detect_source(str(ws))
    assert (src.version, src.commit, src.root) == ("2.17.0", None, ws.resolve())
    (ws / ".git/refs/heads").mkdir(parents=True)
    (ws / ".git/HEAD").write_text("ref: refs/heads/main\n")
    (ws / ".git/refs/heads/main").write_text(SHA + "\n")
    assert detect_source(str(ws)).commit == SHA
    (ws / ".git/refs/heads/main").unlink()
    (ws / ".git/packed-refs").write_text(f"# pack-refs with: peeled\n{SHA} refs/heads/main\n")
    assert detect_source(str(ws)).commit == SHA
    (ws / ".git/HEAD").write_text(SHA[::-1] + "\n")  # detached HEAD
    assert detect_source(str(ws)).commit == SHA[::-1]


@pytest.mark.parametrize(
    "files, version",
    [
        ({"tensorflow/tf_version.bzl": 'TF_VERSION = "2.20.0"\n'}, "2.20.0"),
        ({"tensorflow/core/public/version.h":
          "#define TF_MAJOR_VERSION 2\n#define TF_MINOR_VERSION 15\n#define TF_PATCH_VERSION 1\n"}, "2.15.1"),
        ({"tensorflow/tensorflow.bzl": 'VERSION = "2.9.3"\n'}, "2.9.3"),
    ],
)
def test_version_sources(tmp_path, files, version):
    ws = make_tensorflow_workspace(tmp_path / "tf")
    (ws / "tensorflow/tf_version.bzl").unlink()
    (ws / "tensorflow/core/public/version.h").unlink()
    for rel, text in files.items():
        (ws / rel).write_text(text)
    assert detect_source(str(ws)).version == version


@pytest.mark.parametrize(
    "remove, message",
    [
        ("WORKSPACE", "no Bazel WORKSPACE"),
        ("tensorflow/lite/build_def.bzl", "not a TensorFlow checkout"),
        ("version", "cannot tell the TensorFlow version"),
    ],
)
def test_not_a_checkout(tmp_path, remove, message):
    ws = make_tensorflow_workspace(tmp_path / "tf")
    if remove == "version":
        (ws / "tensorflow/tf_version.bzl").unlink()
        (ws / "tensorflow/core/public/version.h").unlink()
    else:
        (ws / remove).unlink()
    with pytest.raises(ToolchainError, match=message):
        detect_source(str(ws))


def test_android_configuration(tmp_path):
    ws = make_tensorflow_workspace(tmp_path / "tf", configured=False)
    with pytest.raises(ToolchainError, match=r"without Android \(no ANDROID_SDK_HOME\); run \./configure"):
        check_android_configured(ws)
    (ws / ".tf_configure.bazelrc").unlink()
    with pytest.raises(ToolchainError, match="not configured"):
        check_android_configured(ws)
    check_android_configured(make_tensorflow_workspace(tmp_path / "ok"))


@pytest.mark.parametrize(
    "env, url",
    [
        ({}, "https://github.com/tensorflow/tensorflow/archive/refs/tags/v2.16.1.tar.gz"),
        ({"TFLITE_SLIM_TF_ARCHIVE_URL": "http://mirror/tf/"}, "http://mirror/tf/v2.16.1.tar.gz"),
        ({"TFLITE_SLIM_TF_ARCHIVE_URL": "http://m/{version}/src.tgz"}, "http://m/2.16.1/src.tgz"),
    ],
)
def test_archive_url(env, url):
    assert archive_url("2.16.1", env) == url


def tarball(tmp_path: Path, version: str, *, comment: str = SHA, extra: dict = None) -> bytes:
    ws = make_tensorflow_workspace(tmp_path / f"build-{version}" / f"tensorflow-{version}", version=version)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", format=tarfile.PAX_FORMAT,
                      pax_headers={"comment": comment}) as tar:
        tar.add(ws, arcname=f"tensorflow-{version}")
        for name, data in (extra or {}).items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


@pytest.fixture
def server():
    files: dict = {}
    hits: list = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            data = files.get(self.path)
            if data is None:
                self.send_response(404)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", files, hits
    httpd.shutdown()
    httpd.server_close()


def test_fetch_downloads_once_records_and_extracts(tmp_path, server):
    base, files, hits = server
    data = tarball(tmp_path, "2.16.1")
    files["/v2.16.1.tar.gz"] = data
    env = {"TFLITE_SLIM_TF_ARCHIVE_URL": base}
    seen = []
    with HttpClient(retries=0) as client:
        src = fetch_source("2.16.1", tmp_path / "cache", client, env=env, progress=lambda d, t: seen.append((d, t)))
        assert (src.version, src.commit) == ("2.16.1", SHA)
        assert src.root == (tmp_path / "cache/tensorflow/2.16.1/src").resolve()
        record = json.loads((src.root / SOURCE_RECORD).read_text())
        assert record["size"] == len(data) and len(record["sha256"]) == 64
        assert seen[-1] == (len(data), len(data))
        again = fetch_source("2.16.1", tmp_path / "cache", client, env=env)
    assert again == src and hits == ["/v2.16.1.tar.gz"]
    assert [p.name for p in (tmp_path / "cache/tensorflow/2.16.1").iterdir()] == ["src"]


def test_fetch_404_and_bad_version(tmp_path, server):
    base, files, hits = server
    with HttpClient(retries=0) as client:
        with pytest.raises(NetworkError, match="HTTP 404 .is it a TensorFlow release tag"):
            fetch_source("9.9.9", tmp_path / "cache", client, env={"TFLITE_SLIM_TF_ARCHIVE_URL": base})
        with pytest.raises(UsageError, match="expected a release"):
            fetch_source("latest", tmp_path / "cache", client)
    assert list((tmp_path / "cache/tensorflow/9.9.9").iterdir()) == []


@pytest.mark.parametrize("bad", ["../evil.txt", "/abs.txt"])
def test_unsafe_archive_is_refused_and_nothing_kept(tmp_path, server, bad):
    base, files, hits = server
    files["/v2.16.1.tar.gz"] = tarball(tmp_path, "2.16.1", extra={bad: b"x"})
    with HttpClient(retries=0) as client:
        with pytest.raises(NetworkError, match="refusing"):
            fetch_source("2.16.1", tmp_path / "cache", client, env={"TFLITE_SLIM_TF_ARCHIVE_URL": base})
    assert list((tmp_path / "cache/tensorflow/2.16.1").iterdir()) == []
    assert not (tmp_path / "evil.txt").exists()


def test_build_with_tensorflow_version(tmp_path, server, monkeypatch):
    """--tensorflow-version downloads, then builds in the downloaded tree (stand-in bazel)."""
    from modelmaker import ADD, Op, builtin, make_model
    from tflite_slim.builder import BuildSettings, build

    base, files, hits = server
    files["/v2.16.1.tar.gz"] = tarball(tmp_path, "2.16.1")
    monkeypatch.setenv("TFLITE_SLIM_TF_ARCHIVE_URL", base)
    model = tmp_path / "a.tflite"
    model.write_bytes(make_model([builtin(ADD, 1)], [[Op(0)]]))
    s = BuildSettings(models=(str(model),), out=str(tmp_path / "out"), tensorflow_version="2.16.1",
                      bazel=str(BAZEL), cache_dir=str(tmp_path / "cache"))
    result = build(s)
    record = json.loads((tmp_path / "out/ops.json").read_text())
    assert record["tensorflow"] == {"version": "2.16.1", "commit": SHA}
    assert result.plan.tf_commit == SHA and hits == ["/v2.16.1.tar.gz"]
