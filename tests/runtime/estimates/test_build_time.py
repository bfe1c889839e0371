"""The build-time estimate: CPU-seconds measured on the real tree, spread over this machine's CPUs."""

from __future__ import annotations

import json

import pytest

from tflite_slim.runtime.estimates import build_time

MODEL = build_time.TimeModel(cpu_seconds_base=840, cpu_seconds_per_kernel_file=10.3, kernel_files_all=152,
                             kernel_files_shared=12)


@pytest.mark.parametrize("files, abis, cpus, cpu_s, wall_s", [
    (152, 1, 2, 840 + 1565.6, 1202.8),  # every kernel: the measured full build (~2,406 CPU-s)
    (20, 1, 2, 1046, 523),
    (20, 2, 2, 2092, 1046),
    (20, 2, 8, 2092, 261.5),
    (0, 1, 0, 840, 840),  # an unknown CPU count counts as one
])
def test_estimate(files, abis, cpus, cpu_s, wall_s) -> None:
    e = build_time.estimate(MODEL, files, abis, cpus)
    assert (round(e.cpu_seconds, 1), round(e.wall_seconds, 1)) == (cpu_s, wall_s)


@pytest.mark.parametrize("ops, files", [(1, 13), (9, 21), (140, 152), (500, 152)])
def test_kernel_files_without_the_tree(ops, files) -> None:
    assert MODEL.kernel_files_for(ops) == files


@pytest.mark.parametrize("seconds, text", [(0.2, "~1 s"), (40, "~40 s"), (89, "~89 s"), (90, "~2 min"),
                                           (1100, "~18 min"), (5400, "~1.5 h")])
def test_human_duration(seconds, text) -> None:
    assert build_time.human_duration(seconds) == text


def test_the_shipped_table_is_the_measured_full_build() -> None:
    m = build_time.load()
    data = json.loads(build_time.TABLE.read_text())
    assert "2,406 CPU-seconds" in data["source"] and "546 Ninja steps" in data["source"]
    # The kernels' 65% of 2,406 CPU-s over 152 files, and the rest.
    assert m.cpu_seconds_per_kernel_file == pytest.approx(0.65 * 2406 / 152, abs=0.05)
    assert m.cpu_seconds_base == pytest.approx(0.35 * 2406, abs=5)
    assert m.cpu_seconds_base + m.kernel_files_all * m.cpu_seconds_per_kernel_file == pytest.approx(2406, rel=0.01)


def test_a_bad_table_is_refused() -> None:
    with pytest.raises(ValueError, match="format 1"):
        build_time.parse('{"format": 2}')
    with pytest.raises(ValueError, match="build-time table"):
        build_time.parse('{"format": 1, "cpu_seconds_base": 1}')
