"""The size gate: the stand-in tree's trimmed library per reference op set and host ABI, against the bytes
recorded in benchmarks/size_gate.json (re-record with ``benchmarks/size_gate.py --write``)."""

from __future__ import annotations

import copy
import os

import pytest

import sizegate
from realtools import require


def test_growth_past_the_tolerance_fails_and_the_rest_passes() -> None:
    recorded = {"tolerance": 0.02, "abis": {"linux-x86_64": {"compiler": "g++ 12.2",
                                                             "bytes": {"floor (ADD)": 10_000, "ADD+MUL": 10_100}}}}
    same = copy.deepcopy(recorded["abis"])
    assert sizegate.compare(recorded, same) == []
    grown = copy.deepcopy(same)
    grown["linux-x86_64"]["bytes"]["ADD+MUL"] = 10_400
    grown["linux-x86_64"]["bytes"]["floor (ADD)"] = 10_150  # +1.5%: within
    assert sizegate.compare(recorded, grown) == [
        "linux-x86_64 ADD+MUL: 10,400 B, recorded 10,100 B (+3.0%, tolerance 2%)"]
    other = copy.deepcopy(grown)
    other["linux-x86_64"]["compiler"] = "g++ 13.1"  # another compiler's bytes are not comparable
    assert sizegate.compare(recorded, other) == []


def test_the_record_covers_every_reference_set() -> None:
    record = sizegate.read_record()
    assert record["tolerance"] == sizegate.TOLERANCE and set(record["op_sets"]) == set(sizegate.OP_SETS)
    assert "linux-x86_64" in record["abis"]
    for row in record["abis"].values():
        assert set(row["bytes"]) == set(sizegate.OP_SETS)
        sizes = [row["bytes"][name] for name in sizegate.OP_SETS]
        assert sizes == sorted(sizes), "more ops, more bytes"


@pytest.mark.parametrize("abi", sorted(sizegate.COMPILERS))
def test_the_trimmed_library_has_not_grown(abi: str, tmp_path) -> None:
    for name, package in (("cmake", "cmake"), ("ninja", "ninja-build"), ("javac", "default-jdk-headless")):
        require(name, package)
    cxx = sizegate.COMPILERS[abi]
    require(cxx, "g++" if abi == "linux-x86_64" else "g++-aarch64-linux-gnu")
    recorded = sizegate.read_record()
    before = recorded["abis"].get(abi)
    version = f"{cxx} {sizegate.compiler_version(cxx)}"
    if before is None or before["compiler"] != version:
        message = (f"{abi}: recorded with {before['compiler'] if before else 'nothing'}, this machine has "
                   f"{version}: run benchmarks/size_gate.py --write on the machine CI runs on")
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    measured = {abi: {"compiler": version, "bytes": sizegate.measure(abi, tmp_path)}}
    assert sizegate.compare(recorded, measured) == []
