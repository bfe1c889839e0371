"""Building from a LiteRT tree (google-ai-edge/LiteRT's ``tflite/``): detection, dry run, full build, install.

The LiteRT-shaped tree is ``standin.workspace.make_litert_workspace``: LiteRT's
file names, macro signatures and labels; the stand-in ``bazel`` checks a build
in it against LiteRT's contract (its labels, configure file and CI flags).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import tarfile
from pathlib import Path

import pytest

from modelmaker import ADD, CONV_2D, CUMSUM, Op, builtin, custom, flex_options, make_model
from repo_server import RepoServer
from standin.workspace import (
    BAZEL,
    make_android_ndk,
    make_android_sdk,
    make_litert_workspace,
    make_tensorflow_workspace,
)
from tflite_slim import process
from tflite_slim.runtime.trees import android
from tflite_slim.maven import coordinates
from tflite_slim.runtime.builder import BuildSettings, build, prepare
from tflite_slim.runtime.spec.buildfile import BuildFileSpec, render_build_file
from tflite_slim.cli import main
from tflite_slim.errors import BuildError, NetworkError, ToolchainError, UsageError
from tflite_slim.runtime.artifacts.aar import check_aar
from tflite_slim.http import HttpClient
from tflite_slim.runtime.trees.layout import LITERT, TENSORFLOW
from tflite_slim.runtime.spec.plan import RUNTIME_TARGET, bazel_build_argv
from tflite_slim.maven.publication import from_build_dir
from tflite_slim.runtime.trees.tfsource import SOURCE_RECORD, archive_url, detect_source, fetch_source

SHA = "0123456789abcdef0123456789abcdef01234567"
FP = "ab" * 32


def _model(path: Path, flex: bool = False) -> Path:
    ops = [builtin(CONV_2D, 3), builtin(ADD)] + ([custom("FlexAddV2")] if flex else [])
    nodes = [Op(0), Op(1)] + ([Op(2, flex_options("AddV2", {"T": 1}))] if flex else [])
    path.write_bytes(make_model(ops, [nodes]))
    return path


@pytest.fixture(autouse=True)
def android_env(tmp_path: Path, monkeypatch) -> dict:
    """An SDK and NDK in the environment, as LiteRT's Android CI has them (ANDROID_HOME, ANDROID_NDK_HOME)."""
    for name in ("ANDROID_SDK_HOME", "ANDROID_HOME", "ANDROID_SDK_ROOT", "ANDROID_NDK_HOME", "ANDROID_NDK_ROOT",
                 "ANDROID_API_LEVEL", "ANDROID_NDK_API_LEVEL", "ANDROID_BUILD_TOOLS_VERSION"):
        monkeypatch.delenv(name, raising=False)
    env = {"ANDROID_HOME": str(make_android_sdk(tmp_path / "sdk")),
           "ANDROID_NDK_HOME": str(make_android_ndk(tmp_path / "ndk", revision="26.3.11579264"))}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return env


def test_detect_a_litert_checkout(tmp_path: Path) -> None:
    ws = make_litert_workspace(tmp_path / "litert", version="1.5.0")
    src = detect_source(str(ws))
    # The 1.x line (LITERT_FULL_VERSION), not LITERT_EXPERIMENTAL_VERSION (2.3.0 in this tree, as at HEAD).
    assert (src.layout, src.version, src.commit) == (LITERT, "1.5.0", None)
    assert (src.needs_configure, src.configure_rc, src.android.workspace_api_level) == (
        False, ".litert_configure.bazelrc", 26)
    assert src.android.toolchain_resolution and src.android.platforms["armeabi-v7a"].endswith("android:armeabi-v7a")
    old = detect_source(str(make_litert_workspace(tmp_path / "v141", version="1.4.1", tag="v1.4.1")))
    assert (old.version, old.needs_configure, old.configure_rc) == ("1.4.1", True, ".tf_configure.bazelrc")
    assert not old.android.toolchain_resolution
    # Tags before v1.3.0 have no LITERT_FULL_VERSION: a downloaded one is known by its recorded tag.
    (ws / "litert/version.bzl").write_text('LITERT_EXPERIMENTAL_VERSION = "2.3.0"\n')
    (ws / SOURCE_RECORD).write_text(json.dumps({"version": "1.2.0", "commit": SHA}))
    assert (detect_source(str(ws)).version, detect_source(str(ws)).commit) == ("1.2.0", SHA)
    for bad in (["1.2.0"], "1.2.0; rm -rf /", 120, ""):
        (ws / SOURCE_RECORD).write_text(json.dumps({"version": bad, "commit": SHA}))
        with pytest.raises(ToolchainError, match="no LITERT_FULL_VERSION in litert/version.bzl"):
            detect_source(str(ws))
    assert detect_source(str(make_tensorflow_workspace(tmp_path / "tf"))).layout is TENSORFLOW


@pytest.mark.parametrize("option", ["--source", "--tensorflow-src"])
def test_dry_run_uses_litert_labels_configure_file_and_flags(tmp_path: Path, capsys, option: str) -> None:
    ws = make_litert_workspace(tmp_path / "litert")
    model = _model(tmp_path / "m.tflite", flex=True)
    assert main(["-v", "build", str(model), option, str(ws), "--dry-run", "--backend", "local", "--bazel", "bazel"]) == 0
    out = capsys.readouterr().out
    assert 'load("//tflite:build_def.bzl", "tflite_custom_android_library")' in out
    assert 'load("//tflite/delegates/flex:build_def.bzl", "tflite_flex_android_library")' in out
    assert 'load("//tflite/java:aar_with_jni.bzl", "aar_with_jni")' in out
    assert "//tensorflow/lite" not in out
    assert '#include "tflite/kernels/builtin_op_kernels.h"' in out
    # The flex package's files come from LiteRT's tflite/java (a LiteRT tree has no tensorflow/lite/java).
    root = ws.resolve()
    assert f"{root}/tflite/java/AndroidManifest.xml -> AndroidManifest.xml\n" in out
    assert f"{root}/tflite/java/proguard.flags -> proguard.flags\n" in out
    plan = json.loads(out.split("# Build plan\n", 1)[1].split("\n# BUILD file", 1)[0])
    assert plan["source"] == "litert" and plan["tensorflow"]["version"] == "1.5.0"
    assert plan["observed"]["min_api_level"] == 26 and plan["declared"]["android_api_level"] is None
    commands = [line.strip() for line in out.splitlines() if line.startswith(("  bazel ", "  env "))]
    assert len(commands) == 2  # no configure step: HEAD's WORKSPACE reads the SDK/NDK from the environment
    labels = ("@org_tensorflow//tensorflow/tools/toolchains/android:arm64-v8a,"
              "@org_tensorflow//tensorflow/tools/toolchains/android:armeabi-v7a")
    for line in commands:
        argv = line.split()
        assert argv.index("--config=android_arm64") < argv.index("--fat_apk_cpu=arm64-v8a,armeabi-v7a")
        # Bazel 7 under android_arm64's toolchain resolution reads --android_platforms, not --fat_apk_cpu.
        assert argv.index("--config=android_arm64") < argv.index("--android_platforms=" + labels)
        assert "--define=xnn_enable_arm_fp16=false" not in argv
        assert "--action_env=ANDROID_NDK_HOME=" + str(Path(os.environ["ANDROID_NDK_HOME"]).resolve()) in argv
    assert "--define=TENSORFLOW_PROTOS=lite" in commands[1] and "--config=monolithic" in commands[1]


def test_kernel_check_speaks_of_litert_in_a_litert_tree(tmp_path: Path, capsys) -> None:
    """The release table names TensorFlow releases: a LiteRT tree is not told to use --tensorflow-version."""
    ws = make_litert_workspace(tmp_path / "litert", version="1.5.0")
    # The declarations live behind the include, as at HEAD: the include-following path is what is tested.
    header = ws / "tflite/core/kernels/builtin_op_kernels.h"
    header.write_text(header.read_text().replace("TfLiteRegistration* Register_CUMSUM();\n", ""))
    model = tmp_path / "m.tflite"
    model.write_bytes(make_model([builtin(CUMSUM)], [[Op(0)]]))
    assert main(["build", str(model), "--source", str(ws), "--dry-run", "--backend", "local"]) == ToolchainError.exit_code
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: LiteRT 1.5.0 at {ws} cannot register these ops")
    assert "TensorFlow Lite has had it since TensorFlow 2.4.0" in err
    assert err.endswith("To fix: build with a newer LiteRT release (--litert-version, or a newer checkout)")
    assert "--tensorflow-version" not in err


def _litert_v141(directory: Path, configured=None) -> Path:
    return make_litert_workspace(directory, version="1.4.1", configured=configured, tag="v1.4.1")


@pytest.mark.parametrize("make", [_litert_v141, make_tensorflow_workspace])
def test_a_dry_run_reports_a_checkout_not_configured_for_android(tmp_path: Path, capsys, make) -> None:
    """The build would stop there, so the dry run must not exit 0 (it still shows the plan)."""
    ws = make(tmp_path / "tree", configured=None)
    model = _model(tmp_path / "m.tflite")
    assert main(["build", str(model), "--source", str(ws), "--dry-run", "--backend", "local"]) == ToolchainError.exit_code
    out, err = capsys.readouterr()
    assert "Problems (the build would stop):\n  - " in out and "Commands it would run:" in out
    assert err.startswith(f"error: {ws}: ") and "is not configured" in err and err.count("\n") == 1
    assert main(["build", str(model), "--source", str(ws), "--out", str(tmp_path / "o"), "--backend", "local", "--bazel", str(BAZEL),
                 "--cache-dir", str(tmp_path / "cache")]) == ToolchainError.exit_code
    assert capsys.readouterr().err == err and not (tmp_path / "o").exists()
    # Docker configures inside its image: nothing to report for the host tree.
    if make is make_tensorflow_workspace:
        assert main(["build", str(model), "--source", str(ws), "--dry-run", "--backend", "docker"]) == 0


@pytest.mark.parametrize("extra", [["--dry-run"], ["--out", "OUT"], ["--dry-run", "--checkpoint", "v2.17.0"]])
def test_a_litert_checkout_is_refused_by_the_docker_backend(tmp_path: Path, capsys, extra) -> None:
    """TensorFlow's image would configure and build TensorFlow's labels: a LiteRT tree cannot go there."""
    ws = make_litert_workspace(tmp_path / "litert")
    extra = [str(tmp_path / "out") if e == "OUT" else e for e in extra]
    assert main(["build", str(_model(tmp_path / "m.tflite")), "--source", str(ws), "--backend", "docker",
                 "--docker", str(tmp_path / "no-docker"), *extra]) == UsageError.exit_code
    captured = capsys.readouterr()
    assert captured.err == ("error: --backend docker builds in TensorFlow's image; "
                            "build LiteRT with the local backend\n")
    assert captured.out == "" and not (tmp_path / "out").exists()


def test_an_unconfigured_head_tree_builds_from_the_environment(tmp_path: Path, capsys, monkeypatch) -> None:
    """LiteRT's CI builds HEAD with no ./configure: so does a dry run and a build; without the SDK/NDK it says so."""
    ws = make_litert_workspace(tmp_path / "litert", configured=None)
    model = _model(tmp_path / "m.tflite")
    assert main(["build", str(model), "--source", str(ws), "--dry-run", "--backend", "local"]) == 0
    assert main(["build", str(model), "--source", str(ws), "--out", str(tmp_path / "o"), "--backend", "local", "--bazel", str(BAZEL),
                 "--cache-dir", str(tmp_path / "cache")]) == 0
    assert not (ws / ".litert_configure.bazelrc").exists()  # the user's checkout is never configured by us
    capsys.readouterr()
    monkeypatch.delenv("ANDROID_HOME")
    assert main(["build", str(model), "--source", str(ws), "--dry-run", "--backend", "local"]) == ToolchainError.exit_code
    err = capsys.readouterr().err
    assert err.startswith(f"error: {ws.resolve()} reads the Android SDK/NDK from the environment: ")
    assert "ANDROID_HOME" in err and err.count("\n") == 1


def test_a_litert_download_dry_run_names_litert(tmp_path: Path, capsys) -> None:
    model = _model(tmp_path / "m.tflite")
    assert main(["-v", "build", str(model), "--litert-version", "1.4.1", "--dry-run", "--backend", "local",
                 "--cache-dir", str(tmp_path / "cache")]) == 0
    out = capsys.readouterr().out
    assert "- kernel check skipped: the LiteRT source is not downloaded yet" in out
    assert "TensorFlow source" not in out


def test_the_source_kind_is_in_the_plan_and_tensorflow_plans_keep_their_fingerprint(tmp_path: Path) -> None:
    model = _model(tmp_path / "m.tflite")
    tf = prepare(BuildSettings(models=(str(model),), tensorflow_src=str(make_tensorflow_workspace(tmp_path / "tf")),
                               dry_run=True), log=lambda _: None)
    assert "source" not in tf.plan.canonical()
    litert = make_litert_workspace(tmp_path / "litert", version=tf.plan.tf_version)
    lr = prepare(BuildSettings(models=(str(model),), tensorflow_src=str(litert), dry_run=True), log=lambda _: None)
    assert lr.plan.canonical()["source"] == "litert" and lr.plan.fingerprint != tf.plan.fingerprint


def test_stand_in_refuses_what_real_litert_bazel_would(tmp_path: Path) -> None:
    """The stand-in is only useful if it fails where LiteRT fails: TensorFlow's labels, misplaced --config."""
    ws = make_litert_workspace(tmp_path / "litert")
    pkg = ws / "tflite_slim_build/p1"
    pkg.mkdir(parents=True)
    _model(pkg / "m.tflite")
    spec = BuildFileSpec(models=("m.tflite",))
    plan = prepare(BuildSettings(models=(str(pkg / "m.tflite"),), tensorflow_src=str(ws), dry_run=True),
                   log=lambda _: None).plan
    argv = bazel_build_argv(str(BAZEL), plan, "tflite_slim_build/p1", RUNTIME_TARGET)
    (pkg / "BUILD").write_text(render_build_file(spec, TENSORFLOW))
    bad = process.run(argv, cwd=str(ws), check=False)
    assert bad.returncode != 0 and "cannot load '//tensorflow/lite:build_def.bzl'" in bad.stderr
    (pkg / "BUILD").write_text(render_build_file(spec, LITERT))
    assert process.run(argv, cwd=str(ws), check=False).returncode == 0
    # Without --android_platforms, Bazel 7 builds android_arm64's one --platforms value: the other ABI is lost.
    single = [a for a in argv if not a.startswith("--android_platforms=")]
    assert process.run(single, cwd=str(ws), check=False).returncode == 0
    aar = next((ws / "bazel-bin/tflite_slim_build/p1").glob("*.aar"))
    with pytest.raises(BuildError, match="lacks jni/armeabi-v7a/libtensorflowlite_jni.so"):
        check_aar(str(aar), ("arm64-v8a", "armeabi-v7a"), "libtensorflowlite_jni.so", min_api=26)
    late = [a for a in argv if a != "--config=android_arm64"] + ["--config=android_arm64"]
    late.insert(late.index(f"//tflite_slim_build/p1:{RUNTIME_TARGET}"), late.pop())
    result = process.run(late, cwd=str(ws), check=False)
    assert result.returncode != 0 and "dropping the other ABIs" in result.stderr
    # Its Select TF ops step adds --config=monolithic --define=TENSORFLOW_PROTOS=lite; the stand-in wants them.
    flex = [a for a in argv if a != "--config=monolithic"]
    flex[-1] = flex[-1].replace(RUNTIME_TARGET, "tensorflow-lite-select-tf-ops")
    result = process.run(flex, cwd=str(ws), check=False)
    assert result.returncode != 0 and "passes '--config=monolithic' for tensorflow-lite-select-tf-ops" in result.stderr
    # HEAD's WORKSPACE needs ANDROID_HOME/ANDROID_NDK_HOME: from the environment or --action_env.
    bare = {**os.environ, "ANDROID_HOME": "", "ANDROID_NDK_HOME": ""}
    assert process.run(argv, cwd=str(ws), check=False, env=bare).returncode == 0
    no_env = [a for a in argv if not a.startswith("--action_env=")]
    assert "ANDROID_HOME" in process.run(no_env, cwd=str(ws), check=False, env=bare).stderr


def test_full_build_and_install_from_litert(tmp_path: Path) -> None:
    ws = make_litert_workspace(tmp_path / "litert", version="1.5.0")
    out = tmp_path / "out"
    model = _model(tmp_path / "m.tflite", flex=True)
    assert main(["build", str(model), "--source", str(ws), "--out", str(out), "--backend", "local", "--bazel", str(BAZEL),
                 "--cache-dir", str(tmp_path / "cache"), "--target-archs", "arm64-v8a,armeabi-v7a,x86_64"]) == 0
    record = json.loads((out / "ops.json").read_text())
    assert record["source"] == "litert" and record["tensorflow"]["version"] == "1.5.0"
    # The API level the WORKSPACE's NDK repository sets: recorded, in the manifest, read back from every .so.
    assert record["observed"]["min_api_level"] == 26 and record["declared"]["android_api_level"] is None
    import zipfile

    for name in ("tensorflow-lite.aar", "tensorflow-lite-select-tf-ops.aar"):
        with zipfile.ZipFile(out / name) as z:
            assert 'android:minSdkVersion="26"' in z.read("AndroidManifest.xml").decode()
            assert sorted(n.split("/")[1] for n in z.namelist() if n.startswith("jni/")) == [
                "arm64-v8a", "armeabi-v7a", "x86_64"]
        check_aar(str(out / name), ("arm64-v8a", "armeabi-v7a", "x86_64"),
                  "libtensorflowlite_jni.so" if name == "tensorflow-lite.aar" else "libtensorflowlite_flex_jni.so",
                  min_api=26)
    assert sorted(p.name for p in out.iterdir()) == [".tflite-slim-build", "ops.json", "tensorflow-lite-select-tf-ops.aar",
                                                      "tensorflow-lite.aar"]
    coords = tmp_path / "coords.json"
    assert main(["install", str(out), "--repo", str(tmp_path / "repo"), "--coordinates-out", str(coords)]) == 0
    doc = json.loads(coords.read_text())
    version = f"1.5.0-litert-slim-{record['plan_fingerprint'][:12]}"
    assert doc["runtime"] == {"group": "io.tfliteslim", "artifact": "litert", "version": version}
    assert doc["select_tf_ops"] == {"group": "io.tfliteslim", "artifact": "litert-select-tf-ops", "version": version}
    pom = (tmp_path / f"repo/io/tfliteslim/litert/{version}/litert-{version}.pom").read_text()
    assert "<name>LiteRT 1.5.0 slim runtime" in pom and "<tfliteSlim.source>litert</tfliteSlim.source>" in pom


def test_coordinates_follow_the_source_and_old_records_stay_tensorflow(tmp_path: Path) -> None:
    assert coordinates.default_version("2.16.1", FP) == "2.16.1-slim-abababababab"
    assert coordinates.default_version("2.1.6", FP, "litert") == "2.1.6-litert-slim-abababababab"
    runtime, flex = coordinates.resolve(coordinates.CoordinateChoice(), "2.1.6", FP, "litert")
    assert (str(runtime), str(flex)) == ("io.tfliteslim:litert:2.1.6-litert-slim-abababababab",
                                         "io.tfliteslim:litert-select-tf-ops:2.1.6-litert-slim-abababababab")
    out = tmp_path / "out"
    out.mkdir()
    import zipfile

    with zipfile.ZipFile(out / "tensorflow-lite.aar", "w") as z:
        z.writestr("AndroidManifest.xml", "<manifest/>")
    record = {"format_version": 1, "tensorflow": {"version": "2.16.1", "commit": None}, "abis": ["arm64-v8a"],
              "plan_fingerprint": FP, "op_set": {"builtin_ops": {"ADD": [1]}, "custom_ops": [], "flex_ops": []},
              "artifacts": {"runtime": "tensorflow-lite.aar", "select_tf_ops": None}}
    (out / "ops.json").write_text(json.dumps(record))
    assert str(from_build_dir(out).runtime.coordinates) == "io.tfliteslim:tensorflow-lite:2.16.1-slim-abababababab"
    (out / "ops.json").write_text(json.dumps({**record, "source": "pytorch"}))
    with pytest.raises(UsageError, match="malformed build record .unknown source kind 'pytorch'"):
        from_build_dir(out)


def test_litert_configure_defaults(tmp_path: Path) -> None:
    env = {"ANDROID_HOME": str(make_android_sdk(tmp_path / "sdk")),
           "ANDROID_NDK_HOME": str(make_android_ndk(tmp_path / "ndk"))}
    # configure.py's default where a LiteRT tag needs configure (v1.4.1, v2.0.2), and ci/tflite-android.Dockerfile's.
    assert android.resolve(env, layout=LITERT).ndk_api_level == "21"
    assert android.resolve(env).ndk_api_level == "21"
    ws = make_litert_workspace(tmp_path / "litert", configured=True)
    assert android.read_configured(ws, LITERT).ndk_api_level == "21"
    assert android.read_configured(ws) is None  # no .tf_configure.bazelrc in a LiteRT HEAD tree
    assert "./configure" in android.configure_hint(ws, env, layout=LITERT)


def _litert_tarball(tmp_path: Path, version: str, full_version: str = "") -> bytes:
    ws = make_litert_workspace(tmp_path / f"build-{version}" / f"LiteRT-{version}", version=full_version or version,
                               configured=None, tag=f"v{version}")
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", format=tarfile.PAX_FORMAT, pax_headers={"comment": SHA}) as tar:
        tar.add(ws, arcname=f"LiteRT-{version}")
    return buf.getvalue()


def test_archive_url_for_litert() -> None:
    assert archive_url("2.1.6", {}, LITERT) == "https://github.com/google-ai-edge/LiteRT/archive/refs/tags/v2.1.6.tar.gz"
    assert archive_url("2.1.6", {"TFLITE_SLIM_LITERT_ARCHIVE_URL": "https://m/x"}, LITERT) == "https://m/x/v2.1.6.tar.gz"
    # The TensorFlow mirror variable does not redirect LiteRT downloads.
    assert archive_url("2.1.6", {"TFLITE_SLIM_TF_ARCHIVE_URL": "https://m/x"}, LITERT).startswith("https://github.com")


@pytest.fixture
def server(tmp_path):
    with RepoServer(tmp_path / "served", credentials=None) as repo:
        yield repo


@pytest.fixture
def litert_release(tmp_path: Path, server, monkeypatch):
    """LiteRT 1.4.1 served as its GitHub archive (the SDK/NDK: ``android_env``)."""
    server.serve("v1.4.1.tar.gz", _litert_tarball(tmp_path, "1.4.1"))
    monkeypatch.setenv("TFLITE_SLIM_LITERT_ARCHIVE_URL", server.url)
    return server


def test_litert_version_downloads_configures_and_builds(tmp_path: Path, litert_release) -> None:
    server = litert_release
    s = BuildSettings(models=(str(_model(tmp_path / "m.tflite")),), out=str(tmp_path / "out"),
                      litert_version="1.4.1", bazel=str(BAZEL), cache_dir=str(tmp_path / "cache"),
                      android_api_level=23)
    result = build(s, log=lambda _: None)
    # The named release is the version; the archive's commit is observed (recorded, not in the fingerprint).
    assert (result.plan.source, result.plan.tf_version, result.plan.tf_commit) == ("litert", "1.4.1", SHA)
    assert result.plan.canonical()["tensorflow"] == {"version": "1.4.1", "commit": None}
    # v1.4.1 needs configure, and its .bazelrc reads .tf_configure.bazelrc: configured there, at the declared level.
    assert result.plan.android.ndk_api_level == "23" and result.plan.min_api_level == 23
    rc = (tmp_path / "cache/litert/1.4.1/src/.tf_configure.bazelrc").read_text()
    assert 'ANDROID_NDK_API_LEVEL="23"' in rc
    assert not (tmp_path / "cache/litert/1.4.1/src/.litert_configure.bazelrc").exists()
    assert server.paths() == ["/maven/v1.4.1.tar.gz"]
    record = json.loads((tmp_path / "out/ops.json").read_text())
    assert record["observed"]["commit"] == SHA and record["declared"]["android_api_level"] == 23


def test_a_downloaded_tree_of_another_version_is_refused(tmp_path: Path, server, monkeypatch, capsys) -> None:
    server.serve("v1.4.1.tar.gz", _litert_tarball(tmp_path, "1.4.1", full_version="1.4.0"))
    monkeypatch.setenv("TFLITE_SLIM_LITERT_ARCHIVE_URL", server.url)
    assert main(["build", str(_model(tmp_path / "m.tflite")), "--litert-version", "1.4.1", "--out",
                 str(tmp_path / "out"), "--backend", "local", "--bazel", str(BAZEL), "--cache-dir", str(tmp_path / "cache")]) != 0
    err = capsys.readouterr().err.splitlines()[-1]
    assert err.startswith("error: --litert-version 1.4.1: the downloaded tree ") and "says it is 1.4.0" in err
    assert not (tmp_path / "out").exists()


def test_litert_without_bazel_is_said_before_the_download_without_docker(tmp_path: Path, litert_release,
                                                                           capsys) -> None:
    """The missing tool is named before the download; Docker builds TensorFlow only, so LiteRT's line omits it."""
    code = main(["build", str(_model(tmp_path / "m.tflite")), "--litert-version", "1.4.1",
                 "--out", str(tmp_path / "o"), "--backend", "local", "--bazel", str(tmp_path / "no-bazel"),
                 "--cache-dir", str(tmp_path / "cache")])
    assert code == 2
    assert capsys.readouterr().err == (
        f"error: bazel: '{tmp_path}/no-bazel' was not found; install Bazel (bazelisk) or pass --bazel PATH. "
        "Without it, `tflite-slim analyze MODELS` still reports the models' ops and "
        "`tflite-slim build ... --dry-run` shows the plan and every command\n")
    assert litert_release.requests == [] and not (tmp_path / "cache/litert").exists()


def test_a_tensorflow_archive_is_not_cached_as_litert(tmp_path: Path, server) -> None:
    ws = make_tensorflow_workspace(tmp_path / "b" / "tensorflow-1.4.1")
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        tar.add(ws, arcname="tensorflow-1.4.1")
    server.serve("v1.4.1.tar.gz", buf.getvalue())
    with HttpClient(retries=0) as client:
        with pytest.raises(NetworkError, match="no tflite/build_def.bzl; it is not a LiteRT release"):
            fetch_source("1.4.1", tmp_path / "cache", client, env={"TFLITE_SLIM_LITERT_ARCHIVE_URL": server.url},
                         layout=LITERT)
    assert list((tmp_path / "cache/litert/1.4.1").iterdir()) == []


@pytest.mark.parametrize(
    "args, message",
    [
        (["--source", "X", "--litert-version", "1.4.1"], "not allowed with argument"),
        (["--litert-version", "1.4.1", "--tensorflow-version", "2.16.1"], "not allowed with argument"),
        (["--litert-version", "latest", "--dry-run"], "--litert-version 'latest': expected a release like 1.4.1"),
        (["--litert-version", "2.1.6", "--dry-run"], "--litert-version 2.1.6: LiteRT 2.1.6+ (litert-api: liblitert_jni.so"),
        (["--litert-version", "1.4.1", "--backend", "docker", "--dry-run"], "build LiteRT with the local backend"),
        ([], "give exactly one of --source DIR"),
    ],
)
def test_source_options_are_exclusive(tmp_path: Path, capsys, args, message) -> None:
    model = _model(tmp_path / "m.tflite")
    with pytest.raises(SystemExit) if "not allowed" in message else contextlib.nullcontext():
        code = main(["build", str(model), "--out", str(tmp_path / "o"), *args])
        assert code == 2
    assert message in capsys.readouterr().err



def test_a_tensorflow_record_has_no_source_key(tmp_path: Path) -> None:
    """Records (and the ops artifacts published from them) of TensorFlow builds keep their bytes."""
    out = tmp_path / "out"
    tf = make_tensorflow_workspace(tmp_path / "tf")
    assert main(["build", str(_model(tmp_path / "m.tflite")), "--source", str(tf),
                 "--out", str(out), "--backend", "local", "--bazel", str(BAZEL), "--cache-dir", str(tmp_path / "cache")]) == 0
    record = json.loads((out / "ops.json").read_text())
    assert "source" not in record and record["tensorflow"]["version"] == "2.16.1"
