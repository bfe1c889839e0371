"""The compile and link flags that decide the size (and speed) of the CMake backend's library: pure data.

The optimization level is the user's choice (``--opt-level``, a declared input: it enters the runtime's version
through :meth:`CmakeBackend.plan_entry`); the other flags are fixed, each adopted because it shrinks the library
without slowing a model (``docs/optimization.md`` has the measurements on the real LiteRT v1.4.1 tree).

What LiteRT's own Android release build passes (read from v1.4.1): ``.bazelrc`` builds ``-c opt`` (the NDK
toolchain's ``-O2``), and ``tflite_copts()`` in ``tflite/build_def.bzl`` adds ``-O3`` for TFLite's own files in
that mode, ``-ffunction-sections -fdata-sections`` on Android and ``-fno-exceptions`` everywhere but Windows;
its JNI link options (``tflite_jni_linkopts``) are ``--gc-sections``, ``--as-needed`` and ``-s``, and, as its
comment says, no ``--icf``.
"""

from __future__ import annotations

from dataclasses import dataclass

#: ``--opt-level`` -> the compiler's flag. Every configure sets ``CMAKE_BUILD_TYPE=Release`` and replaces
#: CMake's ``-O3`` for Release with this, so all three differ in that one flag only.
OPT_LEVELS = {"Os": "-Os", "O2": "-O2", "O3": "-O3"}
DEFAULT_OPT_LEVEL = "O2"
DEFAULT_LTO = False

#: Sections per function/object for --gc-sections (upstream's Android copts too).
SECTION_FLAGS = ("-ffunction-sections", "-fdata-sections")
#: Every symbol hidden unless marked (JNIEXPORT marks the JNI entry points ``default``): calls inside the
#: library need no PLT/GOT indirection and the linker can drop what no export reaches.
VISIBILITY_FLAGS = ("-fvisibility=hidden",)
#: C++ only: TFLite's own ``tflite_copts()`` (no exception is thrown or caught in TFLite; abseil, ruy,
#: gemmlowp, flatbuffers and Eigen build without them too), and inline functions hidden with the rest.
CXX_ONLY_FLAGS = ("-fno-exceptions", "-fvisibility-inlines-hidden")

#: Linker options of the JNI library, before the version script (cmake_project adds it and the page size).
LINK_FLAGS = ("-Wl,--gc-sections", "-Wl,--strip-all")

#: ``--lto``: CMake's own switch for link-time optimization (it picks the compiler's flags, ``-flto=auto
#: -fno-fat-lto-objects`` for GCC, and the archiver that keeps LTO objects, ``gcc-ar``), and policy CMP0069
#: NEW for the dependencies whose ``cmake_minimum_required`` predates 3.9, where CMake would ignore it.
LTO_ARGS = ("-DCMAKE_INTERPROCEDURAL_OPTIMIZATION=ON", "-DCMAKE_POLICY_DEFAULT_CMP0069=NEW")


@dataclass(frozen=True)
class Flags:
    """The flags of one build: what CMake is given for the C and C++ compilers and the JNI library's link."""

    opt_level: str = DEFAULT_OPT_LEVEL
    #: Link-time optimization (``--lto``).
    lto: bool = DEFAULT_LTO

    def __post_init__(self) -> None:
        if self.opt_level not in OPT_LEVELS:
            raise ValueError(f"optimization level {self.opt_level!r}: choose one of {', '.join(OPT_LEVELS)}")

    def declared(self) -> tuple[str, ...]:
        """The options that asked for something other than the defaults, as given (``--opt-level Os``,
        ``--lto``): what a build that does not apply these flags (Bazel's, LiteRT 2.x's) must refuse."""
        return ((f"--opt-level {self.opt_level}",) if self.opt_level != DEFAULT_OPT_LEVEL else ()) + \
            (("--lto" if self.lto else "--no-lto",) if self.lto != DEFAULT_LTO else ())

    @property
    def c_flags(self) -> tuple[str, ...]:
        return SECTION_FLAGS + VISIBILITY_FLAGS

    @property
    def cxx_flags(self) -> tuple[str, ...]:
        return SECTION_FLAGS + VISIBILITY_FLAGS + CXX_ONLY_FLAGS

    @property
    def release_flags(self) -> tuple[str, ...]:
        """``CMAKE_<LANG>_FLAGS_RELEASE``: CMake puts them after ``CMAKE_<LANG>_FLAGS`` on every compile line."""
        return (OPT_LEVELS[self.opt_level], "-DNDEBUG")

    @property
    def link_flags(self) -> tuple[str, ...]:
        return LINK_FLAGS

    def configure_args(self) -> list[str]:
        """The ``cmake -D`` options for these flags (every configure sets them: they key the build directory)."""
        release = " ".join(self.release_flags)
        return ["-DCMAKE_BUILD_TYPE=Release",
                f"-DCMAKE_C_FLAGS={' '.join(self.c_flags)}",
                f"-DCMAKE_CXX_FLAGS={' '.join(self.cxx_flags)}",
                f"-DCMAKE_C_FLAGS_RELEASE={release}",
                f"-DCMAKE_CXX_FLAGS_RELEASE={release}",
                *(LTO_ARGS if self.lto else ())]
