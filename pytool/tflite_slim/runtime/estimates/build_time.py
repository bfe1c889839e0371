"""How long a ``--backend cmake`` build takes on this machine, from CPU-seconds measured on the real tree.

``build_time.json`` holds the measurement: the CPU-seconds of everything but the kernels
(``cpu_seconds_base``) and per compiled kernel file. A trimmed build compiles the base and
only the kernel files its op set needs (:mod:`tflite_slim.runtime.trees.kernelfiles`),
once per ABI; Ninja keeps every CPU busy, so the wall time is about CPU-seconds / CPUs.
A compiler cache's hits make a rebuild much faster than this first-build figure.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

TABLE = Path(__file__).with_name("build_time.json")
FORMAT = 1


@dataclass(frozen=True)
class TimeModel:
    cpu_seconds_base: float
    cpu_seconds_per_kernel_file: float
    kernel_files_all: int
    kernel_files_shared: int
    source: str = ""

    def kernel_files_for(self, op_count: int) -> int:
        """Kernel files compiled for ``op_count`` builtin ops when the tree is not there to read: one file per
        op at most (several ops share one: activations.cc), plus the shared files."""
        return min(self.kernel_files_all, self.kernel_files_shared + op_count)


@dataclass(frozen=True)
class TimeEstimate:
    cpu_seconds: float
    wall_seconds: float
    cpus: int
    abis: int
    kernel_files: int


def estimate(model: TimeModel, kernel_files: int, abis: int, cpus: int) -> TimeEstimate:
    """The first build of ``abis`` ABIs compiling ``kernel_files`` kernel files each, on ``cpus`` CPUs."""
    cpus = max(1, cpus)
    per_abi = model.cpu_seconds_base + model.cpu_seconds_per_kernel_file * kernel_files
    total = per_abi * abis
    return TimeEstimate(total, total / cpus, cpus, abis, kernel_files)


def parse(text: str) -> TimeModel:
    data = json.loads(text)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"not a build-time table of format {FORMAT}")
    try:
        return TimeModel(float(data["cpu_seconds_base"]), float(data["cpu_seconds_per_kernel_file"]),
                         int(data["kernel_files_all"]), int(data["kernel_files_shared"]), str(data.get("source", "")))
    except (KeyError, TypeError, ValueError) as e:
        raise ValueError(f"build-time table: {e}") from e


@lru_cache(maxsize=None)
def load(path: Path = TABLE) -> TimeModel:
    return parse(path.read_text())


def human_duration(seconds: float) -> str:
    """``~40 s``, ``~12 min``, ``~1.5 h``: an estimate's precision, no more."""
    if seconds < 90:
        return f"~{max(1, round(seconds))} s"
    if seconds < 90 * 60:
        return f"~{round(seconds / 60)} min"
    return f"~{seconds / 3600:.1f} h"
