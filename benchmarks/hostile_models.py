"""Benchmark: parse time and peak memory of crafted models, at growing sizes.

Run: ``.venv/bin/python benchmarks/hostile_models.py [--sizes-kb 256 512 1024 2048]``

Each shape from tests/hostile.py (fields that share one string, vector or
table; distinct unused Flex entries; overlapping strings) is built at each
size and analyzed with :func:`read_model` in a fresh process, so the peak RSS
is that parse's. Linear cost shows as time and memory that double (at most)
when the size doubles; the quadratic reader this guards against took 75 s
for 624 KB and 2 GB for 240 KB.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import hostile  # noqa: E402

_MEASURE = """
import json, resource, sys, time
from tflite_slim.errors import ModelError
from tflite_slim.analysis.reader import read_model
start = time.perf_counter()
try:
    read_model(sys.argv[1])
    outcome = "ok"
except ModelError as e:
    outcome = "refused"
print(json.dumps({"s": time.perf_counter() - start,
                  "mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "outcome": outcome}))
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes-kb", type=int, nargs="+", default=[256, 512, 1024, 2048])
    args = ap.parse_args()
    print(f"{'shape':<26}{'size':>12}{'parse':>10}{'peak RSS':>11}  outcome")
    with tempfile.TemporaryDirectory(prefix="tflite-slim-hostile-") as tmp:
        for name, make in sorted(hostile.SHAPES.items()):
            for kb in args.sizes_kb:
                path = Path(tmp, f"{name}-{kb}.tflite")
                path.write_bytes(make(kb << 10))
                r = subprocess.run([sys.executable, "-c", _MEASURE, str(path)], capture_output=True, text=True)
                got = json.loads(r.stdout)
                print(f"{name:<26}{path.stat().st_size:>12,}{got['s']:>9.3f}s{got['mb']:>8.0f} MB  {got['outcome']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
