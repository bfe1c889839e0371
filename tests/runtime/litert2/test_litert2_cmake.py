"""The 2.x CMake path on a stand-in LiteRT tree (v2.1.6 / v2.2.0 shapes), built with this machine's compilers.

What is asserted is read from the built library: its exported symbols (``nm -D`` and our ELF reader), the
kernel markers it carries, and what a small C runner gets from it through ``dlopen`` (the C API and, at
v2.2.0, the ``kLiteRtRuntimeBuiltin`` table liblitert_jni.so looks up).
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest

from realtools import require
from standin.litert2cmake import (BUILTIN_KERNELS, CUSTOM_KERNELS, OP_CODES, XNNPACK_MARKER, kernel_marker,
                                  make_litert2_cmake_tree)
from tflite_slim.analysis.opset import OpSet
from tflite_slim.errors import BuildError
from tflite_slim.runtime.artifacts.elf import exported_symbols
from tflite_slim.runtime.backends.cmake import toolchain as cmake_toolchain
from tflite_slim.runtime.litert2 import cmake as cmake_litert2
from tflite_slim.runtime.backends.cmake.project import CmakeSettings, Toolchain
from tflite_slim.runtime.litert2 import cmake_project as project
from tflite_slim.runtime.trees.litert2 import LINE_BY_NAME

RUNNER = r"""
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
typedef int (*Create)(const int*, int, int);
struct Table { Create create; };
int main(int argc, char** argv) {
  void* lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!lib) { printf("dlopen: %s\n", dlerror()); return 2; }
  Create create = (Create)dlsym(lib, "LiteRtCreateCompiledModel");
  const struct Table* table = (const struct Table*)dlsym(lib, "kLiteRtRuntimeBuiltin");
  int reference = atoi(argv[2]);
  int ops[16]; int n = 0;
  for (int i = 3; i < argc && n < 16; ++i) ops[n++] = atoi(argv[i]);
  printf("direct=%d table=%s\n", create(ops, n, reference),
         table ? (table->create(ops, n, reference) == 0 ? "0" : "7") : "absent");
  return 0;
}
"""


@pytest.fixture(scope="module")
def tools():
    for name, package in (("cmake", "cmake"), ("ninja", "ninja-build"), ("c++", "g++"), ("cc", "gcc"),
                          ("nm", "binutils"), ("javac", "default-jdk-headless")):
        require(name, package)


@pytest.fixture(scope="module")
def runner(tools, tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("runner")
    (d / "runner.c").write_text(RUNNER)
    subprocess.run(["cc", "-o", str(d / "runner"), str(d / "runner.c"), "-ldl"], check=True)
    return d / "runner"


def _ops(*names: str) -> OpSet:
    return OpSet(builtin_ops={n: (1,) for n in names})


def _tree_digest(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def _build(root: Path, line: str, ops: OpSet, build_dir: Path, log=lambda _: None):
    s = CmakeSettings(jobs=2)
    toolchain = cmake_toolchain.host_toolchain(s, "linux-x86_64", True)
    return cmake_litert2.build_abi(root, LINE_BY_NAME[line], ops, toolchain, build_dir,
                                   build_dir.parent / f"{build_dir.name}-out" / "libLiteRt.so", s,
                                   align_16kb=True, log=log)


@pytest.fixture(scope="module")
def v22(tools, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("v22")
    root = make_litert2_cmake_tree(tmp / "tree", "2.2.0")
    before = _tree_digest(root)
    built = _build(root, "2.2.0", _ops("ADD", "ABS"), tmp / "build")
    return root, tmp, built, before


def _run(runner: Path, library: Path, reference: int, *ops: str) -> str:
    return subprocess.run([str(runner), str(library), str(reference), *(str(OP_CODES[o]) for o in ops)],
                          capture_output=True, text=True, check=True).stdout.strip()


def test_the_library_exports_exactly_what_the_aar_library_does(v22):
    _root, _tmp, built, _ = v22
    names = exported_symbols(built.library.read_bytes())
    nm = subprocess.run(["nm", "-D", "--defined-only", str(built.library)], capture_output=True, text=True,
                        check=True).stdout.split("\n")
    assert sorted(l.split()[-1].split("@")[0] for l in nm if l.strip() and " A " not in l) == list(names)
    assert names == ("Java_org_tensorflow_lite_NativeInterpreterWrapper_createResolver",
                     "Java_org_tensorflow_lite_NativeInterpreterWrapper_hasOp", "LiteRtCreateCompiledModel",
                     "TfLiteVersion", "TfLiteXNNPackDelegateCreate", "kLiteRtRuntimeBuiltin")
    readelf = subprocess.run(["readelf", "-d", str(built.library)], capture_output=True, text=True).stdout
    assert "Library soname: [libLiteRt.so]" in readelf


def test_only_the_selected_kernels_and_xnnpack_are_in_it(v22):
    _root, _tmp, built, _ = v22
    data = built.library.read_bytes()
    kept = {k for k in (*BUILTIN_KERNELS, *CUSTOM_KERNELS) if kernel_marker(k).encode() in data}
    # register_ref.cc's ADD is Register_ADD_REF; ABS is the same kernel in both resolvers.
    assert kept == {"ADD", "ABS", "ADD_REF"}
    assert XNNPACK_MARKER.encode() in data
    assert built.kept_builtins == ("ABS", "ADD")


def test_the_trees_own_whole_archive_library_keeps_every_kernel(v22):
    # The comparison the trimming is about: litert/c/CMakeLists.txt's own LiteRt, from the same build directory.
    _root, tmp, _built, _ = v22
    subprocess.run(["ninja", "-C", str(tmp / "build"), "litert_runtime_c_api_shared_lib"], check=True,
                   capture_output=True)
    whole = (tmp / "build" / "c" / "libLiteRt.so").read_bytes()
    assert all(kernel_marker(k).encode() in whole for k in (*BUILTIN_KERNELS, *CUSTOM_KERNELS))
    assert not any(n.startswith("Java_") for n in exported_symbols(whole))


def test_the_runtime_resolves_the_selected_ops_only_on_every_route(v22, runner):
    _root, _tmp, built, _ = v22
    assert _run(runner, built.library, 0, "ADD", "ABS") == "direct=0 table=0"
    assert _run(runner, built.library, 1, "ADD", "ABS") == "direct=0 table=0"  # reference kernels
    assert _run(runner, built.library, 0, "ADD", "CONV_2D") == "direct=7 table=7"
    assert _run(runner, built.library, 1, "SOFTMAX") == "direct=7 table=7"


def test_the_link_takes_objects_not_whole_archives_and_the_tree_is_unchanged(v22):
    root, tmp, _built, before = v22
    ninja = (tmp / "build" / "build.ninja").read_text()
    link = [l for l in ninja.splitlines() if l.startswith("build libLiteRt.so:")]
    assert link
    block = ninja[ninja.index(link[0]):].split("\n\n")[0]
    assert "--whole-archive" not in block and "--gc-sections" in block and "tflite_slim_litert.lds" in block
    assert _tree_digest(root) == before


def test_same_ops_again_runs_nothing_and_new_ops_rebuild_two_files(v22):
    root, tmp, built, _ = v22
    lines = []
    again = _build(root, "2.2.0", _ops("ADD", "ABS"), tmp / "build", log=lines.append)
    assert again.library.read_bytes() == built.library.read_bytes()
    assert not any("configuring" in l for l in lines)
    out = subprocess.run(["ninja", "-C", str(tmp / "build"), "-n", "-d", "explain", "tflite_slim_litert"],
                         capture_output=True, text=True).stdout
    assert "no work to do" in out
    wider = _build(root, "2.2.0", _ops("ADD", "ABS", "CONV_2D"), tmp / "build")
    assert kernel_marker("CONV_2D").encode() in wider.library.read_bytes()
    assert kernel_marker("CONVOLUTION_REF").encode() in wider.library.read_bytes()


def test_v2_1_6_exports_no_runtime_table(tools, runner, tmp_path):
    root = make_litert2_cmake_tree(tmp_path / "tree", "2.1.6+")
    built = _build(root, "2.1.6+", _ops("SOFTMAX"), tmp_path / "build")
    names = exported_symbols(built.library.read_bytes())
    assert "kLiteRtRuntimeBuiltin" not in names and "LiteRtCreateCompiledModel" in names
    assert _run(runner, built.library, 0, "SOFTMAX") == "direct=0 table=absent"
    assert built.reference_lacks == ("SOFTMAX",)  # the stand-in's register_ref.cc has none, as some real ones


def test_a_cmake_build_that_does_not_compile_the_resolver_is_refused(tools, tmp_path):
    root = make_litert2_cmake_tree(tmp_path / "tree", "2.2.0")
    cmake = root / "tflite/CMakeLists.txt"
    cmake.write_text(cmake.read_text().replace('file(GLOB TFLITE_CORE_KERNELS_SRCS "${TFLITE_SOURCE_DIR}/core/kernels/*.cc")',
                                               'set(TFLITE_CORE_KERNELS_SRCS)'))
    with pytest.raises(BuildError) as e:
        _build(root, "2.2.0", _ops("ADD"), tmp_path / "build")
    said = " ".join(str(e.value).split())
    assert "tensorflow-lite compiles" in said and "register.cc 0 times, not once" in said
    assert "not one tflite-slim has read (LiteRT v2.1.6, v2.2.0)" in said


def test_a_download_of_the_tree_is_handed_over_in_its_own_variable(tmp_path):
    # LiteRT v2.2.0's tflite/CMakeLists.txt downloads pthreadpool (tflite/cmake/DownloadPThreadPool.cmake) unless
    # PTHREADPOOL_SOURCE_DIR is defined; FETCHCONTENT_SOURCE_DIR_PTHREADPOOL, which it never reads, let the real
    # tree's configure go to GitHub. XNNPACK's own downloads (fxdiv) likewise.
    root = make_litert2_cmake_tree(tmp_path / "tree")
    argv = project.configure_argv("cmake", root=root, build_dir=Path("/b"), toolchain=Toolchain("linux-x86_64", "g++"),
                                  dep_sources={"pthreadpool": "/d/p", "fxdiv": "/d/f", "abseil-cpp": "/d/a"},
                                  dep_variables=cmake_litert2.dep_variables(root))
    assert argv[-3:] == ["-DFETCHCONTENT_SOURCE_DIR_ABSEIL-CPP=/d/a", "-DFXDIV_SOURCE_DIR=/d/f",
                         "-DPTHREADPOOL_SOURCE_DIR=/d/p"]


def test_a_dependency_given_as_a_directory_is_where_litert_reads_it(tools, tmp_path):
    # litert/c/CMakeLists.txt (v2.2.0) reads OpenCL's headers from ${CMAKE_BINARY_DIR}/opencl_headers only, where
    # tflite's FetchContent download puts them; given by --cmake-dep-source they must be found there too
    # (on the real tree: "gpu_environment.h: fatal error: CL/cl.h: No such file or directory").
    root = make_litert2_cmake_tree(tmp_path / "tree")
    headers = tmp_path / "OpenCL-Headers"
    (headers / "CL").mkdir(parents=True)
    (headers / "CL" / "cl.h").write_text("/* a team's copy of OpenCL-Headers */\n")
    s = CmakeSettings(jobs=2, dep_sources={"opencl_headers": str(headers)})
    toolchain = cmake_toolchain.host_toolchain(s, "linux-x86_64", True)
    build = tmp_path / "build"
    built = cmake_litert2.build_abi(root, LINE_BY_NAME["2.2.0"], _ops("ADD"), toolchain, build,
                                    tmp_path / "out" / "libLiteRt.so", s, align_16kb=False, log=lambda _: None)
    assert built.library.is_file()
    assert (build / "opencl_headers").resolve() == headers.resolve()
