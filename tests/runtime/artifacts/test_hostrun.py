"""Reading the model runner's lines and sorting its results (pure); the real run is in tests/runtime/backends/test_cmake.py."""

from __future__ import annotations

import zipfile

import pytest

from tflite_slim.errors import UsageError
from tflite_slim.runtime.artifacts import hostrun
from tflite_slim.runtime.artifacts.hostrun import FAILED, MISSING, OK, RunResult, classify, parse_lines

NOT_FOUND = ("java.lang.IllegalArgumentException: Internal error: Cannot create interpreter: Didn't find op for "
             "builtin opcode 'TRANSPOSE' version '2'. An older version of this builtin might be supported.")


@pytest.mark.parametrize(
    "status, message, expected",
    [
        ("ok", "", OK),
        ("error", NOT_FOUND, MISSING),
        ("error", "Encountered unresolved custom op: Foo.\nSee instructions: ...", MISSING),
        ("error", "java.lang.IllegalArgumentException: Cannot copy to a TensorFlowLite tensor", FAILED),
        ("error", "java.lang.UnsatisfiedLinkError: no tensorflowlite_jni", FAILED),
        ("error", "", FAILED),
    ],
)
def test_classify(status, message, expected):
    assert classify(status, message) == expected


def test_parse_lines_keeps_order_unescapes_and_ignores_other_output():
    out = ("INFO: Initialized TensorFlow Lite runtime.\n"
           "tflite-slim-run\t0\tok\t\n"
           "noise tflite-slim-run\t1\tok\t\n"
           "tflite-slim-run\t1\terror\tline one\\nline\\ttwo \\\\ done\n")
    assert parse_lines(out, ["a.tflite", "b.tflite"]) == [
        RunResult("a.tflite", OK, ""), RunResult("b.tflite", FAILED, "line one\nline\ttwo \\ done")]


@pytest.mark.parametrize(
    "out, expected",
    [
        ("tflite-slim-run\t1\tok\t\n", []),  # out of order: result 0 is missing
        ("tflite-slim-run\t0\tok\n", []),  # no message field
        ("tflite-slim-run\tx\tok\t\n", []),
        ("tflite-slim-run\t0\tok\t\ntflite-slim-run\t0\tok\t\n", ["a"]),  # a repeat
        ("tflite-slim-run\t0\tok\t\ntflite-slim-run\t1\tok\t\ntflite-slim-run\t2\tok\t\n", ["a", "b"]),  # extra
    ],
)
def test_parse_lines_takes_only_what_the_runner_writes_in_order(out, expected):
    assert [r.path for r in parse_lines(out, ["a", "b"])] == expected


def test_a_timeout_line_is_the_runners_last_word():
    out = "tflite-slim-run\t0\ttimeout\tit did not finish\ntflite-slim-run\t1\tok\t\n"
    assert parse_lines(out, ["a", "b"]) == [RunResult("a", FAILED, "it did not finish", timed_out=True)]


@pytest.mark.parametrize(
    "out, expected",
    [
        ("tflite-slim-time\t0\t1500000\t1200000\t5\ntflite-slim-run\t0\tok\t\n", [(1500000, 1200000, 5)]),
        # The time line belongs to the result right after it, of the same index.
        ("tflite-slim-run\t0\tok\t\ntflite-slim-time\t1\t7\t6\t3\ntflite-slim-run\t1\tok\t\n",
         [(None, None, 0), (7, 6, 3)]),
        ("tflite-slim-time\t1\t7\t6\t3\ntflite-slim-run\t0\tok\t\n", [(None, None, 0)]),  # another index
        ("tflite-slim-time\t0\t7\t6\n" "tflite-slim-run\t0\tok\t\n", [(None, None, 0)]),  # no count
        ("tflite-slim-time\t0\t7\t6\t0\ntflite-slim-run\t0\tok\t\n", [(None, None, 0)]),  # zero invokes
        ("tflite-slim-time\t0\t-7\t6\t1\ntflite-slim-run\t0\tok\t\n", [(None, None, 0)]),
        # A time does not stay for a later model, nor for one that failed.
        ("tflite-slim-time\t0\t7\t6\t1\ntflite-slim-run\t0\terror\tboom\ntflite-slim-run\t1\tok\t\n",
         [(None, None, 0), (None, None, 0)]),
    ],
)
def test_parse_lines_attaches_the_time_line_to_its_result(out, expected):
    assert [(r.median_ns, r.min_ns, r.repeat) for r in parse_lines(out, ["a", "b"])] == expected


@pytest.mark.parametrize(
    "median, fastest, repeat, text",
    [(12_345_678, 12_000_000, 5, "12.35 ms median of 5 invokes (fastest 12.00 ms)"),
     (900, 800, 1, "0.00 ms median of 1 invoke (fastest 0.00 ms)"),
     (None, None, 0, "")],
)
def test_timing_text(median, fastest, repeat, text):
    assert RunResult("a", OK, median_ns=median, min_ns=fastest, repeat=repeat).timing() == text


def test_a_negative_repeat_is_refused_before_anything_runs(tmp_path):
    with pytest.raises(UsageError, match=r"^--repeat -1: give 0"):
        hostrun.run_models(str(tmp_path), ["m.tflite"], abi="linux-x86_64", java="java", javac="javac", repeat=-1)


@pytest.mark.parametrize(
    "entries",
    [{}, {"classes.jar": b"x"}, {"jni/arm64-v8a/libtensorflowlite_jni.so": b"x", "classes.jar": b"x"}],
)
def test_runtime_that_is_not_a_host_build_is_one_line(tmp_path, entries):
    with zipfile.ZipFile(tmp_path / "tensorflow-lite.aar", "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)
    with pytest.raises(UsageError, match="not a host build .*--target-archs host"):
        hostrun.run_models(str(tmp_path), ["m.tflite"], abi="linux-x86_64", java="java", javac="javac")


def test_runtime_that_is_no_zip_is_one_line(tmp_path):
    (tmp_path / "tensorflow-lite.aar").write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(UsageError, match="not a host build"):
        hostrun.run_models(str(tmp_path), ["m.tflite"], abi="linux-x86_64", java="java", javac="javac")


def test_the_record_of_a_published_jar_is_the_ops_json_beside_it(tmp_path):
    assert hostrun.record_of(str(tmp_path)) == str(tmp_path / "ops.json")
    jar = tmp_path / "litert-1.5.0-litert-slim-0123456789ab-linux-aarch64.jar"
    assert hostrun.record_of(str(jar)) == str(tmp_path / "litert-1.5.0-litert-slim-0123456789ab-ops.json")


def test_a_published_jar_is_its_own_classpath(tmp_path):
    jar = tmp_path / "a-1-linux-x86_64.jar"
    with zipfile.ZipFile(jar, "w") as z:
        z.writestr("org/tensorflow/lite/Interpreter.class", b"classes")
        z.writestr("jni/linux-x86_64/libtensorflowlite_jni.so", b"\x7fELF")
    (tmp_path / "x").mkdir()
    classes, lib = hostrun._unpack(str(jar), "linux-x86_64", tmp_path / "x")
    assert classes.read_bytes() == jar.read_bytes() and (lib / "libtensorflowlite_jni.so").read_bytes() == b"\x7fELF"
    # The jar of another desktop ABI is refused in one line.
    with pytest.raises(UsageError, match="not a host build .*installed -linux-aarch64.jar"):
        hostrun.run_models(str(jar), ["m.tflite"], abi="linux-aarch64", java="java", javac="javac")


FAKE_JAVA = """#!{python}
# Stands in for a JVM running ModelRunner (its output protocol), one that hangs on a model named *never*,
# beyond the reach of the runner's own watchdog (as a JVM stuck in a GC or a signal handler would be).
import os, resource, sys, time
models = [os.path.realpath(p) for p in sys.argv[sys.argv.index("ModelRunner") + 1:]]
with open({record!r}, "a") as f:
    f.write(repr((resource.getrlimit(resource.RLIMIT_DATA)[0], sys.argv[1:], models)) + "\\n")
for i, path in enumerate(models):
    if "never" in path:
        time.sleep(600)
    print(f"tflite-slim-run\\t{{i}}\\tok\\t", flush=True)
"""


def test_a_jvm_that_hangs_is_killed_bounded_and_the_rest_run(tmp_path, monkeypatch):
    """Issue 29 #6: the same bounds as verify --run: a deadline (here the one past the runner's watchdog) and
    RLIMIT_DATA from runcheck.memory_limit; the model it hung on is failed, the rest run in a fresh JVM."""
    import sys
    import time

    from tflite_slim.analysis import runcheck

    with zipfile.ZipFile(tmp_path / "tensorflow-lite.aar", "w") as z:
        z.writestr("classes.jar", b"x")
        z.writestr("jni/linux-x86_64/libtensorflowlite_jni.so", b"x")
    record = tmp_path / "record"
    java = tmp_path / "java"
    java.write_text(FAKE_JAVA.format(python=sys.executable, record=str(record)))
    java.chmod(0o755)
    javac = tmp_path / "javac"
    javac.write_text("#!/bin/sh\nexit 0\n")
    javac.chmod(0o755)
    models = []
    for name, size in (("a", 10), ("never", 10), ("b", 1000)):
        (tmp_path / f"{name}.tflite").write_bytes(b"\0" * size)
        models.append(str(tmp_path / f"{name}.tflite"))
    monkeypatch.setattr(hostrun, "START_SECONDS", 1.0)
    started = time.monotonic()
    results = hostrun.run_models(str(tmp_path), models, abi="linux-x86_64", java=str(java), javac=str(javac),
                                 model_seconds=0.5)
    assert time.monotonic() - started < 10
    assert [(r.path, r.status) for r in results] == [(models[0], OK), (models[1], FAILED), (models[2], OK)]
    assert results[1].message == "it did not finish within 0.5 s (the limit verify --run sets); the JVM was killed"
    runs = [eval(line) for line in record.read_text().splitlines()]
    assert [given for _, _, given in runs] == [models, models[2:]]
    assert [limit for limit, _, _ in runs] == [hostrun.JVM_ALLOWANCE + runcheck.memory_limit(models[2])] * 2
    assert "-Dtflite.slim.modelSeconds=0.5" in runs[0][1]


def _fake_host_build(tmp_path, so_bytes: int = 16):
    import os

    out = tmp_path / "out"
    out.mkdir()
    with zipfile.ZipFile(out / "tensorflow-lite.aar", "w") as z:
        z.writestr("classes.jar", b"x")
        z.writestr("jni/linux-x86_64/libtensorflowlite_jni.so", os.urandom(so_bytes))
    return out


def test_a_full_tmpdir_is_one_line_naming_it(tmp_path, monkeypatch):
    """Issue 29, also seen: TMPDIR on a full disk was a traceback. Here a 64 KiB tmpfs a 256 KiB library does not
    fit in (needs root and mount; the next test simulates it everywhere)."""
    import os
    import subprocess
    import tempfile

    out = _fake_host_build(tmp_path, 256 << 10)
    small = tmp_path / "small"
    small.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(small)],
                      capture_output=True).returncode != 0:
        pytest.skip("mounting a tmpfs is not permitted here (needs root)")
    try:
        monkeypatch.setenv("TMPDIR", str(small))
        monkeypatch.setattr(tempfile, "tempdir", None)  # read TMPDIR again
        with pytest.raises(UsageError) as e:
            hostrun.run_models(str(out), ["m.tflite"], abi="linux-x86_64", java="java", javac="javac")
        assert str(e.value).startswith(f"cannot write the files verify --run --runtime needs in {small}")
        assert "No space left on device; free space there or set TMPDIR to a directory with room" in str(e.value)
        assert os.listdir(small) == []  # nothing half-written left
    finally:
        subprocess.run(["umount", str(small)], check=True)


def test_a_tmpdir_that_cannot_be_written_is_one_line(tmp_path, monkeypatch):
    import errno
    import tempfile

    out = _fake_host_build(tmp_path)

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", "/tmp/tflite-slim-run-x")

    monkeypatch.setattr(tempfile, "mkdtemp", full)
    with pytest.raises(UsageError, match=r"^cannot write the files verify --run --runtime needs in "
                                         r"/tmp/tflite-slim-run-x: No space left on device; free space there or "
                                         r"set TMPDIR to a directory with room$"):
        hostrun.run_models(str(out), ["m.tflite"], abi="linux-x86_64", java="java", javac="javac")
