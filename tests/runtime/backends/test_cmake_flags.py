"""The CMake backend's compile and link flags (pure); their effect on a real stand-in build is in test_cmake.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tflite_slim.runtime.backends import cmake_flags
from tflite_slim.runtime.backends.cmake_flags import Flags
from tflite_slim.runtime.backends.cmake_project import Toolchain, configure_argv, render_include


@pytest.mark.parametrize("level, flag", [("Os", "-Os"), ("O2", "-O2"), ("O3", "-O3")])
def test_each_level_replaces_cmakes_release_optimization(level, flag):
    args = Flags(level).configure_args()
    assert "-DCMAKE_BUILD_TYPE=Release" in args
    # CMake's Release default (-O3 -DNDEBUG) is replaced for both languages, so only the level differs.
    assert f"-DCMAKE_CXX_FLAGS_RELEASE={flag} -DNDEBUG" in args and f"-DCMAKE_C_FLAGS_RELEASE={flag} -DNDEBUG" in args
    assert [a for a in args if a.startswith("-DCMAKE_CXX_FLAGS=")][0].split()[:2] == [
        "-DCMAKE_CXX_FLAGS=-ffunction-sections", "-fdata-sections"]


def test_the_default_level_is_the_documented_one():
    assert Flags().opt_level == cmake_flags.DEFAULT_OPT_LEVEL == "Os"
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
