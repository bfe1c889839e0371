"""The content digest that keys a CMake build directory (cmake_inputs)."""

from __future__ import annotations

import os
from pathlib import Path

from tflite_slim.runtime.backends.cmake.inputs import content_digest


def _tree(root: Path) -> Path:
    (root / "tflite" / "kernels").mkdir(parents=True)
    (root / "tflite" / "kernels" / "add.cc").write_text("int add;\n")
    (root / "tflite" / "CMakeLists.txt").write_text("project(x)\n")
    return root


def test_content_not_dates_decides(tmp_path):
    root = _tree(tmp_path / "t")
    before = content_digest([root])
    os.utime(root / "tflite" / "kernels" / "add.cc", (1, 1))
    assert content_digest([root]) == before  # a date alone is not another tree
    (root / "tflite" / "kernels" / "add.cc").write_text("int add2;\n")
    os.utime(root / "tflite" / "kernels" / "add.cc", (1, 1))
    assert content_digest([root]) != before  # other content with an old date is


def test_names_and_layout_count(tmp_path):
    a, b = _tree(tmp_path / "a"), _tree(tmp_path / "b")
    assert content_digest([a]) != content_digest([b])  # the root's path is part of it
    base = content_digest([a])
    (a / "tflite" / "kernels" / "add.cc").rename(a / "tflite" / "kernels" / "sub.cc")
    assert content_digest([a]) != base
    (a / "tflite" / "empty").mkdir()
    assert content_digest([a]) != base


def test_skipped_git_and_cache_directories(tmp_path):
    root = _tree(tmp_path / "t")
    base = content_digest([root], skip=[root / "cache"])
    for d in (".git", "cache"):
        (root / d).mkdir()
        (root / d / "f").write_text("changes with every build\n")
    assert content_digest([root], skip=[root / "cache"]) == base


def test_directory_links_are_named_not_followed(tmp_path):
    root = _tree(tmp_path / "t")
    out1, out2 = tmp_path / "out1", tmp_path / "out2"
    out1.mkdir()
    out2.mkdir()
    (root / "bazel-out").symlink_to(out1)
    (root / "loop").symlink_to(root)  # a cycle ends at once
    base = content_digest([root])
    (out1 / "big").write_bytes(b"x" * 100)
    assert content_digest([root]) == base
    (root / "bazel-out").unlink()
    (root / "bazel-out").symlink_to(out2)
    assert content_digest([root]) != base


def test_a_file_link_is_hashed_by_content_and_a_missing_root_counts(tmp_path):
    root = _tree(tmp_path / "t")
    target = tmp_path / "real.h"
    target.write_text("1\n")
    (root / "tflite" / "link.h").symlink_to(target)
    base = content_digest([root])
    target.write_text("2\n")
    assert content_digest([root]) != base
    assert content_digest([root, tmp_path / "absent"]) != content_digest([root])
