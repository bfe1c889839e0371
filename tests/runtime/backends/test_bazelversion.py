"""The Bazel version check: reading the pin, parsing ``bazel --version``, and what the user is told.

Real binaries (Debian's no_version build, Bazel 2.1.0) are exercised in
test_realbazel.py; here small executables print chosen text.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from modelmaker import ADD, Op, builtin, make_model
from standin.workspace import BAZEL, make_tensorflow_workspace
from tflite_slim.runtime.backends import bazelversion
from tflite_slim.runtime.builder import BuildSettings, build


@pytest.mark.parametrize(
    "output, version",
    [
        ("bazel 6.5.0\n", "6.5.0"),
        ("bazel 2.1.0", "2.1.0"),
        ("bazel 7.0.0rc2\n", "7.0.0rc2"),
        ("bazel 6.5.0-homebrew\n", "6.5.0-homebrew"),
        ("bazel no_version\n", None),  # Debian's bazel-bootstrap
        ("Bazelisk version: v1.19.0\nbazel 6.5.0\n", "6.5.0"),
        ("", None),
        ("Build label: 6.5.0\n", None),  # `bazel version`, not `--version`: not what we run
        ("bazel\n", None),
    ],
)
def test_parse_version(output, version):
    assert bazelversion.parse_version(output) == version


@pytest.mark.parametrize(
    "actual, wanted, result",
    [
        ("6.5.0", "6.5.0", True),
        ("6.5.0", "6.1.0", False),
        ("6.5.0-homebrew", "6.5.0", True),
        ("7.0.0rc2", "7.0.0rc2", True),
        ("7.0.0", "7.0.0rc2", False),
        ("6.5.0", "6.x", True),
        ("6.5.0", "6.*", True),
        ("7.1.0", "6.x", False),
        ("6.5.0", "latest", None),  # only bazelisk can resolve these
        ("6.5.0", "last_green", None),
        ("6.5.0", "myfork/6.5.0", None),
    ],
)
def test_satisfies(actual, wanted, result):
    assert bazelversion.satisfies(actual, wanted) is result


@pytest.mark.parametrize(
    "content, pin",
    [
        (b"6.5.0\n", "6.5.0"),
        (b"  7.1.1  \r\n# comment\n", "7.1.1"),
        (b"6.5.0", "6.5.0"),  # no final newline
        (b"\n", None),
        (b"", None),
        (b"9" * 10_000_000, "9" * 256),  # read bounded, whatever the file's size
    ],
)
def test_read_pin(tmp_path, content, pin):
    (tmp_path / ".bazelversion").write_bytes(content)
    assert bazelversion.read_pin(tmp_path) == pin


def test_read_pin_absent(tmp_path):
    assert bazelversion.read_pin(tmp_path) is None


def fake_bazel(directory: Path, stdout: str, code: int = 0) -> str:
    """An executable that prints ``stdout`` for ``--version`` and exits with ``code``."""
    path = directory / "fakebazel"
    path.write_text(f"#!{sys.executable}\nimport sys\nsys.stdout.write({stdout!r})\nsys.exit({code})\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


@pytest.mark.parametrize(
    "stdout, code, pin, expected",
    [
        ("bazel 6.5.0\n", 0, "6.5.0", None),
        ("bazel 6.5.0\n", 0, "6.x", None),
        ("bazel 6.5.0\n", 0, "latest", None),
        ("bazel 2.1.0\n", 0, "6.5.0", "is Bazel 2.1.0 but this tree's .bazelversion wants Bazel 6.5.0; the build may fail"),
        ("bazel no_version\n", 0, "6.5.0", "cannot tell which Bazel '{bazel}' is (its --version printed 'bazel no_version'"),
        # Bazel's wrapper script when the pinned version is not installed (it prints in colour).
        ("\x1b[31mERROR: The project you're trying to build requires Bazel 6.5.0\x1b[0m\n", 1, "6.5.0",
         "'{bazel} --version' failed with exit status 1 (ERROR: The project you're trying to build requires Bazel 6.5.0)"),
    ],
)
def test_check_messages(tmp_path, stdout, code, pin, expected):
    (tmp_path / ".bazelversion").write_text(pin + "\n")
    bazel = fake_bazel(tmp_path, stdout, code)
    check = bazelversion.check(bazel, tmp_path)
    assert check is not None and check.wanted == pin
    if expected is None:
        assert check.message is None
    else:
        assert expected.format(bazel=bazel) in check.message
        assert f"wants Bazel {pin}" in check.message and "bazelisk" in check.message


def test_check_without_pin_runs_nothing(tmp_path):
    bazel = fake_bazel(tmp_path, "bazel 1.0.0\n")
    os.remove(bazel)  # it would fail to run if called
    assert bazelversion.check(bazel, tmp_path) is None


def test_check_missing_bazel_is_left_to_the_build(tmp_path):
    (tmp_path / ".bazelversion").write_text("6.5.0\n")
    assert bazelversion.check(str(tmp_path / "nonexistent"), tmp_path) is None


@pytest.mark.parametrize("pin, warned", [("6.5.0", False), ("7.1.0", True)])
def test_build_warns_when_the_pin_differs(tmp_path, monkeypatch, pin, warned):
    ws = make_tensorflow_workspace(tmp_path / "tf")
    (ws / ".bazelversion").write_text(pin + "\n")
    monkeypatch.setenv("TFLITE_SLIM_CACHE", str(tmp_path / "cache"))
    model = tmp_path / "a.tflite"
    model.write_bytes(make_model([builtin(ADD, 1)], [[Op(0)]]))
    lines: list[str] = []
    build(BuildSettings(models=(str(model),), out=str(tmp_path / "out"), tensorflow_src=str(ws), bazel=str(BAZEL)),
          log=lines.append)
    warnings = [line for line in lines if line.startswith("tflite-slim: warning:")]
    if warned:
        # The stand-in says it is 6.5.0; the message names both versions and the way out.
        assert warnings == [f"tflite-slim: warning: '{BAZEL}' is Bazel 6.5.0 but this tree's .bazelversion wants "
                            "Bazel 7.1.0; the build may fail: use bazelisk (it reads .bazelversion) or --bazel PATH "
                            "to Bazel 7.1.0"]
    else:
        assert warnings == []
