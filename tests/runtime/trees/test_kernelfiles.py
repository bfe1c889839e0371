"""Which kernel files an op set needs, read from the files (the real CMake builds are in backends/test_cmake.py)."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from tflite_slim.runtime.trees import kernelfiles

#: The shapes of LiteRT v1.4.1's tflite/kernels files (cited lines, reduced).
CONV = """\
TfLiteRegistration* Register_CONVOLUTION_REF() {
  static TfLiteRegistration r = {conv::Init, conv::Free, conv::Prepare<conv::kReference>, ...};
  return &r;
}
TfLiteRegistration* Register_CONVOLUTION_GENERIC_OPT() { static TfLiteRegistration r = {}; return &r; }
TfLiteRegistration* Register_CONV_2D() {
#if defined TFLITE_WITH_MULTITHREADED_EIGEN
  return Register_CONVOLUTION_MULTITHREADED_OPT();
#else
  return Register_CONVOLUTION_GENERIC_OPT();
#endif
}
"""


@pytest.mark.parametrize("text,defines,calls", [
    (CONV, {"Register_CONVOLUTION_REF", "Register_CONVOLUTION_GENERIC_OPT", "Register_CONV_2D"},
     {"Register_CONVOLUTION_MULTITHREADED_OPT"}),
    ("TfLiteRegistration *Register_ADD(void) {\n", {"Register_ADD"}, set()),
    # A declaration is not a definition; a call in a comment only ever keeps a file more.
    ("TfLiteRegistration* Register_MUL();\n// Register_SUB()\n", set(), {"Register_MUL", "Register_SUB"}),
    ("namespace { float Helper(float x) { return x; } }\n", set(), set()),
])
def test_parse(text: str, defines: set, calls: set) -> None:
    f = kernelfiles.parse("k.cc", text)
    assert f.defines == frozenset(defines) and f.calls == frozenset(calls)


@pytest.mark.parametrize("text,expected", [
    ("BuiltinOpResolver::BuiltinOpResolver() {\n  AddBuiltin(...);", True),          # core/kernels/register.cc
    ("BuiltinRefOpResolver::BuiltinRefOpResolver() {", True),                       # kernels/register_ref.cc
    ("  return std::unique_ptr<tflite::ops::builtin::BuiltinOpResolver>(\n"
     "      new tflite::ops::builtin::BuiltinOpResolverWithoutDefaultDelegates());", True),  # core/create_op_...
    ("std::unique_ptr<MutableOpResolver> CreateOpResolver() {", True),             # the stand-in's
    ("std::unique_ptr<OpResolver> CreateOpResolver();", False),                     # a declaration
    ("TfLiteRegistration* Register_ADD() {", False),
])
def test_all_ops_resolvers_are_recognised_by_what_they_define(text: str, expected: bool) -> None:
    assert kernelfiles.is_all_ops_resolver(text) is expected


def files(**defs: tuple) -> list[kernelfiles.KernelFile]:
    return [kernelfiles.KernelFile(f"/t/kernels/{name}.cc", frozenset(d), frozenset(c)) for name, (d, c) in defs.items()]


def test_select_keeps_needed_files_their_callees_and_shared_code() -> None:
    tree = files(add=({"Register_ADD"}, set()),
                 conv=({"Register_CONV_2D"}, {"Register_CONV_REF"}),
                 conv_ref=({"Register_CONV_REF"}, set()),
                 mul=({"Register_MUL"}, set()),
                 kernel_util=(set(), set()))
    s = kernelfiles.select(tree, ["/t/core/kernels/register.cc"], {"Register_CONV_2D"})
    assert [Path(p).stem for p in s.kept] == ["conv", "conv_ref", "kernel_util"]
    assert [Path(p).stem for p in s.left_out] == ["add", "mul", "register"]
    assert [Path(p).stem for p in s.needed] == ["conv", "conv_ref"] and s.op_kernel_files == 4
    assert s.unselected_reason is None


def test_a_function_no_file_defines_compiles_everything() -> None:
    tree = files(add=({"Register_ADD"}, set()))
    s = kernelfiles.select(tree, ["/t/register.cc"], {"Register_ADD", "Register_STABLEHLO_ABS"})
    assert s.left_out == () and len(s.kept) == 2
    assert "Register_STABLEHLO_ABS" in kernelfiles.summary(s) and "every kernel is compiled" in s.unselected_reason


def test_scan_reads_the_tree_as_cmake_lists_it(tmp_path: Path) -> None:
    lite = tmp_path / "tflite"
    (lite / "kernels").mkdir(parents=True)
    (lite / "core/kernels").mkdir(parents=True)
    (lite / "kernels/add.cc").write_text("TfLiteRegistration* Register_ADD() {\n")
    (lite / "kernels/add_test.cc").write_text("TfLiteRegistration* Register_TEST() {\n")       # CMake filters tests
    (lite / "kernels/test_util.cc").write_text("TfLiteRegistration* Register_UTIL() {\n")
    (lite / "kernels/kernel_util.cc").write_text("int helper() { return 1; }\n")
    (lite / "core/kernels/register.cc").write_text("BuiltinOpResolver::BuiltinOpResolver() {\n")
    os.symlink("/etc/passwd", lite / "kernels/evil.cc")                                         # never read
    kernels, resolvers = kernelfiles.scan(lite)
    assert sorted(Path(k.path).name for k in kernels) == ["add.cc", "kernel_util.cc"]
    assert resolvers == [str(lite / "core/kernels/register.cc")]
    s = kernelfiles.select_for(lite, ["ADD"])
    assert kernelfiles.summary(s) == "kernels: 1 of 1 op-kernel files compiled (add.cc); 1 files left out"
    assert kernelfiles.record(s, lite)["compiled"] == ["kernels/add.cc"]


def test_a_crafted_kernel_file_costs_linear_time(tmp_path: Path) -> None:
    lite = tmp_path / "tflite"
    (lite / "kernels").mkdir(parents=True)
    n = 20_000
    (lite / "kernels/big.cc").write_text("".join(f"TfLiteRegistration* Register_K{i}() {{ return Register_K{i + 1}(); }}\n"
                                                 for i in range(n)))
    start = time.perf_counter()
    s = kernelfiles.select_for(lite, ["K0"])
    assert time.perf_counter() - start < 5 and s.op_kernel_files == 1


REAL = os.environ.get("TFLITE_SLIM_REAL_LITERT")


@pytest.mark.skipif(not REAL, reason="TFLITE_SLIM_REAL_LITERT is unset: set it to a LiteRT checkout to select "
                                     "kernel files in its real tflite/kernels")
def test_a_real_litert_tree() -> None:
    """Every kernel the all-ops resolver registers is defined in one of the files the selection knows."""
    lite = Path(str(REAL)) / "tflite"
    kernels, resolvers = kernelfiles.scan(lite)
    defined = {n for k in kernels for n in k.defines}
    register = next(Path(r) for r in resolvers if r.endswith("register.cc") and "/core/" in r)
    used = set(re.findall(r"\b(Register_\w+)\(\)", register.read_text()))
    assert used and used <= defined
    s = kernelfiles.select_for(lite, ["ADD"])
    assert [Path(p).name for p in s.needed] == ["add.cc"] and s.op_kernel_files > 100
