"""Reading the dependency pins from a tree's CMake modules (the declaration shapes of LiteRT v1.4.1 and HEAD)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tflite_slim.runtime.trees import cmakedeps
from tflite_slim.runtime.trees.cmakedeps import Pin

# The three shapes LiteRT v1.4.1's tools/cmake/modules use (our own text, their keywords and layout).
GIT = """
include(OverridableFetchContent)
OverridableFetchContent_Declare(
  eigen
  GIT_REPOSITORY https://gitlab.com/libeigen/eigen.git
  # Sync with third_party/xla/third_party/eigen3/workspace.bzl
  GIT_TAG 4c38131a16803130b66266a912029504f2cf23cd
  # GIT_SHALLOW TRUE
  GIT_PROGRESS TRUE
  SOURCE_DIR "${CMAKE_BINARY_DIR}/eigen"
)
"""
URL_VAR = """
set(NEON2SSE_URL
  https://storage.googleapis.com/mirror.tensorflow.org/github.com/intel/ARM_NEON_2_x86_SSE/archive/a15b.tar.gz
)
OverridableFetchContent_Declare(
  neon2sse
  URL "${NEON2SSE_URL}"
  URL_HASH SHA256=019FBC7EC25860070A1D90E12686FC160CFB33E22AA063C80F52B363F1361E9D
  LICENSE_URL "${NEON2SSE_URL}"
)
"""
TAG = """OverridableFetchContent_Declare(flatbuffers GIT_REPOSITORY https://github.com/google/flatbuffers
  GIT_TAG v24.3.25 # a tag, not a commit
)"""
HEAD_CMAKELISTS = """
if(NOT TENSORFLOW_SOURCE_DIR)
  FetchContent_Declare(
    tensorflow
    GIT_REPOSITORY https://github.com/tensorflow/tensorflow.git
    # v2.21.0-rc0 has updated schema_generated.h file.
    GIT_TAG v2.21.0-rc0
    SOURCE_DIR ${CMAKE_CURRENT_BINARY_DIR}/tensorflow-src
  )
endif()
"""


@pytest.mark.parametrize("text, expected", [
    (GIT, Pin("eigen", "4c38131a16803130b66266a912029504f2cf23cd", "https://gitlab.com/libeigen/eigen.git", where="m")),
    (URL_VAR, Pin("neon2sse", "019fbc7ec25860070a1d90e12686fc160cfb33e22aa063c80f52b363f1361e9d", None,
                  "https://storage.googleapis.com/mirror.tensorflow.org/github.com/intel/ARM_NEON_2_x86_SSE/archive/"
                  "a15b.tar.gz", "019fbc7ec25860070a1d90e12686fc160cfb33e22aa063c80f52b363f1361e9d", "m")),
    (TAG, Pin("flatbuffers", "v24.3.25", "https://github.com/google/flatbuffers", where="m")),
    (HEAD_CMAKELISTS, Pin("tensorflow", "v2.21.0-rc0", "https://github.com/tensorflow/tensorflow.git", where="m")),
])
def test_parse_module(text: str, expected: Pin) -> None:
    assert cmakedeps.parse_module(text, "m") == [expected]


@pytest.mark.parametrize("pin, url", [
    (Pin("eigen", "abc", "https://gitlab.com/libeigen/eigen.git"),
     "https://gitlab.com/libeigen/eigen/-/archive/abc/eigen-abc.tar.gz"),
    (Pin("ruy", "3286a34c", "https://github.com/google/ruy"), "https://github.com/google/ruy/archive/3286a34c.tar.gz"),
    (Pin("tensorflow", "v2.21.0-rc0", "https://github.com/tensorflow/tensorflow.git"),
     "https://github.com/tensorflow/tensorflow/archive/v2.21.0-rc0.tar.gz"),
    (Pin("fft2d", "5f4d", url="https://storage.example/v1.0.tar.gz", sha256="5f4d"), "https://storage.example/v1.0.tar.gz"),
    (Pin("x", "1", "https://git.example.org/x.git"), None),  # another host: --cmake-dep-source or --dep-mirror
    (Pin("x", "1", "http://github.com/a/b"), None),
    (Pin("x", "1", url="http://127.0.0.1/x.tar.gz", sha256="1"), None),  # a tree's URL: https only
    (Pin("x", "1", url="file:///etc/passwd", sha256="1"), None),
])
def test_archive_url(pin: Pin, url) -> None:
    assert cmakedeps.archive_url(pin) == url


def test_mirror_url_and_its_check() -> None:
    assert cmakedeps.mirror_url("https://m/deps/", "eigen", "4c38") == "https://m/deps/eigen/4c38.tar.gz"
    assert cmakedeps.mirror_url("https://m/{name}-{revision}.tgz", "eigen", "4c38") == "https://m/eigen-4c38.tgz"
    assert cmakedeps.check_mirror("https://m/{name.__class__}") is not None
    assert cmakedeps.check_mirror("ftp://m") is not None
    assert "credentials" in cmakedeps.check_mirror("https://user:token@m/")
    assert cmakedeps.check_mirror("https://m/{name}/{revision}.tar.gz") is None


def test_tensorflow_pin_from_cmakelists_else_the_release_table(tmp_path: Path) -> None:
    # v1.4.1's submodule (2adc36c6, 2024-09-04) has no release_version.h, which its tflite/version.h includes:
    # the release builds with TensorFlow 2.20.0 (docs/sources.md), not with the submodule.
    assert cmakedeps.tensorflow_pin(tmp_path, "1.4.1") == Pin(
        "tensorflow", "v2.20.0", cmakedeps.TENSORFLOW_REPOSITORY,
        where="tflite-slim's table for LiteRT v1.4.1 (docs/sources.md)")
    # Before release_version.h (v1.1.x): the submodule, unverified; v1.2.0-v1.3.0: nothing known, refused.
    assert cmakedeps.tensorflow_pin(tmp_path, "1.1.0").revision == "2adc36c677a558b93a454705059baac2b0cdf5a3"
    assert cmakedeps.tensorflow_pin(tmp_path, "1.3.0") is None
    assert cmakedeps.tensorflow_pin(tmp_path, "1.5.0") is None
    (tmp_path / "CMakeLists.txt").write_text(HEAD_CMAKELISTS)
    assert cmakedeps.tensorflow_pin(tmp_path, "1.4.1").revision == "v2.21.0-rc0"


def test_read_pins_and_wanted(tmp_path: Path) -> None:
    modules = tmp_path / cmakedeps.MODULES_DIR
    modules.mkdir(parents=True)
    (modules / "eigen.cmake").write_text(GIT)
    (modules / "flatbuffers.cmake").write_text(TAG)
    (modules / "xnnpack.cmake").write_text(GIT.replace("eigen", "xnnpack"))
    downloads = tmp_path / cmakedeps.DOWNLOADS_DIR
    downloads.mkdir()
    (downloads / "DownloadPThreadPool.cmake").write_text(DOWNLOAD)
    (downloads / "DownloadEigen.cmake").write_text(DOWNLOAD.replace("pthreadpool", "eigen"))  # a module wins
    pins = cmakedeps.read_pins(tmp_path)
    assert sorted(pins) == ["eigen", "flatbuffers", "pthreadpool", "xnnpack"]
    assert pins["eigen"].where == "tools/cmake/modules/eigen.cmake" and pins["eigen"].variable is None
    assert pins["pthreadpool"].where == "cmake/DownloadPThreadPool.cmake"
    assert [p.name for p in cmakedeps.wanted(pins, cmakedeps.needed(False))] == ["eigen", "flatbuffers"]
    assert [p.name for p in cmakedeps.wanted(pins, cmakedeps.needed(True))] == \
        ["eigen", "flatbuffers", "pthreadpool", "xnnpack"]
    assert not cmakedeps.safe_revision("../x") and cmakedeps.safe_revision("v24.3.25")


# LiteRT v1.4.1's tflite/cmake/DownloadPThreadPool.cmake and XNNPACK's cmake/Download*.cmake (their shape).
DOWNLOAD = """
INCLUDE(ExternalProject)
ExternalProject_Add(pthreadpool
  URL https://github.com/google/pthreadpool/archive/c2ba5c50bb58d1397b693740cf75fad836a0d1bf.zip
  URL_HASH SHA256=516ba8d05c30e016d7fd7af6a7fc74308273883f857faf92bc9bb630ab6dba2c
  SOURCE_DIR "${CMAKE_BINARY_DIR}/pthreadpool-source"
  CONFIGURE_COMMAND ""
)
"""


@pytest.mark.parametrize("text, expected", [
    # A GitHub archive of a commit: the commit is the pin (the zip's hash cannot check our .tar.gz).
    (DOWNLOAD, Pin("pthreadpool", "c2ba5c50bb58d1397b693740cf75fad836a0d1bf", "https://github.com/google/pthreadpool",
                   where="d", variable="PTHREADPOOL_SOURCE_DIR")),
    (DOWNLOAD.replace(".zip", ".tar.gz").replace("ExternalProject_Add(pthreadpool", "ExternalProject_Add(fxdiv"),
     Pin("fxdiv", "c2ba5c50bb58d1397b693740cf75fad836a0d1bf", "https://github.com/google/pthreadpool", where="d",
         variable="FXDIV_SOURCE_DIR")),
    # Another host's .tar.gz: a URL pin checked by its hash.
    ("ExternalProject_Add(x URL https://example.org/x-1.tar.gz URL_HASH SHA256=" + "A" * 64 + ")",
     Pin("x", "a" * 64, url="https://example.org/x-1.tar.gz", sha256="a" * 64, where="d", variable="X_SOURCE_DIR")),
    # A zip elsewhere, a tag: no archive we can fetch (the problem names --cmake-dep-source).
    ("ExternalProject_Add(y URL https://example.org/y.zip URL_HASH SHA256=" + "b" * 64 + ")",
     Pin("y", "b" * 64, where="d", variable="Y_SOURCE_DIR")),
    ("ExternalProject_Add(z URL https://github.com/a/z/archive/v1.0.zip)", Pin("z", None, where="d",
                                                                               variable="Z_SOURCE_DIR")),
])
def test_parse_downloads(text: str, expected: Pin) -> None:
    assert cmakedeps.parse_downloads(text, "d") == [expected]
    assert cmakedeps.archive_url(expected) == (
        f"https://github.com/google/pthreadpool/archive/{expected.revision}.tar.gz" if expected.repository
        else expected.url)


def test_litert_141s_xnnpack_pin_is_corrected(tmp_path: Path) -> None:
    """v1.4.1's xnnpack.cmake names KleidiAI's commit as XNNPACK's GIT_TAG; the pin used is XNNPACK's own,
    and the record keeps what the tree said."""
    modules = tmp_path / cmakedeps.MODULES_DIR
    modules.mkdir(parents=True)
    wrong = "dc69e899945c412a8ce39ccafd25139f743c60b1"
    (modules / "xnnpack.cmake").write_text(GIT.replace("eigen", "xnnpack").replace(
        "https://gitlab.com/libxnnpack/xnnpack.git", "https://github.com/google/XNNPACK").replace(
        "4c38131a16803130b66266a912029504f2cf23cd", wrong))
    pin = cmakedeps.read_pins(tmp_path)["xnnpack"]
    assert pin.revision == "0a655ef53812ce9bd8ce2628757cc0f476efcf51" and pin.corrected_from == wrong
    assert pin.where.startswith("tools/cmake/modules/xnnpack.cmake, corrected: dc69e899 is KleidiAI's commit")
    other = GIT.replace("eigen", "xnnpack")  # any other pin is the tree's
    (modules / "xnnpack.cmake").write_text(other)
    assert cmakedeps.read_pins(tmp_path)["xnnpack"].corrected_from is None


def test_xnnpacks_own_downloads_are_read_from_its_tree(tmp_path: Path) -> None:
    (tmp_path / "cmake").mkdir()
    (tmp_path / "cmake" / "DownloadFXdiv.cmake").write_text(DOWNLOAD.replace("(pthreadpool", "(fxdiv"))
    (tmp_path / "cmake" / "other.cmake").write_text(DOWNLOAD.replace("(pthreadpool", "(other"))  # not Download*
    assert cmakedeps.read_downloads(tmp_path, "XNNPACK's") == {"fxdiv": Pin(
        "fxdiv", "c2ba5c50bb58d1397b693740cf75fad836a0d1bf", "https://github.com/google/pthreadpool",
        where="XNNPACK's cmake/DownloadFXdiv.cmake", variable="FXDIV_SOURCE_DIR")}


def test_a_source_computed_at_configure_time_is_marked() -> None:
    """TensorFlow's own fft2d.cmake reads its URL from workspace2.bzl at configure time."""
    (pin,) = cmakedeps.parse_module('get_dependency_archive("fft2d" "${TF_SOURCE_DIR}/workspace2.bzl" FFT2D_URL '
                                    'FFT2D_CHECKSUM)\nOverridableFetchContent_Declare(fft2d URL ${FFT2D_URL} '
                                    'URL_HASH SHA256=${FFT2D_CHECKSUM})\n')
    assert pin.computed and not cmakedeps.parse_module(GIT)[0].computed


@pytest.mark.parametrize("text, expected", [
    ('TF_VERSION = "2.20.0"\nMAJOR_VERSION, MINOR_VERSION, PATCH_VERSION = TF_VERSION.split(".")\n', (2, 20, 0, "")),
    ('# comment\nTF_VERSION = "2.21.0-rc0"\n', (2, 21, 0, "-rc0")),
    ('VERSION = "2.20.0"\n', None),
    ('TF_VERSION = "2.20"\n', None),
])
def test_tensorflow_version(text: str, expected) -> None:
    assert cmakedeps.tensorflow_version(text) == expected


#: What v1.4.1's CMake files name below TENSORFLOW_SOURCE_DIR, configure and compile (tflite/CMakeLists.txt,
#: tools/benchmark/ and examples/label_image/CMakeLists.txt, tflite/version.h's include), each as the path in
#: TensorFlow's tree; every one must be kept by the extraction.
READ_BY_V141 = (
    "tensorflow/compiler/mlir/lite/core/api/error_reporter.cc",
    "tensorflow/compiler/mlir/lite/schema/schema_utils.cc",
    "tensorflow/compiler/mlir/lite/tools/versioning/op_signature.cc",
    "tensorflow/core/example/CMakeLists.txt",
    "tensorflow/core/public/release_version.h",
    "third_party/xla/xla/tsl/util/stats_calculator.cc",
    "third_party/xla/xla/tsl/framework/convolution/eigen_spatial_convolutions.h",
    "third_party/xla/xla/tsl/lib/random/philox_random.h",
    "third_party/fft2d/fft2d.h",
    cmakedeps.TF_VERSION_FILE,
)


@pytest.mark.parametrize("path", READ_BY_V141)
def test_the_tensorflow_paths_cover_what_v141_reads(path: str) -> None:
    assert any(path == p or path.startswith(p + "/") for p in cmakedeps.TENSORFLOW_PATHS)


def test_missing_tensorflow_paths_names_files_and_directories(tmp_path: Path) -> None:
    assert cmakedeps.missing_tensorflow_paths(tmp_path) == list(cmakedeps.TENSORFLOW_PATHS)
    for p in cmakedeps.TENSORFLOW_PATHS:
        target = tmp_path / p
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("") if "." in target.name else target.mkdir()
    assert cmakedeps.missing_tensorflow_paths(tmp_path) == []


REAL = os.environ.get("TFLITE_SLIM_REAL_LITERT")
#: What the CMake files name below TENSORFLOW_SOURCE_DIR, by the variables tflite/CMakeLists.txt sets for it.
_TF_VARIABLES = {"TF_SOURCE_DIR": "tensorflow/", "XLA_SOURCE_DIR": "third_party/xla/",
                 "TSL_SOURCE_DIR": "third_party/xla/third_party/tsl/", "TENSORFLOW_SOURCE_DIR": ""}
_TF_REFERENCE = re.compile(r"\$\{(" + "|".join(_TF_VARIABLES) + r")\}/+([\w./-]+\.(?:cc|h|proto|txt))")


@pytest.mark.skipif(not REAL, reason="TFLITE_SLIM_REAL_LITERT is unset: set it to a LiteRT v1.4.1 checkout to check "
                                     "the TensorFlow paths against its CMake files")
def test_the_tensorflow_paths_cover_every_file_a_real_tree_names() -> None:
    """Every TensorFlow file the CMake files a configure reads name (the library, the benchmark tool and the
    label_image example, which CMake generates though they are never built), every TensorFlow header
    tflite/version.h includes, and the example protos' directory, are kept by the extraction."""
    lite = Path(str(REAL)) / "tflite"
    named = set()
    for rel in ("CMakeLists.txt", "tools/benchmark/CMakeLists.txt", "examples/label_image/CMakeLists.txt"):
        text = (lite / rel).read_text()
        named |= {_TF_VARIABLES[m.group(1)] + m.group(2) for m in _TF_REFERENCE.finditer(text)}
    named |= set(re.findall(r'#include "(tensorflow/[^"]+)"', (lite / "version.h").read_text()))
    assert "third_party/xla/xla/tsl/util/stats_calculator.cc" in named
    assert "tensorflow/core/public/release_version.h" in named
    uncovered = [p for p in sorted(named)
                 if not any(p == t or p.startswith(t + "/") for t in cmakedeps.TENSORFLOW_PATHS)]
    assert uncovered == []
