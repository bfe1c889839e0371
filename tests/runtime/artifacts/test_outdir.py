"""Which --out directory a build may replace (tflite_slim.runtime.artifacts.outdir)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tflite_slim.errors import UsageError
from tflite_slim.runtime.artifacts import outdir

NAMES = frozenset({"ops.json", "tensorflow-lite.aar", "tensorflow-lite-select-tf-ops.aar"})


def _marked(d: Path, *files: str) -> Path:
    d.mkdir()
    outdir.mark(d)
    for f in files:
        (d / f).write_bytes(b"x")
    return d


@pytest.mark.parametrize(
    "make",
    [
        lambda d: None,  # absent
        lambda d: d.mkdir(),  # empty
        lambda d: _marked(d),
        lambda d: _marked(d, "ops.json", "tensorflow-lite.aar"),
        lambda d: _marked(d, "ops.json", "tensorflow-lite.aar", "tensorflow-lite-select-tf-ops.aar"),
    ],
)
def test_replaceable(tmp_path: Path, make) -> None:
    make(tmp_path / "out")
    outdir.check_replaceable(tmp_path / "out", NAMES)


def _project_with_analyze_output(d: Path) -> None:
    """What the README's own 'analyze --format json -o ops.json' leaves in a project."""
    d.mkdir()
    (d / "ops.json").write_text("{}")
    (d / "build.gradle").write_text("// the user's")


def _forged_marker(d: Path) -> None:
    d.mkdir()
    (d / outdir.MARKER).write_text("something else")


def _marker_link(d: Path) -> None:
    d.mkdir()
    real = d.parent / "real-marker"
    real.write_text(outdir.MARKER_TEXT)
    os.symlink(real, d / outdir.MARKER)


def _marked_with_user_file(d: Path) -> None:
    _marked(d, "ops.json", "notes.txt")


def _marked_with_dir_named_like_ours(d: Path) -> None:
    _marked(d)
    (d / "ops.json").mkdir()
    (d / "ops.json" / "precious").write_text("x")


@pytest.mark.parametrize(
    "make, message",
    [
        (_project_with_analyze_output, "has no .tflite-slim-build file"),
        (_forged_marker, "has no .tflite-slim-build file"),
        (_marker_link, "has no .tflite-slim-build file"),
        (_marked_with_user_file, "holds files a build did not write (notes.txt)"),
        (_marked_with_dir_named_like_ours, "holds files a build did not write (ops.json)"),
        (lambda d: d.write_text("a file"), "is not a directory"),
    ],
)
def test_refused(tmp_path: Path, make, message: str) -> None:
    make(tmp_path / "out")
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        outdir.check_replaceable(tmp_path / "out", NAMES)
