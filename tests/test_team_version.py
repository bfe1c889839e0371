"""One version for the whole team: a developer's ``plan`` equals what CI's ``build`` + ``deploy`` publishes.

The developer side has no Android SDK/NDK in its environment, an empty cache
and no network use (nothing is downloaded); the CI side downloads the named
release (served on 127.0.0.1), configures it where the tree needs it, builds
with the stand-in Bazel and deploys to a Maven repository over HTTP. Both use
the same declared inputs, so both must name the same version: what the build
observes (the SDK/NDK, the archive's commit, the tree's flag files) is
recorded in ``ops.json``, never hashed.
"""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from modelmaker import ADD, CONV_2D, Op, builtin, make_model
from repo_server import RepoServer
from standin.workspace import BAZEL, make_android_ndk, make_android_sdk, make_litert_workspace, make_tensorflow_workspace
from tflite_slim.cli import main

SHA = "0123456789abcdef0123456789abcdef01234567"
ANDROID_VARS = ("ANDROID_SDK_HOME", "ANDROID_HOME", "ANDROID_SDK_ROOT", "ANDROID_NDK_HOME", "ANDROID_NDK_ROOT",
                "ANDROID_API_LEVEL", "ANDROID_NDK_API_LEVEL", "ANDROID_BUILD_TOOLS_VERSION")
#: kind -> (option, release, artifactId, archive variable)
SOURCES = {
    "tensorflow": ("--tensorflow-version", "2.16.1", "tensorflow-lite", "TFLITE_SLIM_TF_ARCHIVE_URL"),
    "litert": ("--litert-version", "1.4.1", "litert", "TFLITE_SLIM_LITERT_ARCHIVE_URL"),
}


def _archive(tmp: Path, kind: str, release: str) -> bytes:
    """The release's archive as GitHub serves it: never configured, the commit in the pax comment."""
    top = tmp / "archive-src" / f"{kind}-{release}"
    if kind == "tensorflow":
        make_tensorflow_workspace(top, version=release, configured=None)
    else:
        make_litert_workspace(top, version=release, configured=None, tag=f"v{release}")
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", format=tarfile.PAX_FORMAT, pax_headers={"comment": SHA}) as tar:
        tar.add(top, arcname=top.name)
    return buf.getvalue()


@pytest.fixture
def world(tmp_path: Path, monkeypatch):
    """An archive host and a Maven host on 127.0.0.1, models, and no Android toolchain in the environment."""
    for name in ANDROID_VARS:
        monkeypatch.delenv(name, raising=False)
    models = tmp_path / "models"
    models.mkdir()
    (models / "a.tflite").write_bytes(make_model([builtin(ADD, 1), builtin(CONV_2D, 3)], [[Op(0), Op(1)]]))
    with RepoServer(tmp_path / "archives", credentials=None) as archives, \
            RepoServer(tmp_path / "maven", credentials=None) as maven:
        maven.immutable = True
        yield tmp_path, models, archives, maven


def _plan(capsys, *argv: str) -> dict:
    capsys.readouterr()
    assert main(["plan", *argv, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def _ci_environment(tmp: Path, monkeypatch, ndk: str = "26.3.11579264") -> None:
    monkeypatch.setenv("ANDROID_HOME", str(make_android_sdk(tmp / "sdk")))
    monkeypatch.setenv("ANDROID_NDK_HOME", str(make_android_ndk(tmp / f"ndk-{ndk}", revision=ndk)))


@pytest.mark.parametrize("declared", [[], ["--ndk-version", "26.3.11579264", "--android-api-level", "23"]],
                         ids=["nothing-declared", "ndk-and-api-declared"])
@pytest.mark.parametrize("kind", sorted(SOURCES))
def test_a_developer_plan_equals_what_ci_deploys(world, monkeypatch, capsys, kind, declared) -> None:
    tmp, models, archives, maven = world
    option, release, artifact, archive_var = SOURCES[kind]
    archives.serve(f"v{release}.tar.gz", _archive(tmp, kind, release))
    monkeypatch.setenv(archive_var, archives.url)

    # The developer: no SDK/NDK, an empty cache, nothing downloaded.
    # A team building with Bazel declares it on every side: the backend is part of the version.
    dev = _plan(capsys, str(models), option, release, "--cache-dir", str(tmp / "dev-cache"), "--backend", "local",
                *declared)
    assert archives.requests == [] and not (tmp / "dev-cache").exists()

    # CI: downloads, configures (where the tree needs it), builds with the stand-in Bazel, deploys.
    _ci_environment(tmp, monkeypatch)
    assert main(["build", str(models), option, release, "--out", str(tmp / "out"), "--backend", "local", "--bazel", str(BAZEL),
                 "--cache-dir", str(tmp / "ci-cache"), *declared]) == 0
    assert archives.paths() == [f"/maven/v{release}.tar.gz"]
    assert main(["deploy", str(tmp / "out"), "--url", maven.url]) == 0
    record = json.loads((tmp / "out/ops.json").read_text())
    version = dev["runtime"]["version"]
    assert record["plan_fingerprint"] == dev["plan_fingerprint"]
    assert f"/maven/io/tfliteslim/{artifact}/{version}/{artifact}-{version}.aar" in maven.paths("PUT")
    # What CI observed is in the build record, not in the version.
    assert record["observed"]["commit"] == SHA and record["tensorflow"]["commit"] == SHA
    assert record["observed"]["android"]["ndk_revision"] == "26.3.11579264"
    assert record["observed"]["min_api_level"] == (23 if declared else 21)
    # A developer who has the same release cached and an SDK now still computes the same version.
    assert _plan(capsys, str(models), option, release, "--cache-dir", str(tmp / "ci-cache"), "--backend", "local",
                 *declared)["runtime"] == dev["runtime"]


def test_team_flow_version_matches_ci_for_a_named_release_issue_19_3(world, monkeypatch, capsys) -> None:
    """Regression (issue 19, item 3): the downloaded archive's commit, the tree's flag files and the SDK/NDK
    found changed the fingerprint, so CI published a version no developer's plan named."""
    tmp, models, archives, _ = world
    archives.serve("v2.16.1.tar.gz", _archive(tmp, "tensorflow", "2.16.1"))
    monkeypatch.setenv("TFLITE_SLIM_TF_ARCHIVE_URL", archives.url)
    base = [str(models), "--tensorflow-version", "2.16.1", "--cache-dir", str(tmp / "cache"), "--backend", "local"]
    before = _plan(capsys, *base)
    _ci_environment(tmp, monkeypatch, ndk="25.2.9519653")
    assert main(["build", *base, "--out", str(tmp / "out"), "--bazel", str(BAZEL)]) == 0
    after = _plan(capsys, *base)  # now downloaded, configured, with an SDK and NDK r25 in the environment
    assert after["plan_fingerprint"] == before["plan_fingerprint"]
    assert json.loads((tmp / "out/ops.json").read_text())["plan_fingerprint"] == before["plan_fingerprint"]
    _ci_environment(tmp, monkeypatch, ndk="27.0.12077973")  # another machine's NDK: the same version
    assert _plan(capsys, *base)["runtime"] == before["runtime"]


@pytest.mark.parametrize("declared, found, message", [
    (["--ndk-version", "25.2.9519653"], "26.3.11579264",
     "error: --ndk-version 25.2.9519653: the NDK at {ndk} is 26.3.11579264; set ANDROID_NDK_HOME to NDK "
     "25.2.9519653 or declare 26.3.11579264"),
    (["--ndk-version", "26"], "26.3.11579264", None),  # a major (or major.minor) declaration matches
    (["--android-api-level", "24"], "26.3.11579264",
     "error: --android-api-level 24: {tree} sets API level 26; declare 26 or build from a tree that sets 24"),
])
def test_an_observed_fact_that_contradicts_the_declaration_is_refused(tmp_path, monkeypatch, capsys,
                                                                      declared, found, message) -> None:
    for name in ANDROID_VARS:
        monkeypatch.delenv(name, raising=False)
    _ci_environment(tmp_path, monkeypatch, ndk=found)
    ws = make_litert_workspace(tmp_path / "litert")  # HEAD: rules_android_ndk api_level = 26
    (tmp_path / "m.tflite").write_bytes(make_model([builtin(ADD, 1)], [[Op(0)]]))
    code = main(["build", str(tmp_path / "m.tflite"), "--source", str(ws), "--out", str(tmp_path / "out"),
                 "--backend", "local", "--bazel", str(BAZEL), "--cache-dir", str(tmp_path / "cache"), *declared])
    err = capsys.readouterr().err
    if message is None:
        assert code == 0
        return
    ndk = Path(tmp_path / f"ndk-{found}").resolve()
    assert code != 0 and err.splitlines()[-1] == message.format(ndk=ndk, tree=ws.resolve())
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("value", ["21a", "0", "-3", ""])
def test_a_bad_api_level_declaration_is_a_usage_error(tmp_path, capsys, value) -> None:
    (tmp_path / "m.tflite").write_bytes(make_model([builtin(ADD, 1)], [[Op(0)]]))
    assert main(["plan", str(tmp_path / "m.tflite"), "--tensorflow-version", "2.16.1",
                 "--android-api-level", value]) == 2
    assert f"--android-api-level {value!r}: expected an Android API level such as 21" in capsys.readouterr().err
