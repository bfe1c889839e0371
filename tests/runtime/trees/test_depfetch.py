"""Fetching pinned sources into the cache: checked (size, SHA-256, commit), once, and only what is needed."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import pytest

from repo_server import RepoServer
from standin.deps import tarball
from tflite_slim.errors import NetworkError
from tflite_slim.http import HttpClient
from tflite_slim.runtime.trees import depfetch
from tflite_slim.runtime.trees.cmakedeps import Pin

COMMIT = "4c38131a16803130b66266a912029504f2cf23cd"


@pytest.fixture
def server(tmp_path):
    with RepoServer(tmp_path / "served", credentials=None) as s:
        yield s


def _fetch(source, lines=None):
    with HttpClient() as client:
        return depfetch.fetch(source, client, (lines if lines is not None else []).append)


def test_fetched_once_with_progress_and_a_record(server, tmp_path: Path) -> None:
    server.serve(f"eigen/{COMMIT}.tar.gz", tarball(f"eigen-{COMMIT}", {"Eigen/Core": "x"}, COMMIT))
    pin = Pin("eigen", COMMIT, "https://gitlab.com/libeigen/eigen.git", where="eigen.cmake")
    source = depfetch.source_for(pin, tmp_path / "cache", server.url)
    lines: list[str] = []
    assert _fetch(source, lines) == tmp_path / "cache/cmake-deps/eigen" / COMMIT / "src"
    assert (source.directory / "Eigen/Core").read_text() == "x"
    assert any(" of " in line for line in lines if line.startswith("tflite-slim: downloading eigen 4c38131a1680:"))
    assert _fetch(source) == source.directory and len(server.paths()) == 1  # cached by commit


def test_the_url_hash_and_the_archive_commit_are_checked(server, tmp_path: Path) -> None:
    data = tarball("OouraFFT-1.0", {"fft.h": "x"})
    server.serve("fft2d/abc.tar.gz", data)
    pin = Pin("fft2d", "abc", url="https://x/v1.0.tar.gz", sha256="0" * 64, where="fft2d.cmake")
    with pytest.raises(NetworkError, match="SHA-256 .* but fft2d.cmake pins fft2d at 0000"):
        _fetch(depfetch.source_for(pin, tmp_path, server.url))
    right = Pin("fft2d", "abc", url="https://x/v1.0.tar.gz", sha256=hashlib.sha256(data).hexdigest())
    assert (_fetch(depfetch.source_for(right, tmp_path, server.url)) / "fft.h").is_file()
    other = "1" * 40
    server.serve(f"eigen/{COMMIT}.tar.gz", tarball("eigen", {"a": "b"}, other))
    with pytest.raises(NetworkError, match=f"the archive is of commit {other}, but eigen.cmake pins eigen at {COMMIT}"):
        _fetch(depfetch.source_for(Pin("eigen", COMMIT, "https://gitlab.com/a/eigen", where="eigen.cmake"),
                                   tmp_path, server.url))
    assert list((tmp_path / "cmake-deps/eigen").iterdir()) == []  # nothing half-made is left


def test_only_the_paths_asked_for_are_extracted(server, tmp_path: Path) -> None:
    server.serve("tensorflow/v1.tar.gz", tarball("tensorflow-v1", {"tensorflow/core/example/a.proto": "x",
                                                                   "tensorflow/core/kernels/big.cc": "y",
                                                                   "third_party/fft2d/fft.h": "z"}))
    source = depfetch.source_for(Pin("tensorflow", "v1", "https://github.com/tensorflow/tensorflow"), tmp_path,
                                 server.url, only=("tensorflow/core/example", "third_party/fft2d"))
    src = _fetch(source)
    assert sorted(str(p.relative_to(src)) for p in src.rglob("*") if p.is_file()) == [
        "tensorflow/core/example/a.proto", "third_party/fft2d/fft.h"]
    # Another list of paths (a newer tflite-slim): the extract is made again, not reused short of a path.
    wider = dataclasses.replace(source, only=(*source.only, "tensorflow/core/kernels"))
    assert not depfetch.intact(wider)
    assert (_fetch(wider) / "tensorflow/core/kernels/big.cc").is_file() and len(server.paths()) == 2


def test_a_missing_archive_names_the_url(server, tmp_path: Path) -> None:
    source = depfetch.source_for(Pin("ruy", "abc", "https://github.com/google/ruy"), tmp_path, server.url)
    with pytest.raises(NetworkError, match=r"download of http://127\.0\.0\.1:\d+/maven/ruy/abc\.tar\.gz \(ruy abc\) "
                                           "failed: HTTP 404"):
        _fetch(source)


def test_a_name_or_revision_that_would_climb_out_of_the_cache_is_not_fetched(tmp_path: Path) -> None:
    assert depfetch.source_for(Pin("../x", "abc", "https://github.com/a/b"), tmp_path, None) is None
    assert depfetch.source_for(Pin("x", "../../abc", "https://github.com/a/b"), tmp_path, None) is None
