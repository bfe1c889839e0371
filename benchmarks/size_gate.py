"""The size gate: measure the floor and three reference op sets per host ABI, or record them.

Run: ``.venv/bin/python benchmarks/size_gate.py [--write]``

Builds the stand-in tree (``tests/standin/cmaketree``) with ``--backend cmake``
for every host ABI this machine has a compiler for (``g++``; Debian's
``g++-aarch64-linux-gnu`` for linux-aarch64) and prints the stripped library's
bytes per op set beside the recorded ones (``benchmarks/size_gate.json``).
``--write`` records the measurement: do it in the commit that changes the size
on purpose, and say why in its message. ``tests/test_size_gate.py`` runs the same
measurement in CI and fails when a row grows past the recorded tolerance.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import sizegate  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"record the measurement in {sizegate.RECORD}")
    args = parser.parse_args()
    measured = sizegate.measure_all()
    recorded = sizegate.read_record() if sizegate.RECORD.exists() else {"abis": {}}
    for abi, row in measured.items():
        before = recorded["abis"].get(abi, {})
        print(f"{abi} ({row['compiler']}; recorded with {before.get('compiler', 'nothing')})")
        for name, n in row["bytes"].items():
            old = before.get("bytes", {}).get(name)
            change = f"  recorded {old:>9,} B ({100 * (n / old - 1):+.1f}%)" if old else ""
            print(f"  {name:14} {n:>9,} B{change}")
    failures = sizegate.compare(recorded, measured) if recorded["abis"] else []
    if args.write:
        sizegate.write_record(measured)
        print(f"recorded in {sizegate.RECORD}")
    elif failures:
        print("grown past the tolerance:\n  " + "\n  ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
