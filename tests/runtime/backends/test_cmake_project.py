"""What the CMake backend asks of TFLite's CMake project: the include file, argv, glue list (pure)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tflite_slim.runtime.backends.cmake import project as cmake_project
from tflite_slim.runtime.artifacts.abis import host_abi
from tflite_slim.runtime.backends.cmake.project import Toolchain, configure_argv, jni_sources, parse_dep_sources

LITE = Path("/src/tflite")
HOST = Toolchain("linux-x86_64", "g++ (Debian 12.2.0-14) 12.2.0", "gcc", "g++", jni_includes=("/jdk/include",))
ARM64 = Toolchain("arm64-v8a", "ndk 27.0.12077973", toolchain_file="/ndk/build/cmake/android.toolchain.cmake",
                  api_level=23)


@pytest.mark.parametrize(
    "present, experimental, expected",
    [
        (["tensor_jni.cc", "jni_utils.cc", "jni_utils.h"], True, ["jni_utils.cc", "tensor_jni.cc"]),
        # Both jni_utils.cc: LiteRT's c/jni one comes after the Java glue's.
        (["jni_utils.cc", "c/jni/jni_utils.cc"], True, ["jni_utils.cc", "../../../../c/jni/jni_utils.cc"]),
        (["nativeinterpreterwrapperexperimental_jni.cc", "tensor_jni.cc"], False, ["tensor_jni.cc"]),
        (["nativeinterpreterwrapperexperimental_jni.cc"], True, ["nativeinterpreterwrapperexperimental_jni.cc"]),
        (["tensor_jni_test.cc", "BUILD", "version_script.lds"], True, []),
        ([], True, []),
    ],
)
def test_jni_sources(present, experimental, expected):
    got = jni_sources(LITE, present, experimental)
    native = LITE / cmake_project.JNI_SOURCE_DIR
    assert [str(Path(g).relative_to(native)) if g.startswith(str(native)) else "../../../../" + str(
        Path(g).relative_to(LITE)) for g in got] == expected


def test_host_configure_argv():
    argv = configure_argv("cmake", source_dir=LITE, build_dir=Path("/b"), include_file=Path("/b/x.cmake"),
                          toolchain=HOST, tensorflow_dir=Path("/tf"),
                          dep_sources={"eigen": "/m/eigen", "abseil-cpp": "/m/absl"})
    assert argv[:7] == ["cmake", "-G", "Ninja", "-S", "/src/tflite", "-B", "/b"]
    assert "-DCMAKE_PROJECT_tensorflow-lite_INCLUDE=/b/x.cmake" in argv
    # XNNPACK as stock has it, without its tests and benchmarks.
    assert ["-DTFLITE_ENABLE_XNNPACK=ON", "-DTFLITE_ENABLE_GPU=OFF", "-DXNNPACK_BUILD_TESTS=OFF",
            "-DXNNPACK_BUILD_BENCHMARKS=OFF"] == [a for a in argv if "XNNPACK" in a or "GPU" in a]
    assert "-DTENSORFLOW_SOURCE_DIR=/tf" in argv
    # Sorted by name, upper-cased as FetchContent spells the variable.
    deps = [a for a in argv if a.startswith("-DFETCHCONTENT_SOURCE_DIR_")]
    assert deps == ["-DFETCHCONTENT_SOURCE_DIR_ABSEIL-CPP=/m/absl", "-DFETCHCONTENT_SOURCE_DIR_EIGEN=/m/eigen"]
    assert argv[-2:] == ["-DCMAKE_C_COMPILER=gcc", "-DCMAKE_CXX_COMPILER=g++"]
    assert not any("ANDROID" in a for a in argv)


def test_no_xnnpack_and_downloads_handed_over_in_their_own_variables():
    argv = configure_argv("cmake", source_dir=LITE, build_dir=Path("/b"), include_file=Path("/b/x.cmake"),
                          toolchain=HOST, dep_sources={"pthreadpool": "/m/p", "eigen": "/m/e"}, xnnpack=False,
                          dep_variables={"pthreadpool": "PTHREADPOOL_SOURCE_DIR"})
    assert [a for a in argv if "XNNPACK" in a] == ["-DTFLITE_ENABLE_XNNPACK=OFF"]
    assert "-DPTHREADPOOL_SOURCE_DIR=/m/p" in argv and "-DFETCHCONTENT_SOURCE_DIR_EIGEN=/m/e" in argv


@pytest.mark.parametrize("xnnpack", [True, False])
def test_the_xnnpack_delegates_entry_points_are_exported_and_linked_only_with_it(xnnpack):
    script = cmake_project.render_version_script(xnnpack)
    entry = cmake_project.XNNPACK_ENTRY_POINTS
    assert all((f"    {name};" in script) is xnnpack for name in entry)
    assert "Java_*;" in script and script.rstrip().endswith("local:\n    *;\n};")
    text = cmake_project.render_include(glue=["/t/a.cc"], resolver="/t/r.cc", registration="/b/reg.cc",
                                        version_script="/b/v.lds", jni_includes=[], align_16kb=True,
                                        kept=entry if xnnpack else ())
    # Nothing calls them (the glue uses dlsym): without --undefined the linker would not take them at all.
    assert all((f'"-Wl,--undefined={name}"' in text) is xnnpack for name in entry)


def test_the_xnnpack_schema_header_is_copied_where_v141s_sources_include_it():
    """LiteRT v1.4.1 generates weight_cache_schema_generated.h under tensorflow/lite/ and includes it from
    tflite/: the include file copies it there, only when the delegate's sources list the old path alone."""
    text = cmake_project.render_include(glue=["/t/a.cc"], resolver="/t/r.cc", registration="/b/reg.cc",
                                        version_script="/b/v.lds", jni_includes=[], align_16kb=True, source_root="/t")
    assert cmake_project.XNNPACK_SCHEMA_HEADER in text
    assert 'if(old IN_LIST delegate_sources AND NOT new IN_LIST delegate_sources)' in text
    assert 'COMMAND "${CMAKE_COMMAND}" -E copy "${old}" "${new}" DEPENDS "${old}"' in text


def test_android_configure_argv_uses_the_ndk_toolchain_file():
    argv = configure_argv("cmake", source_dir=LITE, build_dir=Path("/b"), include_file=Path("/b/x.cmake"),
                          toolchain=ARM64)
    assert argv[-3:] == ["-DCMAKE_TOOLCHAIN_FILE=/ndk/build/cmake/android.toolchain.cmake",
                         "-DANDROID_ABI=arm64-v8a", "-DANDROID_PLATFORM=android-23"]
    assert not any(a.startswith(("-DCMAKE_CXX_COMPILER", "-DTENSORFLOW_SOURCE_DIR")) for a in argv)


@pytest.mark.parametrize("align, flag", [(True, True), (False, False)])
def test_include_links_objects_before_the_library(align, flag):
    text = cmake_project.render_include(glue=["/t/a.cc"], resolver="/t/r.cc", registration="/b/reg.cc",
                                        version_script="/b/v.lds", jni_includes=["/jdk/include"], align_16kb=align)
    objects = "$<TARGET_OBJECTS:tflite_slim_ops> $<TARGET_OBJECTS:tflite_slim_glue>"
    assert f"add_library(tensorflowlite_jni SHARED {objects})" in text
    assert "cmake_language(DEFER" in text and '"-Wl,--gc-sections"' in text
    assert '"-Wl,--version-script=/b/v.lds"' in text
    assert ('"-Wl,-z,max-page-size=16384"' in text) is flag
    assert '"/jdk/include"' in text


def test_include_names_no_op_and_escapes_paths():
    """The op set lives in the registration's content only, so CMake's configuration never changes with it."""
    text = cmake_project.render_include(glue=['/t/we"ird;$x\\.cc'], resolver="/t/r.cc", registration="/b/reg.cc",
                                        version_script="/b/v.lds", jni_includes=[], align_16kb=True)
    assert '"/t/we\\"ird\\;\\$x\\\\.cc"' in text
    assert "ADD" not in text and "target_include_directories" not in text


@pytest.mark.parametrize(
    "values, expected",
    [
        ([], {}),
        (["eigen=/m/eigen"], {"eigen": "/m/eigen"}),
        (["abseil-cpp=/m/a=b", "ml_dtypes=rel/dir"], {"abseil-cpp": "/m/a=b", "ml_dtypes": "rel/dir"}),
    ],
)
def test_parse_dep_sources(values, expected):
    assert parse_dep_sources(values) == expected


@pytest.mark.parametrize("bad", ["eigen", "=dir", "eigen=", "ei gen=/x", "../x=/y", "a;b=/c"])
def test_parse_dep_sources_refuses(bad):
    with pytest.raises(ValueError, match="^" + __import__("re").escape(bad) + "$"):
        parse_dep_sources([bad])


@pytest.mark.parametrize(
    "machine, system, abi",
    [("x86_64", "Linux", "linux-x86_64"), ("AMD64", "Linux", "linux-x86_64"), ("aarch64", "Linux", "linux-aarch64"),
     ("arm64", "Linux", "linux-aarch64")],
)
def test_host_abi(machine, system, abi):
    assert host_abi(machine, system) == abi


@pytest.mark.parametrize("machine, system", [("x86_64", "Darwin"), ("riscv64", "Linux"), ("x86_64", "Windows")])
def test_host_abi_refuses_other_hosts(machine, system):
    with pytest.raises(ValueError, match="not one the CMake backend builds for"):
        host_abi(machine, system)


@pytest.mark.parametrize(
    "cxx, cc",
    [
        ("g++", "gcc"),
        ("clang++", "clang"),  # not "clangcc": "clang++" ends in "g++" too
        ("clang++-16", "clang-16"),
        ("g++-12", "gcc-12"),
        ("aarch64-linux-gnu-g++", "aarch64-linux-gnu-gcc"),
        ("aarch64-linux-gnu-g++-12", "aarch64-linux-gnu-gcc-12"),
        ("/usr/bin/x86_64-linux-gnu-g++", "/usr/bin/x86_64-linux-gnu-gcc"),
        ("/opt/llvm/bin/clang++", "/opt/llvm/bin/clang"),
        ("c++", "cc"),
        ("/usr/bin/c++", "/usr/bin/cc"),
        # Unknown names: CMake probes the C compiler on its own.
        ("icpx", None),
        ("/wrappers/slow-cxx", None),
    ],
)
def test_c_compiler_for(cxx, cc):
    assert cmake_project.c_compiler_for(cxx) == cc


CROSS = Toolchain("linux-aarch64", "aarch64-linux-gnu-g++ ...", "aarch64-linux-gnu-gcc", "aarch64-linux-gnu-g++",
                  system_processor="aarch64", host=HOST)


def test_cross_configure_argv_uses_a_generated_toolchain_file_and_host_tools():
    argv = configure_argv("cmake", source_dir=LITE, build_dir=Path("/b"), include_file=Path("/b/x.cmake"),
                          toolchain=CROSS, host_tools=Path("/native"))
    assert argv[-2:] == ["-DCMAKE_TOOLCHAIN_FILE=/b/tflite_slim_toolchain.cmake", "-DTFLITE_HOST_TOOLS_DIR=/native"]
    assert not any(a.startswith(("-DCMAKE_CXX_COMPILER", "-DCMAKE_C_COMPILER", "-DANDROID")) for a in argv)


def test_cross_toolchain_file():
    text = cmake_project.render_cross_toolchain(CROSS)
    assert text.splitlines()[1:] == [
        "set(CMAKE_SYSTEM_NAME Linux)", "set(CMAKE_SYSTEM_PROCESSOR aarch64)",
        'set(CMAKE_C_COMPILER "aarch64-linux-gnu-gcc")', 'set(CMAKE_CXX_COMPILER "aarch64-linux-gnu-g++")',
        "set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)"]
    assert CROSS.cross and not HOST.cross and not ARM64.cross
