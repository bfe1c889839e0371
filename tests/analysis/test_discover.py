"""Finding model files under the paths a user gives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tflite_slim.analysis.discover import find_models
from tflite_slim.errors import UsageError


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    for rel in ["a.tflite", "sub/b.tflite", "sub/deeper/c.tflite", "sub/d.bin", "e.txt", "sub/B.TFLITE"]:
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"x")
    return tmp_path


def _rel(paths, root: Path):
    return [os.path.relpath(p, root) for p in paths]


@pytest.mark.parametrize(
    "globs, want",
    [
        ((), ["a.tflite", "sub/b.tflite", "sub/deeper/c.tflite"]),
        (("*.tflite",), ["a.tflite", "sub/b.tflite", "sub/deeper/c.tflite"]),
        (("*.bin",), ["sub/d.bin"]),
        (("*.bin", "*.tflite"), ["a.tflite", "sub/b.tflite", "sub/d.bin", "sub/deeper/c.tflite"]),
        (("*.TFLITE",), ["sub/B.TFLITE"]),  # case-sensitive, like the file system
        (("c.*",), ["sub/deeper/c.tflite"]),
    ],
)
def test_directory_globs(tree: Path, globs, want) -> None:
    assert _rel(find_models([str(tree)], globs), tree) == want


def test_named_files_are_always_included_and_deduplicated(tree: Path) -> None:
    got = find_models([str(tree / "e.txt"), str(tree), str(tree / "a.tflite")])
    assert _rel(got, tree) == ["a.tflite", "e.txt", "sub/b.tflite", "sub/deeper/c.tflite"]


def test_paths_keep_the_form_given(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tree)
    assert find_models(["sub"]) == [os.path.join("sub", "b.tflite"), os.path.join("sub", "deeper", "c.tflite")]


@pytest.mark.parametrize(
    "paths, message",
    [
        ([], "no model path given"),
        (["missing.tflite"], "missing.tflite: no such file or directory"),
    ],
)
def test_usage_errors(tree: Path, monkeypatch: pytest.MonkeyPatch, paths, message: str) -> None:
    monkeypatch.chdir(tree)
    with pytest.raises(UsageError, match=message):
        find_models(paths)


def test_nothing_found_says_where_and_what(tree: Path) -> None:
    with pytest.raises(UsageError) as e:
        find_models([str(tree / "sub")], ["*.onnx"])
    assert str(tree / "sub") in str(e.value) and "*.onnx" in str(e.value) and "--glob" in str(e.value)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_special_files_are_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.tflite"
    os.mkfifo(fifo)
    with pytest.raises(UsageError, match="not a regular file or directory"):
        find_models([str(fifo)])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_special_files_in_directories_are_skipped(tree: Path) -> None:
    os.mkfifo(tree / "sub" / "pipe.tflite")
    assert _rel(find_models([str(tree / "sub")]), tree) == ["sub/b.tflite", "sub/deeper/c.tflite"]


def test_a_directory_that_cannot_be_listed_is_an_error_not_skipped(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # As root, chmod 000 does not stop a listing, so the failure is injected where os.walk lists.
    locked = tree / "sub"
    real_scandir = os.scandir

    def scandir(path):
        if os.fspath(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(locked))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    with pytest.raises(UsageError, match=rf"^{locked}: cannot list the directory \(Permission denied\)"):
        find_models([str(tree)])


def test_symlink_loops_are_not_followed(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "m.tflite").write_bytes(b"x")
    (tmp_path / "a" / "loop").symlink_to(tmp_path / "a")
    assert find_models([str(tmp_path)]) == [str(tmp_path / "a" / "m.tflite")]


def test_a_very_deep_tree_is_searched_without_recursion(tmp_path: Path) -> None:
    # os.walk recursed once per level: 1,100 nested folders ended in a RecursionError traceback.
    deepest = tmp_path
    for _ in range(1100):  # one by one: Path.mkdir(parents=True) recurses too
        deepest = deepest / "d"
        deepest.mkdir()
    (deepest / "m.tflite").write_bytes(b"x")
    (tmp_path / "top.tflite").write_bytes(b"x")
    try:
        assert find_models([str(tmp_path)]) == [str(deepest / "m.tflite"), str(tmp_path / "top.tflite")]
    finally:  # pytest's own clean-up (shutil.rmtree) recurses per level as well
        (deepest / "m.tflite").unlink()
        while deepest != tmp_path:
            deepest.rmdir()
            deepest = deepest.parent
