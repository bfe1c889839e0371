"""Benchmark: ``install`` of a large AAR vs a plain file copy, and the no-op reinstall.

Run: ``.venv/bin/python benchmarks/install_speed.py [--aar-mb 200] [--repeat 3]``

A Select TF ops AAR for four ABIs is in the hundreds of megabytes. Figures:

* copy: ``shutil.copyfile`` of the AAR (the floor: bytes must move once);
* install: a fresh version (stream-copy with four digests in one pass, fsync,
  checksum files, directory rename, metadata under the lock);
* reinstall: the same bytes again (re-hash staged and installed files, no
  change) -- what every Gradle build pays when nothing changed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from fake_build import make_aar  # noqa: E402
from tflite_slim.maven import mavenlocal, publication  # noqa: E402
from tflite_slim.maven.coordinates import Coordinates  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--aar-mb", type=int, default=200, help="size of the AAR's native payload in MiB")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        # Random bytes: the AAR stores .so files compressed, and real ones barely compress.
        aar = make_aar(root / "big.aar", "org.tensorflow.lite.flex", ["arm64-v8a"], os.urandom(args.aar_mb << 20))
        size_mb = aar.stat().st_size / (1 << 20)
        copy, install, reinstall = [], [], []
        for i in range(args.repeat):
            t = time.perf_counter()
            shutil.copyfile(aar, root / f"copy-{i}.aar")
            copy.append(time.perf_counter() - t)
            pub = publication.from_aar(aar, Coordinates("io.tfliteslim", "tensorflow-lite", f"1.{i}"))
            t = time.perf_counter()
            mavenlocal.install(pub, root / "repo")
            install.append(time.perf_counter() - t)
            t = time.perf_counter()
            results = mavenlocal.install(pub, root / "repo")
            reinstall.append(time.perf_counter() - t)
            assert [r.status for r in results] == ["unchanged"]
        print(f"AAR: {size_mb:.1f} MiB, {args.repeat} runs, median seconds")
        for name, times in (("copy", copy), ("install", install), ("reinstall (no-op)", reinstall)):
            median = statistics.median(times)
            print(f"  {name:18} {median:7.3f}  ({size_mb / median:6.0f} MiB/s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
