"""The local Bazel backend: what a dry run shows, and stop() reaching the running Bazel."""

from __future__ import annotations

import sys
import threading

import pytest

from standin.workspace import make_tensorflow_workspace
from tflite_slim.analysis.opset import FlexOp
from tflite_slim.errors import BuildError
from tflite_slim.runtime import bazel_local
from tflite_slim.runtime.backends import BACKENDS
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
