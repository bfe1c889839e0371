"""Which of a tree's kernel files an op set needs: read from the files, not from a list of ours.

TFLite's CMake build compiles every ``<lite>/kernels/*.cc`` into ``libtensorflow-lite``
(``populate_tflite_source_vars("kernels" ...)`` in ``tflite/CMakeLists.txt``): 153
files at LiteRT v1.4.1, 141 of which define ``TfLiteRegistration* Register_<NAME>()``,
about two thirds of the whole compile. The linker keeps only what the selected
``RegisterSelectedOps`` reaches, so the other kernels are compiled for nothing.

Facts this module reads from each kernel file (cited from the tree, not copied):

* A kernel is defined as ``TfLiteRegistration* Register_<NAME>() {`` in namespace
  ``tflite::ops::builtin`` (or ``::custom`` for the custom ops TFLite carries, such as
  ``Register_DETECTION_POSTPROCESS`` in ``detection_postprocess.cc``); one file may define
  several (``activations.cc``: RELU, TANH, LOGISTIC ...; ``conv.cc``: ``Register_CONV_2D``
  and its ``_REF``/``_GENERIC_OPT``/``_MULTITHREADED_OPT`` variants).
* A kernel may return another's registration (``Register_CONV_2D`` returns
  ``Register_CONVOLUTION_GENERIC_OPT()``): every ``Register_<NAME>()`` a needed file
  calls makes the file defining it needed too.
* Files that define no ``Register_`` function are shared code (``kernel_util.cc``,
  ``eigen_support.cc``, ``lstm_eval.cc``, ``control_flow_common.cc`` ...): always kept.
* The resolvers that register *every* kernel: ``BuiltinOpResolver`` (``register.cc``,
  in ``kernels/`` or ``core/kernels/``), ``BuiltinRefOpResolver`` (``kernels/register_ref.cc``)
  and the all-ops ``CreateOpResolver()`` (``create_op_resolver_with_builtin_ops.cc``,
  at ``<lite>/`` or ``<lite>/core/``): the selected-ops resolver replaces them, so
  they are left out with the kernels (a file defining one of these is recognised by
  what it defines, wherever it lives).

When a needed function is defined in no kernel file, nothing is left out: the
selection then says why, and the build compiles every kernel as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Optional

#: A kernel file larger than this is read no further (the largest at v1.4.1 is under 200 KB).
MAX_BYTES = 4 << 20
KERNEL_DIRS = ("kernels",)
#: Where the all-ops resolvers may live, relative to the lite dir.
RESOLVER_DIRS = (".", "core", "kernels", "core/kernels")
#: Test and wrapper files TFLite's CMake filters out of ``kernels/`` itself (its FILTER regex).
_CMAKE_FILTERED = re.compile(r"([^/]*_test_util_internal|test_[^/]*|[^/]*_ops_wrapper|[^/]*_test)\.cc$")
_DEFINES = re.compile(r"^\s*TfLiteRegistration\s*\*\s*(Register_\w+)\s*\(\s*(?:void\s*)?\)\s*\{", re.M)
_CALLS = re.compile(r"\b(Register_\w+)\s*\(\s*\)")
#: What an all-ops resolver file defines.
_ALL_OPS = re.compile(r"\b(BuiltinOpResolver|BuiltinRefOpResolver)::\1\s*\(|"
                      r"BuiltinOpResolverWithoutDefaultDelegates\s*\(\s*\)\s*\)|"
                      r"^\s*std::unique_ptr<[^>]*>\s*CreateOpResolver\s*\(\s*\)\s*\{", re.M)


@dataclass(frozen=True)
class KernelFile:
    path: str
    #: ``Register_<NAME>`` functions it defines.
    defines: frozenset[str]
    #: ``Register_<NAME>`` functions it calls.
    calls: frozenset[str]


@dataclass(frozen=True)
class Selection:
    """Which kernel files an op set compiles; ``left_out`` are never compiled."""

    kept: tuple[str, ...]
    left_out: tuple[str, ...]
    #: The op-kernel files (defining ``Register_``) the op set needs, of how many.
    needed: tuple[str, ...]
    op_kernel_files: int
    #: Why nothing is left out (None: the selection applies).
    unselected_reason: Optional[str] = None


def parse(path: str, text: str) -> KernelFile:
    """A kernel file's ``Register_`` definitions and calls (comments left in: a commented-out call
    only ever keeps a file more)."""
    defines = frozenset(_DEFINES.findall(text))
    return KernelFile(path, defines, frozenset(_CALLS.findall(text)) - defines)


def is_all_ops_resolver(text: str) -> bool:
    return _ALL_OPS.search(text) is not None


def select(files: Iterable[KernelFile], resolvers: Iterable[str], needed: Iterable[str]) -> Selection:
    """The kernel files that define the ``needed`` functions and every ``Register_`` they call, the
    files without a ``Register_`` definition (shared code), and what is left out (linear in the files)."""
    files = sorted(files, key=lambda f: f.path)
    resolvers = sorted(set(resolvers))
    by_function: dict[str, str] = {}
    for f in files:
        for name in f.defines:
            by_function.setdefault(name, f.path)
    by_path = {f.path: f for f in files}
    op_files = [f.path for f in files if f.defines]
    missing = sorted(n for n in set(needed) if n not in by_function)
    if missing:
        return Selection(tuple(f.path for f in files) + tuple(resolvers), (), (), len(op_files),
                         f"no kernel file of the tree defines {', '.join(missing)}(): every kernel is compiled")
    wanted: set[str] = set()
    todo = sorted({by_function[n] for n in needed})
    while todo:
        path = todo.pop()
        if path in wanted:
            continue
        wanted.add(path)
        todo.extend(by_function[c] for c in by_path[path].calls if c in by_function)
    kept = tuple(f.path for f in files if not f.defines or f.path in wanted)
    left_out = tuple(f.path for f in files if f.defines and f.path not in wanted) + tuple(resolvers)
    return Selection(kept, left_out, tuple(p for p in op_files if p in wanted), len(op_files))


def needed_functions(builtin_ops: Iterable[str], tflite_custom_functions: Iterable[str]) -> set[str]:
    """``Register_<OP>`` of each builtin op, plus the TFLite-provided custom ops' functions."""
    return {f"Register_{op}" for op in builtin_ops} | set(tflite_custom_functions)


def _read(path: Path) -> Optional[str]:
    try:
        if path.is_symlink() or not path.is_file():
            return None
        with path.open("rb") as f:
            return f.read(MAX_BYTES).decode("utf-8", "replace")
    except OSError:
        return None


def scan(lite_dir: Path) -> tuple[list[KernelFile], list[str]]:
    """The tree's kernel files and its all-ops resolver files (absolute paths, as CMake names them)."""
    kernels: list[KernelFile] = []
    resolvers: set[str] = set()
    for sub in KERNEL_DIRS:
        d = lite_dir / sub
        if not d.is_dir():
            continue
        for p in sorted(d.glob("*.cc")):
            if _CMAKE_FILTERED.search(p.name):
                continue
            text = _read(p)
            if text is None:
                continue
            if is_all_ops_resolver(text):
                resolvers.add(str(p))
            else:
                kernels.append(parse(str(p), text))
    for sub in RESOLVER_DIRS:
        d = lite_dir / sub
        for name in ("register.cc", "register_ref.cc", "create_op_resolver_with_builtin_ops.cc"):
            text = _read(d / name)
            if text is not None and is_all_ops_resolver(text):
                resolvers.add(str(d / name))
    return kernels, sorted(resolvers)


def select_for(lite_dir: Path, builtin_ops: Iterable[str],
               tflite_custom_functions: Iterable[str] = ()) -> Selection:
    """:func:`select` over the tree at ``lite_dir`` for an op set."""
    kernels, resolvers = scan(lite_dir)
    return select(kernels, resolvers, needed_functions(builtin_ops, tflite_custom_functions))


def summary(selection: Selection) -> str:
    """One line for the build log."""
    if selection.unselected_reason:
        return f"kernels: {selection.unselected_reason}"
    names = ", ".join(Path(p).name for p in selection.needed)
    return (f"kernels: {len(selection.needed)} of {selection.op_kernel_files} op-kernel files compiled "
            f"({names}); {len(selection.left_out)} files left out")


def record(selection: Selection, lite_dir: Path) -> Mapping[str, object]:
    """The build record's view: the compiled op-kernel files relative to the tree."""
    def rel(p: str) -> str:
        try:
            return str(Path(p).relative_to(lite_dir))
        except ValueError:
            return p
    return {"op_kernel_files": selection.op_kernel_files, "compiled": [rel(p) for p in selection.needed],
            "left_out": len(selection.left_out), "all_compiled_because": selection.unselected_reason}
