"""The size estimator against real builds: the stand-in tree's own table (tests/standin/size_model.json,
fitted by tests/standin_sizes.py with size_fit.fit, as the shipped table is) estimates op sets that were
in neither its fit nor its band, and a fresh build of each must match: its loaded bytes within 1% (the
shared code counted once: counting it per op misses by 10-30% here), its file bytes and AAR in the band.
Each build's table is the one :meth:`SizeTables.pick` gives for its level and XNNPACK setting: the
default (-O2, XNNPACK in) and -Os without XNNPACK are both built."""

from __future__ import annotations

import json
import os

import pytest

import standin_sizes
from realtools import require
from sizegate import COMPILERS, compiler_version
from tflite_slim.runtime.estimates import size_fit, size_model

#: Loaded bytes move by a few bytes of alignment between op sets; a shared piece is kilobytes.
TOLERANCE = 0.01


def test_the_check_sets_are_in_neither_the_fit_nor_the_band() -> None:
    def sets(d: dict) -> set:
        return {frozenset(s) for s in d.values()}
    assert not sets(standin_sizes.CHECK_SETS) & (sets(standin_sizes.FIT_SETS) | sets(standin_sizes.BAND_SETS))


def test_the_recorded_table_is_the_fit_of_its_builds() -> None:
    raw = standin_sizes.load_raw()
    assert raw["default_level"] == "O2" and set(raw["levels"]) == set(standin_sizes.LEVELS)
    for level, table in raw["levels"].items():
        for abi, row in table["abis"].items():
            builds = [size_model.parse_build(b, abi) for b in row["builds"]]
            checks = [size_model.parse_build(c, abi) for c in row["checks"]]
            floor = next(b for b in builds if b.ops == {standin_sizes.FLOOR_OP})
            layout = size_fit.Layout(floor.so, floor.loaded, row["tail"], row["page"], row["gaps"])
            again = size_fit.abi_row(builds, checks, floor_op=standin_sizes.FLOOR_OP,
                                     probe_op=standin_sizes.PROBE_OP, groups=standin_sizes.GROUPS,
                                     floor_layout=layout, proxy_for=abi, compiler=row["compiler"])
            assert json.loads(json.dumps(again)) == row, (level, abi)
        for abi, row in table.get("xnnpack", {}).items():
            pairs = [(size_model.parse_build(p["with"], abi), size_model.parse_build(p["without"], abi))
                     for p in row["pairs"]]
            again = size_fit.xnnpack_row(table["abis"][abi], pairs, [size_model.parse_build(c, abi) for c in row["checks"]],
                                         layout=size_fit.Layout(0, 0, row["tail"], row["page"], row["gaps"]))
            assert json.loads(json.dumps(again)) == row, (level, abi)
    assert set(raw["levels"]["O2"]["xnnpack"]) == set(raw["levels"]["O2"]["abis"])


@pytest.mark.parametrize("abi", sorted(COMPILERS))
@pytest.mark.parametrize("level, xnnpack", [(None, True), ("Os", False)])
def test_the_estimate_holds_real_builds_of_other_op_sets(abi: str, level, xnnpack: bool, tmp_path) -> None:
    for name, package in (("cmake", "cmake"), ("ninja", "ninja-build"), ("javac", "default-jdk-headless")):
        require(name, package)
    cxx = COMPILERS[abi]
    require(cxx, "g++" if abi == "linux-x86_64" else "g++-aarch64-linux-gnu")
    tables = size_model.load(standin_sizes.TABLE)
    model = tables.pick(level, xnnpack).model
    recorded = standin_sizes.load_raw()["levels"]["O2"]["abis"].get(abi, {}).get("compiler")
    version = f"{cxx} {compiler_version(cxx)}"
    if recorded != version:
        message = (f"{abi}: the stand-in's size table was measured with {recorded or 'nothing'}, this machine has "
                   f"{version}: run tests/standin_sizes.py --write")
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    m = model.abis[abi]
    assert {s.name for s in m.shared} == set(standin_sizes.GROUPS) and all(s.bytes > 1000 for s in m.shared)
    measured = standin_sizes.measure(abi, tmp_path, standin_sizes.CHECK_SETS, opt_level=level or "O2", xnnpack=xnnpack)
    # The other setting's table misses: the check tells the tables apart.
    other = tables.pick("Os" if level is None else None, not xnnpack).model.abis[abi]
    for name, ops in standin_sizes.CHECK_SETS.items():
        real, _ = measured[name]
        e = size_model.estimate_abi(model, abi, ops)
        assert e is not None
        assert abs(m.loaded_bytes(ops) - real.loaded) <= TOLERANCE * real.loaded, (name, m.loaded_bytes(ops), real)
        assert abs(other.loaded_bytes(ops) - real.loaded) > TOLERANCE * real.loaded, (name, other.loaded_bytes(ops), real)
        assert e.so.low <= real.so <= e.so.high, (name, e.so, real)
        # Counting each op's shared code once per op (no shared pieces) misses the sets that share code.
        naive = m.floor + sum(m.own[o] + sum(s.bytes for s in m.shared if o in s.ops) for o in set(ops))
        if len({s.name for s in m.shared if len(s.ops & set(ops)) > 1}):
            assert abs(naive - real.loaded) > TOLERANCE * real.loaded, (name, naive, real)
        aar = size_model.aar_estimate(model, [e])
        # Deflate's ratio varies a little between libraries: a few percent beyond the band.
        assert aar.low * 0.95 <= real.aar <= aar.high * 1.05, (name, aar, real)
