"""The local Bazel backend: what a dry run shows, and stop() reaching the running Bazel."""

from __future__ import annotations

import sys
import threading

import pytest

from standin.workspace import make_tensorflow_workspace
from tflite_slim.analysis.opset import FlexOp, OpSet
from tflite_slim.errors import BuildError
from tflite_slim.runtime.backends import bazel_local
from tflite_slim.runtime.trees.android import AndroidConfig, action_env_flags
from tflite_slim.runtime.backends.base import BackendJob, Package
from tflite_slim.runtime.trees.layout import LITERT
from tflite_slim.runtime.spec.plan import BuildPlan, build_flags_for
from tflite_slim.runtime.backends.registry import BACKENDS
from tflite_slim.runtime.builder import BuildSettings, build, prepare


def test_dry_run_with_version_downloads_nothing(tmp_path, models, monkeypatch):
    monkeypatch.setenv("TFLITE_SLIM_TF_ARCHIVE_URL", "http://127.0.0.1:9/unreachable")
    p = prepare(BuildSettings(models=tuple(models), tensorflow_version="2.16.1", dry_run=True,
                              cache_dir=str(tmp_path / "c")))
    assert p.plan.tf_version == "2.16.1" and p.source is None
    assert p.commands[0][0] == "bazel" and not (tmp_path / "c").exists()
    assert p.plan.op_set.flex_ops == (FlexOp("AddV2"),)
    # Nothing to read yet: the newest script's flags, and no kernel verdict; both said.
    assert "kernel check skipped: the TensorFlow source is not downloaded yet" in p.notes
    assert any(n.startswith("bazel flags: the newest build_aar.sh's") for n in p.notes) and not p.problems



# A Bazel that answers --version and otherwise runs "forever", reporting a SIGINT (as Bazel's client cancels).
_SLOW_BAZEL = """\
import signal, sys, time
if "--version" in sys.argv:
    print("bazel 6.5.0")
    sys.exit(0)
def on_int(*_):
    open(REPORT, "w").write("SIGINT")
    sys.exit(8)
signal.signal(signal.SIGINT, on_int)
print("building", flush=True)
time.sleep(60)
"""


def test_stop_interrupts_the_running_bazel_and_leaves_no_output(tmp_path, monkeypatch, models):
    ws = make_tensorflow_workspace(tmp_path / "tf")
    report = tmp_path / "report"
    bazel = tmp_path / "slow-bazel"
    bazel.write_text(f"#!{sys.executable}\nREPORT = {str(report)!r}\n" + _SLOW_BAZEL)
    bazel.chmod(0o755)
    made = []
    monkeypatch.setitem(BACKENDS, "local", lambda s: made.append(bazel_local.create(s)) or made[-1])
    building = threading.Event()

    def log(line: str) -> None:
        if line.endswith("] building"):
            building.set()

    def stop_when_building() -> None:
        building.wait(30)
        made[0].stop()

    threading.Thread(target=stop_when_building).start()
    s = BuildSettings(models=tuple(models), out=str(tmp_path / "out"), tensorflow_src=str(ws), bazel=str(bazel),
                      cache_dir=str(tmp_path / "cache"))
    with pytest.raises(BuildError, match=r"bazel build :tensorflow-lite was stopped"):
        build(s, log=log)
    assert report.read_text() == "SIGINT"
    assert not (tmp_path / "out").exists()
    assert [p.name for p in (tmp_path / "cache/builds").iterdir()] == []


def _job(tmp_path, *, needs_configure: bool, android, release="1.4.1") -> BackendJob:
    """A LiteRT job as generate makes it, for a tree that needs ./configure or reads the SDK/NDK from the environment."""
    env = action_env_flags(android) if android is not None and not needs_configure else ()
    plan = BuildPlan(OpSet({"ADD": (1,)}), ("arm64-v8a",), "1.4.1", android=android, source=LITERT.kind,
                     build_flags=build_flags_for(None, LITERT), env_flags=env)
    return BackendJob(plan, Package("tflite_slim_build/p0", "", ()), "", tmp_path, LITERT, release,
                      tmp_path / "work", lambda _: None, needs_configure=needs_configure)


@pytest.mark.parametrize("release", ["1.4.1", None])
def test_a_tree_that_reads_the_environment_is_never_configured(tmp_path, release):
    """LiteRT HEAD's WORKSPACE reads ANDROID_HOME/ANDROID_NDK_HOME: no configure.py, the SDK/NDK as --action_env."""
    android = AndroidConfig(str(tmp_path / "sdk"), str(tmp_path / "ndk"), "34", "26", "34.0.0", "26.3.11579264")
    backend = bazel_local.LocalBazel()
    commands = backend.commands(_job(tmp_path, needs_configure=False, android=android, release=release))
    assert [c[0] for c in commands] == ["bazel"]
    assert f"--action_env=ANDROID_NDK_HOME={tmp_path / 'ndk'}" in commands[0]
    assert backend.problems(_job(tmp_path, needs_configure=False, android=android, release=release)) == []
    backend.prepare(_job(tmp_path, needs_configure=False, android=android, release=release))  # nothing to configure
    # A tree we would configure shows the configure.py run first (the tree has no configure file yet).
    if release:
        configured = backend.commands(_job(tmp_path, needs_configure=True, android=android, release=release))
        assert configured[0][0] == "env" and "configure.py" in " ".join(configured[0])


def test_a_tree_that_reads_the_environment_needs_an_sdk_and_ndk_there(tmp_path, monkeypatch):
    for name in ("ANDROID_HOME", "ANDROID_SDK_ROOT", "ANDROID_SDK_HOME", "ANDROID_NDK_HOME", "ANDROID_NDK_ROOT",
                 "ANDROID_NDK"):
        monkeypatch.delenv(name, raising=False)
    problems = bazel_local.LocalBazel().problems(_job(tmp_path, needs_configure=False, android=None))
    assert len(problems) == 1 and problems[0].startswith(f"{tmp_path} reads the Android SDK/NDK from the environment: ")
