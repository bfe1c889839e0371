"""The size estimator against real builds: the stand-in tree's own table (tests/standin/size_model.json,
measured by tests/standin_sizes.py) estimates op sets that were not in it, and a fresh build of each
must land inside the estimate's band, for the library and for the AAR."""

from __future__ import annotations

import os

import pytest

import standin_sizes
from realtools import require
from sizegate import COMPILERS, compiler_version
from tflite_slim.runtime.estimates import size_model


def test_the_check_sets_are_not_the_table_sets() -> None:
    table_sets = {tuple(sorted(s)) for s in standin_sizes.TABLE_SETS.values()}
    assert not table_sets & {tuple(sorted(s)) for s in standin_sizes.CHECK_SETS.values()}


@pytest.mark.parametrize("abi", sorted(COMPILERS))
def test_the_estimate_band_holds_real_builds_of_other_op_sets(abi: str, tmp_path) -> None:
    for name, package in (("cmake", "cmake"), ("ninja", "ninja-build"), ("javac", "default-jdk-headless")):
        require(name, package)
    cxx = COMPILERS[abi]
    require(cxx, "g++" if abi == "linux-x86_64" else "g++-aarch64-linux-gnu")
    model = size_model.load(standin_sizes.TABLE)
    recorded = standin_sizes.load_raw()["abis"].get(abi, {}).get("compiler")
    version = f"{cxx} {compiler_version(cxx)}"
    if recorded != version:
        message = (f"{abi}: the stand-in's size table was measured with {recorded or 'nothing'}, this machine has "
                   f"{version}: run tests/standin_sizes.py --write")
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    measured = standin_sizes.measure(abi, tmp_path, standin_sizes.CHECK_SETS)
    for name, ops in standin_sizes.CHECK_SETS.items():
        e = size_model.estimate_abi(model, abi, ops)
        assert e is not None
        real = measured[name]
        assert e.so.low <= real["so"] <= e.so.high, (name, e.so, real)
        aar = size_model.aar_estimate(model, [e])
        # The AAR is compressed: its fit over the table's points misses by up to a few percent.
        slack = max(abs(v) for v in model.aar_fit_errors().values()) / 100 + 0.01
        assert aar.low * (1 - slack) <= real["aar"] <= aar.high * (1 + slack), (name, aar, real)
