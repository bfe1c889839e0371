"""What the CMake path asks of a LiteRT 2.x tree's own CMake project to make a trimmed ``libLiteRt.so``: pure text.

LiteRT 2.x's CMake build (``litert/CMakeLists.txt``, ``project(LiteRT)``, which adds ``tflite/`` as a
subdirectory) links its shared ``LiteRt`` (``litert/c/CMakeLists.txt``, target
``litert_runtime_c_api_shared_lib``, ``OUTPUT_NAME`` ``LiteRt`` from v2.1.3) from the archives
``litert_c_api``, ``litert_runtime``, ``litert_cc_internal`` and ``tensorflow-lite`` (and their public deps)
inside ``-Wl,--whole-archive``, with no version script and without the TFLite JNI: every kernel stays, and
it is not the AAR's library. We do not edit the tree: the configure command passes
``CMAKE_PROJECT_LiteRT_INCLUDE``, whose deferred call (CMake 3.19 ``cmake_language(DEFER)``) runs once the
project has defined its targets and

* swaps, in ``tensorflow-lite``'s sources, ``tflite/core/kernels/register.cc`` and
  ``tflite/kernels/register_ref.cc`` for the generated files (the tree's own with only the selected
  registrations, :mod:`tflite_slim.runtime.spec.resolverbody`): every route into the kernels
  (CompiledModel's CPU path, ``CreateOpResolver()`` of the C++ API and the JNI, the reference resolver) ends
  in those two constructors. A project that does not compile each exactly once stops the configure;
* leaves :data:`LEFT_OUT_SUBDIRS` out of the configure (``add_subdirectory`` is wrapped for them): the NPU
  vendors' dispatch libraries (separate ``libLiteRtDispatch_*.so``) and the tensor API's examples, whose
  ``CMakeLists.txt`` download at configure time (the Qualcomm AI Runtime SDK among them);
* adds ``tflite_slim_litert_jni``: the tree's TFLite JNI (``tflite/java/src/main/native``, which Bazel's
  ``//litert/kotlin:LiteRt`` links and the tree's CMake build does not);
* adds ``tflite_slim_litert``, ``OUTPUT_NAME`` ``LiteRt``: the objects of the archives the tree's own shared
  ``LiteRt`` takes whole (:data:`RUNTIME_ARCHIVES`: so every ``LiteRt*``/``TfLite*`` function they define
  is there to export) and the JNI's, the rest of the tree's link line as ordinary libraries, linked with
  ``--gc-sections`` and a version script exporting only what the AAR's ``libLiteRt.so`` exports
  (:func:`version_script`): the exported symbols are the roots, so the kernels no kept registration
  reaches are dropped. No ``--whole-archive``. XNNPACK stays (``TFLITE_ENABLE_XNNPACK`` as the tree sets
  it): CompiledModel's CPU accelerator, and ``BuiltinOpResolver()`` creates its delegate.

Which release lines this path builds (:func:`cmake_refusal`) follows :mod:`tflite_slim.runtime.trees.litert2`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Optional, Sequence

from tflite_slim.runtime.backends.cmake import flags as cmake_flags
from tflite_slim.runtime.backends.cmake import project as tflite_project
from tflite_slim.runtime.backends.cmake.project import Toolchain, _cmake_list, _escape
from tflite_slim.runtime.spec.resolverbody import REGISTER_CC, REGISTER_REF_CC
from tflite_slim.runtime.trees.litert2 import ReleaseLine

#: ``project(LiteRT ...)`` in ``litert/CMakeLists.txt`` (v2.1.0 to v2.2.0), which names the include variable.
PROJECT = "LiteRT"
INCLUDE_VARIABLE = f"CMAKE_PROJECT_{PROJECT}_INCLUDE"
#: The tree's CMake project is ``litert/`` (it adds ``../tflite`` itself).
SOURCE_SUBDIR = "litert"
#: Directories the tree's CMake project adds that are no part of libLiteRt.so and download at configure time
#: (v2.1.6, v2.2.0): the NPU vendors' dispatch libraries (``litert/CMakeLists.txt`` ``add_subdirectory(vendors)``:
#: the vendors' SDKs) and the tensor API's example programs (``tensor/CMakeLists.txt``: stb, ...). Never configured.
VENDORS_SUBDIR = "litert/vendors"
EXAMPLES_SUBDIR = "tensor/examples"
#: Where the tree's shared LiteRt is defined (its link line names the imported targets found there).
C_API_SUBDIR = "litert/c"
LEFT_OUT_SUBDIRS = (VENDORS_SUBDIR, EXAMPLES_SUBDIR)
#: Where a download puts a dependency in the build directory, which the tree's ``litert/`` CMake files read
#: there and nowhere else (v2.2.0: ``litert/CMakeLists.txt``, ``litert/c``, ``litert/cc``, ``litert/core``,
#: ``litert/runtime``; the FetchContent ``SOURCE_DIR`` of ``tflite/tools/cmake/modules/*.cmake``, the
#: ``tflite/cmake/Download*.cmake`` ones): ``--cmake-dep-source`` name -> that directory's name.
BUILD_DIR_SOURCES = {"opencl_headers": "opencl_headers", "flatbuffers": "flatbuffers", "xnnpack": "xnnpack",
                     "pthreadpool": "pthreadpool-source", "fp16": "FP16-source"}
#: TFLite's directory in the tree (its ``tools/cmake/modules`` and ``cmake/Download*.cmake`` pin the deps).
TFLITE_SUBDIR = "tflite"
#: The tree's shared LiteRt target (``litert/c/CMakeLists.txt``): we read its link line, never build it.
TREE_SHARED_TARGET = "litert_runtime_c_api_shared_lib"
#: The archives ``litert/c/CMakeLists.txt`` links whole into ``LiteRt`` (``_litert_runtime_c_api_private_archives``
#: at v2.1.6 and v2.2.0; on Android also ``litert_tflite_gpu_gl_core``, taken when the tree defines it).
RUNTIME_ARCHIVES = ("litert_c_api", "litert_runtime", "litert_cc_internal", "tensorflow-lite")
ANDROID_ARCHIVES = ("litert_tflite_gpu_gl_core",)
LIBRARY_TARGET = "tensorflow-lite"
OUR_TARGET = "tflite_slim_litert"
JNI_TARGET = "tflite_slim_litert_jni"
LIB_NAME = "LiteRt"
SO_NAME = f"lib{LIB_NAME}.so"
#: The TFLite JNI the AAR's libLiteRt.so holds (``//tflite/java/src/main/native`` in ``litert/kotlin/BUILD``).
JNI_SOURCE_DIR = "tflite/java/src/main/native"
EXTRA_JNI_SOURCES = ("tflite/c/jni/jni_utils.cc",)
INCLUDE_FILE = "tflite_slim_litert.cmake"
VERSION_SCRIPT_FILE = "tflite_slim_litert.lds"
#: Where the generated resolvers go in the build directory (their path in the tree, under this folder).
GENERATED_DIR = "tflite_slim_generated"
RESOLVER_PATHS = (REGISTER_CC.path, REGISTER_REF_CC.path)

#: The lines whose libLiteRt.so this path builds (:attr:`ReleaseLine.trimmed`): 2.1.6+ and 2.2.0, where
#: libLiteRt.so is the runtime plus the TFLite JNI (``litert/kotlin/BUILD`` ``LiteRt``), the CompiledModel JNI
#: being litert-api's liblitert_jni.so, which stays stock.


def cmake_refusal(line: ReleaseLine, version: str) -> Optional[str]:
    """Why the CMake path does not build release ``version`` of ``line``, in one line; None when it does."""
    return None if line.trimmed else line.refusal(f"--litert-version {version}", version)


def version_script(line: ReleaseLine) -> str:
    """The AAR's ``libLiteRt.so`` exports, as ``litert/kotlin/litert_version_script.lds`` says them (v2.1.6:
    ``Java_*``, ``TfLite*``, ``LiteRt*``; v2.2.0 adds the data symbol ``kLiteRtRuntimeBuiltin``)."""
    exported = ["Java_*;", "TfLite*;", "LiteRt*;"]
    if line.name == "2.2.0":
        exported.append("kLiteRtRuntimeBuiltin;")
    body = "\n".join(f"    {e}" for e in exported)
    return ("/* Generated by tflite-slim: what the AAR's libLiteRt.so exports "
            f"(litert/kotlin/litert_version_script.lds, LiteRT {line.name}). */\n"
            f"VERS_1.0 {{\n  global:\n{body}\n  local:\n    *;\n}};\n")


def exported_patterns(line: ReleaseLine) -> tuple[str, ...]:
    """The version script's globals, as prefixes (``Java_``) and names, for checking a built library."""
    return ("Java_", "TfLite", "LiteRt") + (("kLiteRtRuntimeBuiltin",) if line.name == "2.2.0" else ())


def is_exported_name(name: str, line: ReleaseLine) -> bool:
    """Whether a dynamic symbol ``name`` is one the version script exports."""
    return any(name == p if p.startswith("k") else name.startswith(p) for p in exported_patterns(line))


def jni_sources(root: Path, present: Sequence[str]) -> tuple[str, ...]:
    """The TFLite JNI sources to compile, absolute, from the ``.cc`` names in ``tflite/java/src/main/native``
    (``present``, plus whichever of :data:`EXTRA_JNI_SOURCES` exist). All of them: ``LiteRt`` links the whole
    ``//tflite/java/src/main/native`` library (the experimental wrapper included)."""
    names = sorted(n for n in present if "/" not in n and n.endswith(".cc") and not n.endswith("_test.cc"))
    extra = [e for e in EXTRA_JNI_SOURCES if e in present]
    return tuple(str(root / JNI_SOURCE_DIR / n) for n in names) + tuple(str(root / e) for e in extra)


def render_include(*, root: str, generated: Sequence[tuple[str, str]], jni: Sequence[str], version_script: str,
                   jni_includes: Sequence[str], align_16kb: bool, dep_sources: Mapping[str, str] = ()) -> str:
    """The ``CMAKE_PROJECT_LiteRT_INCLUDE`` file (see the module docstring).

    ``dep_sources`` (``--cmake-dep-source``): each one :data:`BUILD_DIR_SOURCES` names is linked where a download
    would have put it, as the tree's ``litert/`` CMake files read it there (``CL/cl.h`` from
    ``${CMAKE_BINARY_DIR}/opencl_headers``), unless something other than our link is there.

    ``generated``: (the tree's resolver file, real path; the generated one in the build directory). It names
    no op: the op set lives in the generated files' content, so a new op set recompiles those two files and
    relinks.
    """
    link = ["-Wl,--gc-sections", "-Wl,--strip-all", f"-Wl,--version-script={version_script}", "-Wl,--no-undefined"]
    if align_16kb:
        link.append("-Wl,-z,max-page-size=16384")
    c_dir = f"{root}/{C_API_SUBDIR}"
    skipped = " ".join(f'"{_escape(f"{root}/{d}")}"' for d in LEFT_OUT_SUBDIRS)
    links = "".join(f'set(_tflite_slim_at "${{CMAKE_BINARY_DIR}}/{BUILD_DIR_SOURCES[name]}")\n'
                    'if(IS_SYMLINK "${_tflite_slim_at}" OR NOT EXISTS "${_tflite_slim_at}")\n'
                    f'  file(REMOVE "${{_tflite_slim_at}}")\n'
                    f'  file(CREATE_LINK "{_escape(str(directory))}" "${{_tflite_slim_at}}" SYMBOLIC)\nendif()\n'
                    for name, directory in sorted(dict(dep_sources).items()) if name in BUILD_DIR_SOURCES)
    if links:
        links = ("\n# The dependencies given as directories, where a download puts them: litert/ reads them there.\n"
                 + links)
    swaps = "\n".join(f'  _tflite_slim_swap("{_escape(tree)}" "{_escape(ours)}")' for tree, ours in generated)
    includes = (f"\n  target_include_directories({JNI_TARGET} PRIVATE\n{_cmake_list(jni_includes)})"
                if jni_includes else "")
    return f"""\
# Generated by tflite-slim: a trimmed libLiteRt.so, added to LiteRT's own CMake project.
# Included by project({PROJECT}) through {INCLUDE_VARIABLE}; the targets are added once
# the project's CMakeLists.txt (and its subdirectories) have defined theirs.
cmake_language(DEFER DIRECTORY "${{CMAKE_CURRENT_SOURCE_DIR}}" CALL _tflite_slim_litert)
{links}
# Not configured, being no part of {SO_NAME} and downloading at configure time what it never uses:
# {VENDORS_SUBDIR} (the NPU vendors' dispatch libraries, libLiteRtDispatch_*.so: the vendors' SDKs, the
# Qualcomm AI Runtime SDK among them, and with it nlohmann_json, googletest and benchmark) and
# {EXAMPLES_SUBDIR} (example programs: stb and the like).
# A macro, not a function: a subdirectory's set(... PARENT_SCOPE) (litert/c/internal hands litert/c its sources
# so) must reach the directory that added it, not a function's scope.
function(_tflite_slim_dir_kind source out)
  get_filename_component(dir "${{source}}" REALPATH BASE_DIR "${{CMAKE_CURRENT_SOURCE_DIR}}")
  set(kind "")
  foreach(left {skipped})
    string(FIND "${{dir}}/" "${{left}}/" at)
    if(at EQUAL 0)
      message(STATUS "tflite-slim: not configuring ${{dir}} (not in {SO_NAME})")
      set(kind "left-out")
    endif()
  endforeach()
  if(dir STREQUAL "{_escape(c_dir)}")
    set(kind "c-api")
  endif()
  set(${{out}} "${{kind}}" PARENT_SCOPE)
endfunction()
macro(add_subdirectory)
  _tflite_slim_dir_kind("${{ARGV0}}" _tflite_slim_kind)
  if(_tflite_slim_kind STREQUAL "c-api")
    # The imported targets its find_package() calls make (OpenGL::GL on a desktop) are on the link line we
    # take from {TREE_SHARED_TARGET}: global, so the deferred call below can link them too.
    set(CMAKE_FIND_PACKAGE_TARGETS_GLOBAL ON)
    _add_subdirectory(${{ARGV}})
    unset(CMAKE_FIND_PACKAGE_TARGETS_GLOBAL)
  elseif(NOT _tflite_slim_kind STREQUAL "left-out")
    _add_subdirectory(${{ARGV}})
  endif()
endmacro()

# The tree's resolver source in {LIBRARY_TARGET} replaced by the generated one; exactly once, or the configure stops.
function(_tflite_slim_swap tree ours)
  get_target_property(sources {LIBRARY_TARGET} SOURCES)
  get_target_property(base {LIBRARY_TARGET} SOURCE_DIR)
  set(kept)
  set(found 0)
  foreach(source IN LISTS sources)
    get_filename_component(path "${{source}}" REALPATH BASE_DIR "${{base}}")
    if(path STREQUAL tree)
      math(EXPR found "${{found}} + 1")
      list(APPEND kept "${{ours}}")
    else()
      list(APPEND kept "${{source}}")
    endif()
  endforeach()
  if(NOT found EQUAL 1)
    message(FATAL_ERROR "tflite-slim: {LIBRARY_TARGET} compiles ${{tree}} ${{found}} times, not once: this tree's "
                        "CMake build is not one tflite-slim has read (LiteRT v2.1.6, v2.2.0)")
  endif()
  set_property(TARGET {LIBRARY_TARGET} PROPERTY SOURCES "${{kept}}")
endfunction()

function(_tflite_slim_litert)
  foreach(target {' '.join(RUNTIME_ARCHIVES)} {TREE_SHARED_TARGET})
    if(NOT TARGET ${{target}})
      message(FATAL_ERROR "tflite-slim: the tree's CMake build has no target ${{target}}: it is not one "
                          "tflite-slim has read (LiteRT v2.1.6, v2.2.0)")
    endif()
  endforeach()
{swaps}
  # The archives the tree links whole into its LiteRt, as objects; the rest of its link line as it is.
  set(archives {' '.join(RUNTIME_ARCHIVES)})
  foreach(target {' '.join(ANDROID_ARCHIVES)})
    if(TARGET ${{target}})
      list(APPEND archives ${{target}})
    endif()
  endforeach()
  get_target_property(tree_link {TREE_SHARED_TARGET} LINK_LIBRARIES)
  set(others)
  foreach(item IN LISTS tree_link)
    if(NOT item MATCHES "^-Wl,--(no-)?whole-archive$" AND NOT item IN_LIST archives)
      list(APPEND others "${{item}}")
    endif()
  endforeach()
  set(objects)
  foreach(target IN LISTS archives)
    list(APPEND objects "$<TARGET_OBJECTS:${{target}}>")
  endforeach()
  add_library({JNI_TARGET} OBJECT
{_cmake_list(jni)})
  target_link_libraries({JNI_TARGET} PRIVATE {LIBRARY_TARGET} litert_c_api)
  set_target_properties({JNI_TARGET} PROPERTIES POSITION_INDEPENDENT_CODE ON){includes}
  add_library({OUR_TARGET} SHARED $<TARGET_OBJECTS:{JNI_TARGET}> ${{objects}})
  set_target_properties({OUR_TARGET} PROPERTIES OUTPUT_NAME {LIB_NAME} LINK_DEPENDS "{_escape(version_script)}")
  target_link_libraries({OUR_TARGET} PRIVATE ${{others}} ${{archives}})
  target_link_options({OUR_TARGET} PRIVATE
{_cmake_list(link)})
endfunction()
"""


def configure_argv(cmake: str, *, root: Path, build_dir: Path, toolchain: Toolchain, generator: str = "Ninja",
                   ninja: Optional[str] = None, dep_sources: Mapping[str, str] = (),
                   tensorflow_dir: Optional[str] = None, dep_variables: Mapping[str, str] = ()) -> list[str]:
    """``cmake`` configuring the tree's ``litert/`` project in ``build_dir`` for one ABI, with our include.

    ``dep_sources`` (``--cmake-dep-source NAME=DIR``) and ``tensorflow_dir`` (``--tensorflow-source-dir``) as
    for 1.x, for a machine without GitHub: ``TENSORFLOW_SOURCE_DIR``, and each directory in the variable
    ``dep_variables`` names for it (:func:`tflite_slim.runtime.litert2.cmake.dep_variables`: a download's
    ``PTHREADPOOL_SOURCE_DIR``), else ``FETCHCONTENT_SOURCE_DIR_<NAME>``.
    """
    argv = [cmake, "-G", generator, "-S", str(root / SOURCE_SUBDIR), "-B", str(build_dir),
            "-DCMAKE_BUILD_TYPE=Release",
            f"-D{INCLUDE_VARIABLE}={build_dir / INCLUDE_FILE}",
            "-DCMAKE_POSITION_INDEPENDENT_CODE=ON",
            f"-DCMAKE_C_FLAGS={' '.join(cmake_flags.SECTION_FLAGS)}",
            f"-DCMAKE_CXX_FLAGS={' '.join(cmake_flags.SECTION_FLAGS)}",
            # Tests and support libraries are not the runtime (their defaults are OFF; said, not assumed).
            "-DLITERT_BUILD_TESTS=OFF"]
    argv += tflite_project.source_args(ninja, tensorflow_dir, dep_sources, dep_variables)
    toolchain_args = tflite_project.android_args if toolchain.android else tflite_project.compiler_args
    return argv + toolchain_args(toolchain)
