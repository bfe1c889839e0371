"""Benchmark: the CMake backend's cold build, the same with a warm compiler cache, and an op-set relink.

Run: ``.venv/bin/python benchmarks/cmake_build.py [--source TREE --tensorflow-source-dir DIR] [MODEL ...]``

Without ``--source`` it builds the repository's stand-in TFLite tree
(``tests/standin/cmaketree``, copied to a temporary directory) for ``linux-x86_64``
with models it makes (ADD, then ADD+MUL+RELU). With ``--source`` (a real LiteRT
checkout, for a by-hand measurement) give its ``--tensorflow-source-dir`` and the
models; the second op set is then the first set's models without the last one.

Four builds, each a ``tflite-slim build --backend cmake --target-archs host``:

* cold: an empty cache directory, no compiler cache;
* cold + ccache: an empty cache directory and an empty ccache (fills it);
* warm ccache: another empty cache directory (a new build directory), the warm ccache;
* relink: the second op set in the warm build directory.

It prints, per build, Ninja's steps, the wall time, the CPU time of the build's
processes, the kernel line (how many op-kernel files were compiled) and ccache's
hits and misses.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from modelmaker import Op, builtin, make_model  # noqa: E402
from standin.workspace import copy_cmake_tree, local_dependency_args  # noqa: E402
from tflite_slim.runtime.backends import compiler_cache  # noqa: E402

ADD, MUL, RELU = 0, 18, 19
_STEPS = re.compile(r"cmake linux-x86_64: (\d+) build steps")
_KERNELS = re.compile(r"kernels: (.*)")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(label: str, models: list[str], source: Path, tf_dir: Path, cache: Path, out: Path, extra: list[str],
        env: dict) -> None:
    argv = [sys.executable, "-m", "tflite_slim", "build", *models, "--backend", "cmake", "--target-archs", "host",
            "--source", str(source), "--tensorflow-source-dir", str(tf_dir), "--cache-dir", str(cache),
            "--out", str(out), "--no-stock-compare", *extra]
    cpu, start = _children_cpu(), time.monotonic()
    done = subprocess.run(argv, capture_output=True, text=True, env=env)
    wall, cpu = time.monotonic() - start, _children_cpu() - cpu
    if done.returncode != 0:
        raise SystemExit(f"{label}: the build failed:\n{done.stderr[-3000:]}")
    steps = _STEPS.search(done.stderr)
    kernels = _KERNELS.search(done.stderr)
    stats = ""
    if env.get("CCACHE_DIR_FOR_STATS"):
        text = subprocess.run(["ccache", "--print-stats"], capture_output=True, text=True,
                              env={**env, "CCACHE_DIR": env["CCACHE_DIR_FOR_STATS"]}).stdout
        hits, misses = compiler_cache.stats_line(text) or (0, 0)
        stats = f"; ccache {hits} hits, {misses} misses"
        subprocess.run(["ccache", "-z"], capture_output=True, env={**env, "CCACHE_DIR": env["CCACHE_DIR_FOR_STATS"]})
    print(f"{label:15} {steps.group(1) if steps else '?':>5} steps  {wall:7.1f} s wall  {cpu:8.1f} s CPU"
          f"{stats}\n{'':15} {kernels.group(1) if kernels else ''}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, help="a real LiteRT checkout (default: the stand-in tree)")
    parser.add_argument("--tensorflow-source-dir", type=Path)
    parser.add_argument("models", nargs="*")
    args = parser.parse_args()
    if shutil.which("ccache") is None:
        raise SystemExit("ccache is not installed (apt-get install ccache)")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if args.source:
            if not args.tensorflow_source_dir or len(args.models) < 2:
                raise SystemExit("--source needs --tensorflow-source-dir and at least two models")
            source, tf_dir = args.source, args.tensorflow_source_dir
            first, second = list(args.models), list(args.models[:-1])
        else:
            copy_cmake_tree(root)
            source, tf_dir = root / "litert", root / "tensorflow"
            for name, codes in {"add": [ADD], "three": [ADD, MUL, RELU]}.items():
                (root / f"{name}.tflite").write_bytes(make_model([builtin(c) for c in codes],
                                                                 [[Op(i) for i in range(len(codes))]]))
            first, second = [str(root / "add.tflite")], [str(root / "three.tflite")]
        ccache_dir = root / "ccache"
        env = {**os.environ, "CCACHE_DIR_FOR_STATS": str(ccache_dir)}
        deps = [] if args.source else local_dependency_args(root)
        with_cache = ["--compiler-cache", "ccache", "--compiler-cache-dir", str(ccache_dir), *deps]
        print(f"tree: {source}; first op set: {len(first)} model(s), second: {len(second)}")
        run("cold", first, source, tf_dir, root / "c0", root / "o0", ["--compiler-cache", "none", *deps],
            {**os.environ})
        run("cold + ccache", first, source, tf_dir, root / "c1", root / "o1", with_cache, env)
        run("warm ccache", first, source, tf_dir, root / "c2", root / "o2", with_cache, env)
        run("relink", second, source, tf_dir, root / "c2", root / "o3", with_cache, env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
