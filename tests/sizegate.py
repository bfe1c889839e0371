"""The size gate's measurement: the stand-in tree's trimmed library for the floor and three reference
op sets, per host ABI this machine can build (shared by ``benchmarks/size_gate.py`` and ``test_size_gate.py``).

The stand-in's kernels are tiny, so what these bytes measure is what tflite-slim adds and decides:
the JNI glue, the registration, the link options (``--gc-sections``, the version script, stripping,
16 KB pages) and the kernel selection. A change that loses one of them grows every row.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Optional

from modelmaker import Op, builtin, make_model
from standin.workspace import copy_cmake_tree, local_dependency_args

ROOT = Path(__file__).resolve().parent.parent
RECORD = ROOT / "benchmarks" / "size_gate.json"
ADD, MUL, RELU, RELU6, SUB = 0, 18, 19, 21, 41
#: The floor and three reference op sets (builtin operator numbers).
OP_SETS = {"floor (ADD)": [ADD], "ADD+MUL": [ADD, MUL], "ADD+MUL+RELU": [ADD, MUL, RELU],
           "all (5 ops)": [ADD, MUL, RELU, RELU6, SUB]}
#: host ABI -> the C++ compiler that builds it on an x86_64 machine.
COMPILERS = {"linux-x86_64": "g++", "linux-aarch64": "aarch64-linux-gnu-g++"}
#: Growth past this fraction of the recorded bytes fails the gate.
TOLERANCE = 0.02


def compiler_version(cxx: str) -> Optional[str]:
    """``major.minor`` of ``cxx`` (``12.2``), or None when it is not installed."""
    if shutil.which(cxx) is None:
        return None
    out = subprocess.run([cxx, "-dumpfullversion"], capture_output=True, text=True).stdout.strip()
    m = re.match(r"(\d+)\.(\d+)", out)
    return f"{m.group(1)}.{m.group(2)}" if m else None


def build_standin(abi: str, workdir: Path, ops: list[int], label: str) -> tuple[int, int]:
    """``(library bytes, AAR bytes)`` of the stand-in built for ``abi`` with one model holding ``ops``
    (builtin operator numbers); every build in ``workdir`` shares one tree and one cache (relinks)."""
    aar = build_standin_aar(abi, workdir, ops, label)
    with zipfile.ZipFile(aar) as z:
        return z.getinfo(f"jni/{abi}/libtensorflowlite_jni.so").file_size, aar.stat().st_size


def build_standin_aar(abi: str, workdir: Path, ops: list[int], label: str, *, opt_level: Optional[str] = None,
                      xnnpack: bool = False) -> Path:
    """The AAR of the stand-in built for ``abi`` with one model holding ``ops`` (see :func:`build_standin`), at
    ``opt_level`` (None: the default) with or without the stand-in's XNNPACK."""
    tree = workdir / "tree"
    if not tree.exists():
        copy_cmake_tree(tree)
    key = f"{abi}-{'_'.join(map(str, ops))}" + (f"-{opt_level}" if opt_level else "") + ("-xnnpack" if xnnpack else "")
    model = workdir / f"{key}.tflite"
    model.write_bytes(make_model([builtin(o) for o in ops], [[Op(i) for i in range(len(ops))]]))
    out = workdir / f"out-{key}"
    argv = [sys.executable, "-m", "tflite_slim", "build", str(model), "--backend", "cmake", "--target-archs", abi,
            "--source", str(tree / "litert"), "--tensorflow-source-dir", str(tree / "tensorflow"),
            "--cache-dir", str(workdir / "cache"), "--out", str(out), "--no-stock-compare",
            "--compiler-cache", "none", *local_dependency_args(tree), *(["--opt-level", opt_level] if opt_level else [])]
    # The stand-in's XNNPACK is ours and a few bytes; XNNPACK's real cost is measured on LiteRT's tree
    # (docs/xnnpack.md). Without it the gate's rows keep measuring tflite-slim's own part.
    if not xnnpack:
        argv.append("--no-xnnpack")
    if abi != "linux-x86_64":
        argv += ["--cxx", COMPILERS[abi]]
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{abi} {label}: the build failed:\n{done.stderr[-2000:]}")
    return out / "tensorflow-lite.aar"


def measure(abi: str, workdir: Path) -> dict[str, int]:
    """Bytes of the stripped ``libtensorflowlite_jni.so`` for each reference op set (one cache: relinks)."""
    return {name: build_standin(abi, workdir, ops, name)[0] for name, ops in OP_SETS.items()}


def measure_all() -> dict[str, dict]:
    """Every ABI this machine builds: ``{abi: {"compiler": "g++ 12.2", "bytes": {set: n}}}``."""
    result = {}
    with tempfile.TemporaryDirectory() as tmp:
        for abi, cxx in COMPILERS.items():
            version = compiler_version(cxx)
            if version is not None:
                result[abi] = {"compiler": f"{cxx} {version}", "bytes": measure(abi, Path(tmp))}
    return result


def read_record() -> dict:
    return json.loads(RECORD.read_text())


def write_record(measured: dict) -> None:
    data = {"tolerance": TOLERANCE, "op_sets": {k: v for k, v in OP_SETS.items()},
            "how": "tests/sizegate.py: the stand-in tree (tests/standin/cmaketree) built with --backend cmake, "
                   "--target-archs <abi>, Release, stripped; bytes of jni/<abi>/libtensorflowlite_jni.so",
            "abis": measured}
    RECORD.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")


def compare(recorded: dict, measured: dict) -> list[str]:
    """One line per row that grew past the tolerance (empty: the gate passes)."""
    failures = []
    tolerance = recorded.get("tolerance", TOLERANCE)
    for abi, row in measured.items():
        before = recorded["abis"].get(abi)
        if before is None or before["compiler"] != row["compiler"]:
            continue
        for name, n in row["bytes"].items():
            limit = before["bytes"][name] * (1 + tolerance)
            if n > limit:
                failures.append(f"{abi} {name}: {n:,} B, recorded {before['bytes'][name]:,} B "
                                f"(+{100 * (n / before['bytes'][name] - 1):.1f}%, tolerance {100 * tolerance:.0f}%)")
    return failures
