"""Benchmark: analysis time of a small model vs a model with >= 100 MB of weights.

Run: ``.venv/bin/python benchmarks/analyze_speed.py [--weights-mb 128] [--repeat 20]``

Both models have the same operators (made with tests/modelmaker.py in a temp
dir); the big one adds one weights buffer. Two figures per model:

* parse: :func:`parse_model` over the open file (:class:`FileSource` reads the
  pages it visits: operator codes, subgraphs, operators, Flex options). Must
  not grow with the weights.
* read_model: parse plus the file's sha256, which streams the whole file by
  design (the report names the exact file), so it grows with file size.

Then the cold start, each in a fresh interpreter (what a Gradle task pays):
``python -m tflite_slim --help`` and ``python -m tflite_slim analyze`` of the
small model, as the median wall time and as a ratio to a bare
``python -c pass`` measured in the same run (the ratio is what compares across
machines and loads). Targets on the 2-core dev machine: analyze < 0.15 s,
--help < 0.1 s. ``--cold-only`` skips the in-process figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import modelmaker as mm  # noqa: E402
from tflite_slim.analysis.flatbuf import FileSource  # noqa: E402
from tflite_slim.analysis.reader import parse_model, read_model  # noqa: E402


def _model(weights: int) -> bytes:
    codes = [
        mm.builtin(mm.CONV_2D, 3),
        mm.builtin(mm.ADD),
        mm.builtin(mm.CUMSUM),
        mm.custom("FlexAddV2"),
        mm.custom("Foo"),
    ]
    flex = mm.flex_options("AddV2", {"T": mm.DT_FLOAT})
    graph = [mm.Op(i % 3) for i in range(60)] + [mm.Op(3, flex), mm.Op(4)]
    return mm.make_model(codes, [graph, [mm.Op(1)]], buffers=[weights] if weights else [])


def _time(fn: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _parse(path: Path) -> None:
    with open(path, "rb") as f:
        parse_model(FileSource(f.fileno(), os.fstat(f.fileno()).st_size))


def _cold(argv: list[str], repeat: int) -> float:
    """Median wall time of ``argv`` run as a fresh process (one untimed run first: .pyc files, page cache)."""
    def run() -> None:
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    run()
    return _time(run, repeat)


def cold_start(small: Path, repeat: int) -> None:
    py = [sys.executable]
    # Interleaved rounds, so a burst of load from elsewhere hits every figure alike.
    cases = {
        "python -c pass": py + ["-c", "pass"],
        "tflite-slim --help": py + ["-m", "tflite_slim", "--help"],
        f"tflite-slim analyze ({small.stat().st_size:,} B model)": py + ["-m", "tflite_slim", "analyze", str(small)],
    }
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(repeat):
        for name, argv in cases.items():
            samples[name].append(_cold(argv, 1))
    base = statistics.median(samples["python -c pass"])
    print(f"\n{'cold start (fresh process)':<40}{'median':>10}{'min':>10}{'x python -c pass':>18}")
    for name, values in samples.items():
        med = statistics.median(values)
        print(f"{name:<40}{med * 1e3:>7.0f} ms{min(values) * 1e3:>7.0f} ms{med / base:>17.2f}x")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--weights-mb", type=int, default=128, help="weights in the big model (default 128)")
    ap.add_argument("--repeat", type=int, default=20, help="timed runs per figure; the median is printed")
    ap.add_argument("--cold-repeat", type=int, default=10, help="fresh-process runs per cold-start figure")
    ap.add_argument("--cold-only", action="store_true", help="only the cold-start figures")
    args = ap.parse_args()
    if args.cold_only:
        with tempfile.TemporaryDirectory(prefix="tflite-slim-bench-") as tmp:
            small = Path(tmp, "small.tflite")
            small.write_bytes(_model(0))
            cold_start(small, args.cold_repeat)
        return 0
    with tempfile.TemporaryDirectory(prefix="tflite-slim-bench-") as tmp:
        small, big = Path(tmp, "small.tflite"), Path(tmp, "big.tflite")
        small.write_bytes(_model(0))
        big.write_bytes(_model(args.weights_mb << 20))
        assert read_model(str(small)).ops == read_model(str(big)).ops
        rows = []
        for path in (small, big):
            parse_s = _time(lambda: _parse(path), args.repeat)
            read_s = _time(lambda: read_model(str(path)), max(3, args.repeat // 4))
            rows.append((path.name, path.stat().st_size, parse_s, read_s))
        print(f"{'model':<14}{'size':>14}{'parse (median)':>18}{'read_model incl. sha256':>26}")
        for name, size, parse_s, read_s in rows:
            print(f"{name:<14}{size:>14,}{parse_s * 1e3:>15.3f} ms{read_s * 1e3:>23.1f} ms")
        ratio = rows[1][2] / rows[0][2]
        print(f"parse time big/small: {ratio:.2f}x for {rows[1][1] / rows[0][1]:,.0f}x the bytes")
        cold_start(small, args.cold_repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
