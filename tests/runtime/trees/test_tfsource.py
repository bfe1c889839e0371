"""TensorFlow checkouts (version, commit, Android configuration) and release downloads."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile
import time
from pathlib import Path

import pytest

from repo_server import RepoServer
from standin.workspace import BAZEL, make_android_ndk, make_android_sdk, make_tensorflow_workspace
from tflite_slim.runtime.builder import BuildSettings, build, prepare
from tflite_slim.errors import NetworkError, ToolchainError, UsageError
from tflite_slim.http import HttpClient
from tflite_slim.runtime.trees.layout import LITERT, TENSORFLOW
from tflite_slim.runtime.trees import tarball as tarfilter
from tflite_slim.runtime.trees.tfsource import (
    SOURCE_RECORD,
    archive_url,
    cached_source,
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
        ("tensorflow/lite/build_def.bzl", "neither tflite/build_def.bzl .LiteRT. nor tensorflow/lite/build_def.bzl"),
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


@pytest.mark.parametrize(
    "template, message",
    [
        ("https://m/{x}/v{version}.tar.gz", "only {version} may appear in braces"),
        ("https://m/{0}.tar.gz", "only {version} may appear in braces"),
        ("https://m/{", "only {version} may appear in braces"),
        ("https://m/}{version}", "only {version} may appear in braces"),
        ("https://m/{version.__class__}", "only {version} may appear in braces"),
        ("https://u:TOKEN@m/", "carries credentials, but source downloads send none"),
    ],
)
def test_archive_url_takes_only_the_documented_placeholder(template: str, message: str) -> None:
    """str.format crashed on {x}, {0} or a lone {, and evaluated {version.__class__}."""
    with pytest.raises(UsageError) as info:
        archive_url("2.16.1", {"TFLITE_SLIM_TF_ARCHIVE_URL": template})
    assert message in str(info.value) and "TOKEN" not in str(info.value)
    assert str(info.value).startswith("TFLITE_SLIM_TF_ARCHIVE_URL=")


def tarball(tmp_path: Path, version: str, *, comment: str = SHA, extra: dict = None, configured=True) -> bytes:
    ws = make_tensorflow_workspace(tmp_path / f"build-{version}" / f"tensorflow-{version}", version=version,
                                   configured=configured)
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
def server(tmp_path):
    with RepoServer(tmp_path / "served", credentials=None) as repo:
        yield repo


ARCHIVE = "v2.16.1.tar.gz"


def test_fetch_downloads_once_records_and_extracts(tmp_path, server):
    data = tarball(tmp_path, "2.16.1")
    server.serve(ARCHIVE, data)
    env = {"TFLITE_SLIM_TF_ARCHIVE_URL": server.url}
    seen = []
    with HttpClient(retries=0) as client:
        src = fetch_source("2.16.1", tmp_path / "cache", client, env=env, progress=lambda d, t: seen.append((d, t)))
        assert (src.version, src.commit) == ("2.16.1", SHA)
        assert src.root == (tmp_path / "cache/tensorflow/2.16.1/src").resolve()
        record = json.loads((src.root / SOURCE_RECORD).read_text())
        assert record["size"] == len(data) and len(record["sha256"]) == 64
        assert seen[-1] == (len(data), len(data))
        again = fetch_source("2.16.1", tmp_path / "cache", client, env=env)
    assert again == src and server.paths() == [f"/maven/{ARCHIVE}"]
    assert [p.name for p in (tmp_path / "cache/tensorflow/2.16.1").iterdir()] == ["src"]


def test_a_download_sends_no_netrc_credentials(tmp_path, server, monkeypatch):
    """The netrc `default` entry (the README's advice for deploy) went to the archive host, plain http too."""
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login alice password s3cret\ndefault login bob password hunter2\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("HOME", str(tmp_path))
    server.serve(ARCHIVE, tarball(tmp_path, "2.16.1"))
    with HttpClient(retries=0) as client:
        fetch_source("2.16.1", tmp_path / "cache", client, env={"TFLITE_SLIM_TF_ARCHIVE_URL": server.url})
    assert server.authorizations == [None]


def test_fetch_404_and_bad_version(tmp_path, server):
    with HttpClient(retries=0) as client:
        with pytest.raises(NetworkError, match="HTTP 404 .is it a TensorFlow release tag"):
            fetch_source("9.9.9", tmp_path / "cache", client, env={"TFLITE_SLIM_TF_ARCHIVE_URL": server.url})
        with pytest.raises(UsageError, match="expected a release"):
            fetch_source("latest", tmp_path / "cache", client)
    assert list((tmp_path / "cache/tensorflow/9.9.9").iterdir()) == []


@pytest.mark.parametrize("bad", ["../evil.txt", "/abs.txt"])
def test_unsafe_archive_is_refused_and_nothing_kept(tmp_path, server, bad):
    server.serve(ARCHIVE, tarball(tmp_path, "2.16.1", extra={bad: b"x"}))
    with HttpClient(retries=0) as client:
        with pytest.raises(NetworkError, match="refusing"):
            fetch_source("2.16.1", tmp_path / "cache", client, env={"TFLITE_SLIM_TF_ARCHIVE_URL": server.url})
    assert list((tmp_path / "cache/tensorflow/2.16.1").iterdir()) == []
    assert not (tmp_path / "evil.txt").exists()


def _model(tmp_path: Path, weights: bytes = b"") -> Path:
    from modelmaker import ADD, Op, builtin, make_model

    model = tmp_path / "a.tflite"
    model.write_bytes(make_model([builtin(ADD, 1)], [[Op(0)]], buffers=[weights] if weights else ()))
    return model


@pytest.fixture
def release(tmp_path, server, monkeypatch):
    """TensorFlow 2.16.1's archive as GitHub serves it (never configured), an SDK and NDK in the env."""
    server.serve(ARCHIVE, tarball(tmp_path, "2.16.1", configured=None))
    monkeypatch.setenv("TFLITE_SLIM_TF_ARCHIVE_URL", server.url)
    for name in ("ANDROID_SDK_HOME", "ANDROID_HOME", "ANDROID_SDK_ROOT", "ANDROID_NDK_HOME", "ANDROID_NDK_ROOT",
                 "ANDROID_API_LEVEL", "ANDROID_NDK_API_LEVEL", "ANDROID_BUILD_TOOLS_VERSION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ANDROID_HOME", str(make_android_sdk(tmp_path / "sdk")))
    monkeypatch.setenv("ANDROID_NDK_HOME", str(make_android_ndk(tmp_path / "ndk")))
    log = tmp_path / "bazel.log"
    monkeypatch.setenv("TFLITE_SLIM_STANDIN_LOG", str(log))
    return server, log


def _calls(log: Path) -> list[list[str]]:
    return [json.loads(line)["argv"] for line in log.read_text().splitlines()] if log.exists() else []


def test_build_with_tensorflow_version(tmp_path, release):
    """Download -> configure the cached tree for Android -> stand-in bazel build -> AARs; all once."""
    server, log = release
    s = BuildSettings(models=(str(_model(tmp_path)),), out=str(tmp_path / "out"), tensorflow_version="2.16.1",
                      bazel=str(BAZEL), cache_dir=str(tmp_path / "cache"))
    result = build(s, log=lambda _: None)
    record = json.loads((tmp_path / "out/ops.json").read_text())
    assert record["tensorflow"] == {"version": "2.16.1", "commit": SHA}
    assert result.plan.tf_commit == SHA and server.paths() == [f"/maven/{ARCHIVE}"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [".tflite-slim-build", "ops.json", "tensorflow-lite.aar"]
    assert result.plan.android.canonical() == {"ndk_api_level": "21", "ndk_revision": "25.2.9519653",
                                               "sdk_api_level": "34", "build_tools_version": "34.0.0"}
    rc = (tmp_path / "cache/tensorflow/2.16.1/src/.tf_configure.bazelrc").read_text()
    assert f'ANDROID_SDK_HOME="{(tmp_path / "sdk").resolve()}"' in rc
    assert [c[0] for c in _calls(log)] == ["--version", "build"]  # configure.py's bazel check, then the build
    # Retrained model (same ops), then new ops: configure.py never runs again for the same answers.
    build(BuildSettings(**{**s.__dict__, "models": (str(_model(tmp_path, b"w" * 8)),)}), log=lambda _: None)
    assert [c[0] for c in _calls(log)] == ["--version", "build"]
    build(BuildSettings(**{**s.__dict__, "use_cache": False}), log=lambda _: None)
    assert [c[0] for c in _calls(log)] == ["--version", "build", "build"]


def test_other_android_settings_reconfigure_and_change_the_plan(tmp_path, release, monkeypatch):
    server, log = release
    s = BuildSettings(models=(str(_model(tmp_path)),), out=str(tmp_path / "out"), tensorflow_version="2.16.1",
                      bazel=str(BAZEL), cache_dir=str(tmp_path / "cache"))
    first = build(s, log=lambda _: None)
    monkeypatch.setenv("ANDROID_NDK_API_LEVEL", "26")
    second = build(s, log=lambda _: None)
    # Undeclared, the level is observed: the same version (what a developer's plan computes), another
    # cache entry (other bytes), and the record says which level was built.
    assert not second.cached and second.plan.fingerprint == first.plan.fingerprint
    assert (first.plan.min_api_level, second.plan.min_api_level) == (21, 26)
    assert json.loads((tmp_path / "out/ops.json").read_text())["observed"]["min_api_level"] == 26
    assert [c[0] for c in _calls(log)] == ["--version", "build", "--version", "build"]
    assert 'ANDROID_NDK_API_LEVEL="26"' in (tmp_path / "cache/tensorflow/2.16.1/src/.tf_configure.bazelrc").read_text()


@pytest.mark.parametrize(
    "unset, set_, message",
    [
        (("ANDROID_HOME",), {}, r"set ANDROID_SDK_HOME \(or ANDROID_HOME / ANDROID_SDK_ROOT\).*--backend docker"),
        ((), {"ANDROID_NDK_HOME": "{tmp}/no-ndk"}, r"ANDROID_NDK_HOME=.*/no-ndk: no such directory"),
        (("ANDROID_NDK_HOME",), {}, r"set ANDROID_NDK_HOME \(or ANDROID_NDK_ROOT\)"),
    ],
)
def test_missing_sdk_or_ndk_fails_before_the_download(tmp_path, release, monkeypatch, capsys, unset, set_, message):
    from tflite_slim.cli import main

    server, log = release
    for name in unset:
        monkeypatch.delenv(name)
    for name, value in set_.items():
        monkeypatch.setenv(name, value.format(tmp=tmp_path))
    _model(tmp_path)
    code = main(["build", str(tmp_path / "a.tflite"), "--tensorflow-version", "2.16.1", "--out", str(tmp_path / "o"),
                 "--backend", "local", "--bazel", str(BAZEL), "--cache-dir", str(tmp_path / "cache")])
    err = capsys.readouterr().err
    assert code != 0 and err.count("\n") == 1 and err.startswith("error: ")
    assert __import__("re").search(message, err)
    assert server.requests == [] and _calls(log) == [] and not (tmp_path / "o").exists()


HINT = (". Without it, `tflite-slim analyze MODELS` still reports the models' ops and "
        "`tflite-slim build ... --dry-run` shows the plan and every command\n")


@pytest.mark.parametrize(
    "extra, expected",
    [
        (["--backend", "local", "--bazel", "{tmp}/no-bazel"], "error: bazel: '{tmp}/no-bazel' was not found; install Bazel (bazelisk) or "
                                        "pass --bazel PATH, or build in Docker with --backend docker" + HINT),
        (["--backend", "docker", "--docker", "{tmp}/no-docker"],
         "error: --backend docker: '{tmp}/no-docker' was not found; install Docker Engine "
         "(https://docs.docker.com/engine/install/), pass --docker PATH, or build locally with --source DIR" + HINT),
        (["--backend", "local", "--bazel", str(BAZEL), "--out", "{tmp}/a.tflite/o"],
         "error: --out {tmp}/a.tflite/o: {tmp}/a.tflite is not a directory; choose an output directory elsewhere\n"),
    ],
)
def test_every_precondition_is_checked_before_the_download(tmp_path, release, capsys, extra, expected):
    """Docker or Bazel missing, or an OUT that cannot be made: said at once, not after a long download."""
    from tflite_slim.cli import main

    server, log = release
    _model(tmp_path)
    argv = ["build", str(tmp_path / "a.tflite"), "--tensorflow-version", "2.16.1", "--out", str(tmp_path / "o"),
            "--cache-dir", str(tmp_path / "cache"), *[a.format(tmp=tmp_path) for a in extra]]
    assert main(argv) == 2
    assert capsys.readouterr().err == expected.format(tmp=tmp_path)
    assert server.requests == [] and _calls(log) == []
    assert not (tmp_path / "cache/tensorflow").exists()


def test_dry_run_shows_the_configure_step(tmp_path, release, monkeypatch):
    server, log = release
    s = BuildSettings(models=(str(_model(tmp_path)),), tensorflow_version="2.16.1", dry_run=True,
                      bazel=str(BAZEL), cache_dir=str(tmp_path / "cache"))
    p = prepare(s)
    assert p.commands[0][0] == "env" and "TF_SET_ANDROID_WORKSPACE=1" in p.commands[0]
    assert p.commands[0][-3:] == ("<tensorflow-2.16.1>/configure.py", "--workspace", "<temp>")
    assert p.commands[1][1] == "build" and p.plan.android.sdk_api_level == "34" and server.requests == []
    # Without an SDK the dry run still shows the plan, with a note on what the build would need.
    monkeypatch.delenv("ANDROID_HOME")
    notes = []
    p = prepare(s, log=notes.append)
    assert p.plan.android is None and p.commands[0][1] == "build"
    assert notes and "ANDROID_SDK_HOME" in notes[0]


def test_bad_version_is_reported_before_a_missing_sdk(tmp_path, release, monkeypatch):
    monkeypatch.delenv("ANDROID_HOME")
    with pytest.raises(UsageError, match="expected a release like 2.16.1"):
        prepare(BuildSettings(models=(str(_model(tmp_path)),), out=str(tmp_path / "o"), tensorflow_version="latest",
                              cache_dir=str(tmp_path / "cache")))


def test_docker_backend_needs_no_sdk(tmp_path, release, monkeypatch):
    """The image has its own SDK/NDK (pinned by the revision's Dockerfile): nothing is asked, nothing planned."""
    server, log = release
    monkeypatch.delenv("ANDROID_HOME")
    monkeypatch.delenv("ANDROID_NDK_HOME")
    notes = []
    p = prepare(BuildSettings(models=(str(_model(tmp_path)),), tensorflow_version="2.16.1", dry_run=True,
                              backend="docker", cache_dir=str(tmp_path / "cache")), log=notes.append)
    assert p.plan.android is None and notes == [] and p.commands[0][1] == "build"


def tarball_with(tmp_path: Path, *infos: tarfile.TarInfo, data: bytes = b"x") -> bytes:
    """Release 2.16.1's archive plus hand-made members (regular members get ``data``)."""
    out = io.BytesIO()
    with tarfile.open(fileobj=io.BytesIO(tarball(tmp_path, "2.16.1")), mode="r:gz") as src, \
            tarfile.open(fileobj=out, mode="w:gz", format=tarfile.PAX_FORMAT, pax_headers=src.pax_headers) as tar:
        for m in src.getmembers():
            tar.addfile(m, src.extractfile(m) if m.isreg() else None)
        for info in infos:
            if info.isreg():
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return out.getvalue()


def _info(name: str, kind: bytes = tarfile.REGTYPE, *, mode: int = 0o644, link: str = "", uid: int = 0
          ) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.linkname, info.uid, info.gid = kind, mode, link, uid, uid
    return info


def test_extracted_files_have_no_setuid_bits_and_no_archive_owner(tmp_path, server):
    server.serve(ARCHIVE, tarball_with(tmp_path, _info("tensorflow-2.16.1/tool", mode=0o6755, uid=4242)))
    with HttpClient(retries=0) as client:
        src = fetch_source("2.16.1", tmp_path / "cache", client, env={"TFLITE_SLIM_TF_ARCHIVE_URL": server.url})
    st = os.lstat(src.root / "tool")
    assert st.st_mode & 0o7000 == 0 and st.st_mode & 0o100
    assert (st.st_uid, st.st_gid) == (os.getuid(), os.getgid())


@pytest.mark.parametrize(
    "info, why",
    [
        (_info("tensorflow-2.16.1/pipe", tarfile.FIFOTYPE), "FIFO"),
        (_info("tensorflow-2.16.1/hard", tarfile.LNKTYPE, link="tensorflow-2.16.1/WORKSPACE"), "hard link"),
        (_info("tensorflow-2.16.1/.tflite-slim-source.json", tarfile.SYMTYPE, link="WORKSPACE"), "reserves"),
        (_info("tensorflow-2.16.1/.tflite-slim-source.json", tarfile.SYMTYPE, link="../../../../x"), "reserves"),
    ],
)
def test_special_members_and_a_planted_record_are_refused(tmp_path, server, info, why):
    server.serve(ARCHIVE, tarball_with(tmp_path, info))
    ws_before = (tmp_path / "build-2.16.1/tensorflow-2.16.1/WORKSPACE").read_bytes()
    with HttpClient(retries=0) as client:
        with pytest.raises(NetworkError, match=f"member '{info.name}' .*{why}"):
            fetch_source("2.16.1", tmp_path / "cache", client, env={"TFLITE_SLIM_TF_ARCHIVE_URL": server.url})
    assert list((tmp_path / "cache/tensorflow/2.16.1").iterdir()) == []
    assert (tmp_path / "build-2.16.1/tensorflow-2.16.1/WORKSPACE").read_bytes() == ws_before


def test_a_top_level_symlink_is_refused(tmp_path, server):
    data = io.BytesIO()
    with tarfile.open(fileobj=data, mode="w:gz") as tar:
        tar.addfile(_info("tensorflow-2.16.1", tarfile.SYMTYPE, link=str(tmp_path / "elsewhere")))
    server.serve(ARCHIVE, data.getvalue())
    with HttpClient(retries=0) as client:
        with pytest.raises(NetworkError, match="member 'tensorflow-2.16.1' is a top-level symlink"):
            fetch_source("2.16.1", tmp_path / "cache", client, env={"TFLITE_SLIM_TF_ARCHIVE_URL": server.url})
    assert not (tmp_path / "cache/tensorflow/2.16.1/src").exists()


@pytest.mark.parametrize("damage", ["no record", "other version", "record is a symlink", "garbage record",
                                    "no build_def.bzl", "also a LiteRT tree"])
def test_a_broken_cache_entry_is_replaced(tmp_path, server, damage):
    server.serve(ARCHIVE, tarball(tmp_path, "2.16.1"))
    env = {"TFLITE_SLIM_TF_ARCHIVE_URL": server.url}
    with HttpClient(retries=0) as client:
        src = fetch_source("2.16.1", tmp_path / "cache", client, env=env)
        record = src.root / SOURCE_RECORD
        good = record.read_text()
        if damage == "no record":
            record.unlink()
        elif damage == "other version":
            record.write_text(good.replace('"2.16.1"', '"2.15.0"'))
        elif damage == "record is a symlink":
            (src.root / "elsewhere.json").write_text(good)
            record.unlink()
            record.symlink_to("elsewhere.json")
        elif damage == "garbage record":
            record.write_text("{")
        elif damage == "also a LiteRT tree":
            # Detection takes it for LiteRT: as TensorFlow it is replaced, not an error on every run.
            (src.root / "tflite").mkdir()
            (src.root / "tflite/build_def.bzl").write_text("")
        else:
            (src.root / "tensorflow/lite/build_def.bzl").unlink()
        assert cached_source("2.16.1", tmp_path / "cache") is None
        again = fetch_source("2.16.1", tmp_path / "cache", client, env=env)
    assert again == src and server.paths() == [f"/maven/{ARCHIVE}"] * 2
    assert (again.root / "tensorflow/lite/build_def.bzl").is_file()
    assert not (again.root / SOURCE_RECORD).is_symlink()
    assert json.loads((again.root / SOURCE_RECORD).read_text())["version"] == "2.16.1"
    assert [p.name for p in (tmp_path / "cache/tensorflow/2.16.1").iterdir()] == ["src"]
    assert cached_source("2.16.1", tmp_path / "cache") == again


@pytest.mark.parametrize("on_the_fly", [False, True])
def test_gzip_content_encoding_is_stored_as_sent_and_extracted(tmp_path, server, on_the_fly):
    """Apache labels a .tar.gz `Content-Encoding: gzip` as is; nginx may gzip it once more on the fly."""
    data = tarball(tmp_path, "2.16.1")
    sent = gzip.compress(data) if on_the_fly else data
    server.serve(ARCHIVE, sent)
    server.get_headers["Content-Encoding"] = "gzip"
    with HttpClient(retries=0) as client:
        src = fetch_source("2.16.1", tmp_path / "cache", client, env={"TFLITE_SLIM_TF_ARCHIVE_URL": server.url})
    record = json.loads((src.root / SOURCE_RECORD).read_text())
    assert (record["size"], record["sha256"]) == (len(sent), hashlib.sha256(sent).hexdigest())
    assert (src.version, src.commit) == ("2.16.1", SHA)


@pytest.mark.parametrize("layout", [TENSORFLOW, LITERT], ids=lambda k: k.kind)
def test_a_trickling_download_hits_the_overall_deadline(tmp_path, server, layout):
    """One byte at a time, each well within the read timeout: only the overall limit stops it.

    The advice names the mirror variable of the kind being downloaded.
    """
    version = "1.4.1" if layout is LITERT else "2.16.1"  # LiteRT: its 1.x releases
    server.serve(f"v{version}.tar.gz", tarball(tmp_path, "2.16.1")[:40])  # 40 bytes at 0.1 s: 4 s without a deadline
    server.trickle = 0.1
    env = {layout.archive_env: server.url, "TFLITE_SLIM_DOWNLOAD_TIMEOUT": "1"}
    started = time.monotonic()
    with HttpClient(retries=0) as client:
        with pytest.raises(NetworkError, match=r"did not finish within 1 s \(overall limit; check the server and the network\); "
                                               r"on a slow link set TFLITE_SLIM_DOWNLOAD_TIMEOUT to more seconds, "
                                               rf"or use a nearer mirror \({layout.archive_env}\)$"):
            fetch_source(version, tmp_path / "cache", client, env=env, layout=layout)
    assert time.monotonic() - started < 3
    assert list((tmp_path / f"cache/{layout.kind}/{version}").iterdir()) == []


@pytest.mark.parametrize("value", ["0", "-5", "soon", "inf", "nan"])
def test_bad_download_timeout_is_a_usage_error(tmp_path, value):
    with HttpClient(retries=0) as client:
        with pytest.raises(UsageError, match=f"TFLITE_SLIM_DOWNLOAD_TIMEOUT='{value}': expected a number of seconds"):
            env = {"TFLITE_SLIM_DOWNLOAD_TIMEOUT": value, "TFLITE_SLIM_TF_ARCHIVE_URL": "http://127.0.0.1:9"}
            fetch_source("2.16.1", tmp_path / "cache", client, env=env)


@pytest.mark.parametrize("record", ["{", "[1]", '{"commit": 7}', '{"commit": "not a sha"}'])
def test_an_unreadable_record_in_a_checkout_means_no_commit(tmp_path, record):
    ws = make_tensorflow_workspace(tmp_path / "tf")
    (ws / SOURCE_RECORD).write_text(record)
    assert detect_source(str(ws)).commit is None
    (ws / SOURCE_RECORD).write_text(json.dumps({"commit": SHA}))
    assert detect_source(str(ws)).commit == SHA


def test_temp_dirs_of_killed_runs_are_cleaned_once_stale(tmp_path, server):
    server.serve(ARCHIVE, tarball(tmp_path, "2.16.1"))
    parent = tmp_path / "cache/tensorflow/2.16.1"
    old, fresh = parent / ".tmp-killed", parent / ".tmp-running"
    for d in (old, fresh, parent / ".broken-old"):
        (d / "x").mkdir(parents=True)
        (d / "source.tar.gz").write_bytes(b"partial")
    two_days_ago = time.time() - 2 * 86400
    for d in (old, parent / ".broken-old"):
        os.utime(d, (two_days_ago, two_days_ago))
    with HttpClient(retries=0) as client:
        fetch_source("2.16.1", tmp_path / "cache", client, env={"TFLITE_SLIM_TF_ARCHIVE_URL": server.url})
    assert sorted(p.name for p in parent.iterdir()) == [".tmp-running", "src"]


def test_a_sparse_member_is_refused_before_anything_is_written(tmp_path, server):
    """A 6 KB archive of sparse members put 1 GiB into the cache (here 64 MiB of holes)."""
    import shutil
    import subprocess

    if shutil.which("tar") is None:
        pytest.skip("GNU tar (which writes sparse members) is not installed")
    tree = tmp_path / "sparse" / "tensorflow-2.16.1"
    tree.mkdir(parents=True)
    with open(tree / "hole.bin", "wb") as f:
        f.truncate(64 << 20)
    archive = tmp_path / "sparse.tar.gz"
    subprocess.run(["tar", "--sparse", "-czf", str(archive), "-C", str(tree.parent), tree.name], check=True)
    assert archive.stat().st_size < 64 << 10
    server.serve(ARCHIVE, archive.read_bytes())
    with HttpClient(retries=0) as client:
        with pytest.raises(NetworkError, match="hole.bin' is a sparse file"):
            fetch_source("2.16.1", tmp_path / "cache", client, env={"TFLITE_SLIM_TF_ARCHIVE_URL": server.url})
    assert list((tmp_path / "cache/tensorflow/2.16.1").iterdir()) == []


@pytest.mark.parametrize("limit, message", [
    ("MAX_MEMBER_BYTES", "big.bin' would extract to 2097152 bytes, more than the 1 MiB"),
    ("MAX_TOTAL_BYTES", "extracts to more than 2 MiB, far more than a source tree"),
])
def test_the_extracted_size_is_bounded(tmp_path, server, monkeypatch, limit, message):
    monkeypatch.setattr(tarfilter, limit, (1 if limit == "MAX_MEMBER_BYTES" else 2) << 20)
    server.serve(ARCHIVE, tarball_with(tmp_path, _info("tensorflow-2.16.1/big.bin"), data=b"\0" * (2 << 20)))
    with HttpClient(retries=0) as client:
        with pytest.raises(NetworkError, match=message):
            fetch_source("2.16.1", tmp_path / "cache", client, env={"TFLITE_SLIM_TF_ARCHIVE_URL": server.url})
    assert list((tmp_path / "cache/tensorflow/2.16.1").iterdir()) == []
