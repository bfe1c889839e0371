"""The CMake backend's compile and link flags (pure); their effect on a real stand-in build is in test_cmake.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tflite_slim.runtime.backends.cmake import flags as cmake_flags
from tflite_slim.runtime.backends.cmake.flags import Flags
from tflite_slim.runtime.backends.cmake.project import Toolchain, configure_argv, render_include


@pytest.mark.parametrize("level, flag", [("Os", "-Os"), ("O2", "-O2"), ("O3", "-O3")])
def test_each_level_replaces_cmakes_release_optimization(level, flag):
    args = Flags(level).configure_args()
    assert "-DCMAKE_BUILD_TYPE=Release" in args
    # CMake's Release default (-O3 -DNDEBUG) is replaced for both languages, so only the level differs.
    assert f"-DCMAKE_CXX_FLAGS_RELEASE={flag} -DNDEBUG" in args and f"-DCMAKE_C_FLAGS_RELEASE={flag} -DNDEBUG" in args
    assert [a for a in args if a.startswith("-DCMAKE_CXX_FLAGS=")][0].split()[:2] == [
        "-DCMAKE_CXX_FLAGS=-ffunction-sections", "-fdata-sections"]


def test_the_default_level_is_the_documented_one():
    assert Flags().opt_level == cmake_flags.DEFAULT_OPT_LEVEL == "O2"
    doc = (Path(__file__).parents[3] / "docs" / "optimization.md").read_text()
    (row,) = [line for line in doc.splitlines() if line.startswith("| `--opt-level` |")]
    assert row.endswith(f"| `{cmake_flags.DEFAULT_OPT_LEVEL}` |")


@pytest.mark.parametrize("level", ["O0", "os", "-Os", "", "Ofast"])
def test_an_unknown_level_is_refused(level):
    with pytest.raises(ValueError, match="choose one of Os, O2, O3"):
        Flags(level)


def test_levels_give_other_configure_commands_and_so_other_build_directories():
    host = Toolchain(abi="linux-x86_64", compiler_id="g++ 12")
    argvs = {level: configure_argv("cmake", source_dir=Path("/s"), build_dir=Path("/b"),
                                   include_file=Path("/b/x.cmake"), toolchain=host, flags=Flags(level))
             for level in cmake_flags.OPT_LEVELS}
    assert len({tuple(a) for a in argvs.values()}) == 3


def test_the_link_flags_go_to_the_jni_library():
    text = render_include(glue=["/g.cc"], resolver="/r.cc", registration="/reg.cc", version_script="/v.lds",
                          jni_includes=(), align_16kb=False, flags=Flags())
    for flag in cmake_flags.LINK_FLAGS:
        assert f'"{flag}"' in text


def test_exceptions_are_off_for_cxx_and_symbols_hidden_for_both_languages():
    flags = Flags()
    assert "-fno-exceptions" in flags.cxx_flags and "-fvisibility-inlines-hidden" in flags.cxx_flags
    # C has no exceptions to turn off, and GCC warns on the C++-only option for C files.
    assert not set(cmake_flags.CXX_ONLY_FLAGS) & set(flags.c_flags)
    assert "-fvisibility=hidden" in flags.c_flags and "-fvisibility=hidden" in flags.cxx_flags
    args = flags.configure_args()
    assert "-DCMAKE_CXX_FLAGS=" + " ".join(flags.cxx_flags) in args
    assert "-DCMAKE_C_FLAGS=" + " ".join(flags.c_flags) in args


def test_lto_is_off_by_default_and_cmakes_own_switch_when_on():
    assert Flags().lto is cmake_flags.DEFAULT_LTO is False
    assert not [a for a in Flags().configure_args() if "INTERPROCEDURAL" in a or "CMP0069" in a]
    on = Flags("Os", lto=True).configure_args()
    # CMake picks the compiler's LTO flags and its LTO archiver (gcc-ar); CMP0069 NEW for old dependencies.
    assert "-DCMAKE_INTERPROCEDURAL_OPTIMIZATION=ON" in on and "-DCMAKE_POLICY_DEFAULT_CMP0069=NEW" in on
    # The level's own flags are the same with or without it.
    assert [a for a in on if a not in cmake_flags.LTO_ARGS] == Flags("Os").configure_args()


def test_lto_builds_in_another_directory():
    host = Toolchain(abi="linux-x86_64", compiler_id="g++ 12")
    argvs = [configure_argv("cmake", source_dir=Path("/s"), build_dir=Path("/b"), include_file=Path("/b/x.cmake"),
                            toolchain=host, flags=Flags(lto=lto)) for lto in (False, True)]
    assert argvs[0] != argvs[1]


def test_the_lto_default_is_the_documented_one():
    doc = (Path(__file__).parents[3] / "docs" / "optimization.md").read_text()
    (row,) = [line for line in doc.splitlines() if line.startswith("| `--lto`")]
    assert row.endswith(f"| {'on' if cmake_flags.DEFAULT_LTO else 'off'} |")


def test_declared_names_only_what_differs_from_the_defaults() -> None:
    # What the Bazel backends and the LiteRT 2.x build refuse: each option as the user gave it, nothing else.
    assert Flags().declared() == ()
    assert Flags(opt_level=cmake_flags.DEFAULT_OPT_LEVEL, lto=cmake_flags.DEFAULT_LTO).declared() == ()
    assert Flags(opt_level="Os").declared() == ("--opt-level Os",)
    assert Flags(opt_level="O3", lto=True).declared() == ("--opt-level O3", "--lto")
