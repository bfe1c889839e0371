"""The text the 2.x CMake path gives LiteRT's own CMake project (pure: no CMake run here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tflite_slim.runtime.litert2 import cmake_project as project
from tflite_slim.runtime.backends.cmake.project import Toolchain
from tflite_slim.runtime.trees.litert2 import LINE_BY_NAME


@pytest.mark.parametrize("line,version,builds,reason", [
    ("2.0.x", "2.0.3", False, "libLiteRtRuntimeCApi.so"),
    ("2.1.0-2.1.5", "2.1.5", False, "CompiledModel JNI (litert/kotlin/src/main/jni)"),
    ("2.1.6+", "2.1.6", True, None),
    ("2.2.0", "2.2.0", True, None),
])
def test_the_lines_the_cmake_path_builds(line, version, builds, reason):
    refused = project.cmake_refusal(LINE_BY_NAME[line], version)
    assert (refused is None) == builds
    if reason:
        assert reason in refused and "\n" not in refused
        assert refused.startswith(f"--litert-version {version}: LiteRT {line} (")
        assert f"keep the stock com.google.ai.edge.litert:litert:{version}" in refused


@pytest.mark.parametrize("line,name,exported", [
    ("2.2.0", "Java_org_tensorflow_lite_NativeInterpreterWrapper_createInterpreter", True),
    ("2.2.0", "TfLiteInterpreterCreate", True),
    ("2.2.0", "LiteRtCreateCompiledModel", True),
    ("2.2.0", "kLiteRtRuntimeBuiltin", True),
    ("2.2.0", "kLiteRtRuntimeBuiltinOther", False),
    ("2.1.6+", "kLiteRtRuntimeBuiltin", False),  # litert/kotlin/litert_version_script.lds at v2.1.6
    ("2.2.0", "_ZN6tflite3ops7builtin17BuiltinOpResolverC1Ev", False),
    ("2.2.0", "JNI_OnLoad", False),
    ("2.2.0", "tflite_litert", False),
])
def test_exported_names_follow_the_lines_version_script(line, name, exported):
    assert project.is_exported_name(name, LINE_BY_NAME[line]) is exported


def test_version_scripts_as_litert_kotlin_says_them():
    v22 = project.version_script(LINE_BY_NAME["2.2.0"])
    v216 = project.version_script(LINE_BY_NAME["2.1.6+"])
    for text in (v22, v216):
        assert "VERS_1.0 {" in text and "Java_*;" in text and "TfLite*;" in text and "LiteRt*;" in text
        assert "local:\n    *;" in text
    assert "kLiteRtRuntimeBuiltin;" in v22 and "kLiteRtRuntimeBuiltin" not in v216


def test_jni_sources_are_the_whole_native_library_without_tests():
    root = Path("/t")
    got = project.jni_sources(root, ["tensor_jni.cc", "jni_utils.h", "x_test.cc", "nativeinterpreterwrapperexperimental_jni.cc",
                                     "tflite/c/jni/jni_utils.cc", "sub/dir.cc"])
    assert got == ("/t/tflite/java/src/main/native/nativeinterpreterwrapperexperimental_jni.cc",
                   "/t/tflite/java/src/main/native/tensor_jni.cc", "/t/tflite/c/jni/jni_utils.cc")


def _include(align):
    return project.render_include(root="/t", generated=[("/t/tflite/core/kernels/register.cc", "/b/g/register.cc"),
                                                        ("/t/tflite/kernels/register_ref.cc", "/b/g/register_ref.cc")],
                                  jni=["/t/tflite/java/src/main/native/a.cc"], version_script="/b/v.lds",
                                  jni_includes=["/jdk/include"], align_16kb=align)


def test_the_include_swaps_both_resolvers_links_objects_and_never_whole_archive():
    text = _include(True)
    assert '_tflite_slim_swap("/t/tflite/core/kernels/register.cc" "/b/g/register.cc")' in text
    assert '_tflite_slim_swap("/t/tflite/kernels/register_ref.cc" "/b/g/register_ref.cc")' in text
    assert "-Wl,--gc-sections" in text and "-Wl,--version-script=/b/v.lds" in text
    assert "-Wl,-z,max-page-size=16384" in text
    assert "OUTPUT_NAME LiteRt" in text
    # The tree's --whole-archive markers are dropped from the link line it gives; ours adds none.
    assert '"^-Wl,--(no-)?whole-archive$"' in text
    assert "--whole-archive" not in text.replace('"^-Wl,--(no-)?whole-archive$"', "")
    assert "-Wl,-z,max-page-size=16384" not in _include(False)


def test_no_op_is_named_in_the_include():
    # The op set lives in the generated files: a new op set does not reconfigure.
    assert _include(True) == _include(True)
    assert "ADD" not in _include(True)


def test_configure_argv_for_the_host_and_for_android():
    host = project.configure_argv("cmake", root=Path("/t"), build_dir=Path("/b"),
                                  toolchain=Toolchain("linux-x86_64", "g++", "cc", "c++"))
    assert host[:7] == ["cmake", "-G", "Ninja", "-S", "/t/litert", "-B", "/b"]
    assert "-DCMAKE_PROJECT_LiteRT_INCLUDE=/b/tflite_slim_litert.cmake" in host
    assert "-DCMAKE_CXX_COMPILER=c++" in host
    android = project.configure_argv("cmake", root=Path("/t"), build_dir=Path("/b"),
                                     toolchain=Toolchain("arm64-v8a", "ndk", toolchain_file="/ndk/t.cmake",
                                                         api_level=26))
    assert "-DANDROID_ABI=arm64-v8a" in android and "-DANDROID_PLATFORM=android-26" in android
    assert "-DCMAKE_TOOLCHAIN_FILE=/ndk/t.cmake" in android
    offline = project.configure_argv("cmake", root=Path("/t"), build_dir=Path("/b"),
                                     toolchain=Toolchain("linux-x86_64", "g++"),
                                     dep_sources={"xnnpack": "/d/x", "abseil-cpp": "/d/a"}, tensorflow_dir="/tf")
    assert offline[-3:] == ["-DTENSORFLOW_SOURCE_DIR=/tf", "-DFETCHCONTENT_SOURCE_DIR_ABSEIL-CPP=/d/a",
                            "-DFETCHCONTENT_SOURCE_DIR_XNNPACK=/d/x"]


def test_the_include_leaves_out_what_downloads_and_globalizes_litert_c_imports():
    text = _include(False)
    assert 'foreach(left "/t/litert/vendors" "/t/tensor/examples")' in text
    assert 'if(dir STREQUAL "/t/litert/c")\n' in text
    assert "set(CMAKE_FIND_PACKAGE_TARGETS_GLOBAL ON)" in text
    # A macro: a subdirectory's PARENT_SCOPE variables reach the directory that added it.
    assert "macro(add_subdirectory)" in text and "function(add_subdirectory" not in text


REAL = __import__("os").environ.get("TFLITE_SLIM_REAL_LITERT")


@pytest.mark.skipif(not REAL, reason="TFLITE_SLIM_REAL_LITERT is unset: set it to a LiteRT checkout or git dir to "
                                     "check the CMake facts the include relies on at v2.1.6 and v2.2.0")
@pytest.mark.parametrize("tag,line", [("v2.1.6", "2.1.6+"), ("v2.2.0", "2.2.0")])
def test_the_cmake_facts_at_the_real_tags(tag, line):
    """What render_include relies on, read at each tag: the project's name, the targets it reads or links as
    objects, the tree's own whole-archive LiteRt, both resolvers among tensorflow-lite's sources, and the
    version script the AAR's libLiteRt.so is linked with."""
    import re
    import subprocess

    def show(path: str) -> str:
        return subprocess.run(["git", "-C", REAL, "show", f"{tag}:{path}"], capture_output=True, text=True,
                              check=True).stdout

    def grep(pattern: str) -> str:
        return subprocess.run(["git", "-C", REAL, "grep", "-h", "-E", pattern, tag, "--", "litert/*CMakeLists.txt"],
                              capture_output=True, text=True).stdout

    assert re.search(r"^project\(LiteRT\b", show("litert/CMakeLists.txt"), re.M)
    for target in project.RUNTIME_ARCHIVES:
        if target == project.LIBRARY_TARGET:
            assert re.search(r"^add_library\(tensorflow-lite$", show("tflite/CMakeLists.txt"), re.M)
        else:
            assert re.search(rf"add_library\({target} STATIC", grep(rf"add_library\({target} STATIC")), target
    c = show("litert/c/CMakeLists.txt")
    assert f"add_library({project.TREE_SHARED_TARGET} SHARED empty.cc)" in c
    assert 'OUTPUT_NAME "LiteRt"' in c and "-Wl,--whole-archive" in c
    private = c[c.index("set(_litert_runtime_c_api_private_archives"):].split(")", 1)[0]
    words = [w for line in private.splitlines()[1:] for w in line.split("#")[0].split()]
    assert words == [*project.RUNTIME_ARCHIVES, "Threads::Threads"]
    tflite = show("tflite/CMakeLists.txt")
    assert 'populate_tflite_source_vars("core/kernels" TFLITE_CORE_KERNELS_SRCS)' in tflite
    assert "${TFLITE_CORE_KERNELS_SRCS}" in tflite and "${TFLITE_KERNEL_SRCS}" in tflite
    lds = show("litert/kotlin/litert_version_script.lds")
    globals_ = re.findall(r"^\s*([A-Za-z_*]+);", lds.split("local:")[0], re.M)
    ours = re.findall(r"^\s*([A-Za-z_*]+);", project.version_script(LINE_BY_NAME[line]).split("local:")[0], re.M)
    assert globals_ == ours
