"""The fit that makes the size table from measured builds: a pure function, checked on builds of a known make-up."""

from __future__ import annotations

import json

import pytest

from tflite_slim.runtime.estimates import size_fit, size_model
from tflite_slim.runtime.estimates.size_model import Build


def _b(ops: str, loaded: int, so: int = 0) -> Build:
    return Build(ops, frozenset(ops.split("+")), so or loaded + 5_000, loaded)


#: Builds of a library whose true make-up is: floor 100,000; ADD 1,000; RESHAPE 500; RELU 2,000 and TANH
#: 4,000 sharing 10,000; CONV_2D 50,000, FC 30,000 and BATCH_MATMUL 20,000 sharing 100,000 (the GEMM core),
#: of which CONV_2D and FC share 200,000 more; MUL 7,000; 3 more ops 9,000 each.
BUILDS = [_b("ADD", 101_000), _b("RESHAPE", 100_500), _b("ADD+RESHAPE", 101_500),
          _b("ADD+RELU", 113_000), _b("ADD+TANH", 115_000), _b("ADD+RELU+TANH", 117_000),
          _b("ADD+CONV_2D", 451_000), _b("ADD+FULLY_CONNECTED", 431_000), _b("ADD+BATCH_MATMUL", 221_000),
          _b("ADD+CONV_2D+FULLY_CONNECTED", 481_000), _b("ADD+CONV_2D+FULLY_CONNECTED+BATCH_MATMUL", 501_000),
          _b("ADD+MUL", 108_000),
          _b("ADD+RESHAPE+RELU+TANH+CONV_2D+FULLY_CONNECTED+BATCH_MATMUL+MUL", 524_500),
          _b("ADD+RESHAPE+RELU+TANH+CONV_2D+FULLY_CONNECTED+BATCH_MATMUL+MUL+X+Y+Z", 551_500)]
GROUPS = {"activations.cc": ["RELU", "TANH"], "gemm": ["CONV_2D", "FULLY_CONNECTED", "BATCH_MATMUL"],
          "conv+fc": ["CONV_2D", "FULLY_CONNECTED"]}


def test_the_fit_recovers_the_make_up_of_the_builds() -> None:
    f = size_fit.fit(BUILDS, "ADD", "RESHAPE", GROUPS)
    assert f.floor == 100_000
    assert f.own == {"ADD": 1_000, "RESHAPE": 500, "RELU": 2_000, "TANH": 4_000, "CONV_2D": 50_000,
                     "FULLY_CONNECTED": 30_000, "BATCH_MATMUL": 20_000, "MUL": 7_000}
    assert {s.name: s.bytes for s in f.shared} == {"activations.cc": 10_000, "gemm": 100_000, "conv+fc": 200_000}
    assert f.unmeasured_op == 9_000
    m = size_model.parse_level(json.loads(json.dumps({"aar_fixed": 0, "abis": {"a": {
        "stored_ratio": 0.5, "floor": f.floor, "own": f.own, "unmeasured_op": f.unmeasured_op,
        "shared": {s.name: {"bytes": s.bytes, "ops": sorted(s.ops)} for s in f.shared}}}}))).abis["a"]
    for b in BUILDS:  # the table gives back every build it was made of
        assert m.loaded_bytes(b.ops) == b.loaded, b.name


def test_a_build_the_fit_needs_is_named_when_missing() -> None:
    with pytest.raises(ValueError, match=r"no build of \{ADD, RELU, TANH\}"):
        size_fit.fit([b for b in BUILDS if b.name != "ADD+RELU+TANH"], "ADD", "RESHAPE", GROUPS)
    with pytest.raises(ValueError, match="group g: needs 2\\+ ops measured one by one"):
        size_fit.fit(BUILDS, "ADD", "RESHAPE", {"g": ["RELU", "NOT_MEASURED"]})
    with pytest.raises(ValueError, match="groups a and b overlap: they must be nested or disjoint"):
        size_fit.fit(BUILDS, "ADD", "RESHAPE", {"a": ["RELU", "TANH"], "b": ["TANH", "MUL"]})


def test_the_stored_ratio_and_the_aars_fixed_part() -> None:
    builds = [Build("a", frozenset({"ADD"}), 1_000_000, 0, aar=500_000, stored=450_000),
              Build("b", frozenset({"ADD"}), 3_000_000, 0, aar=1_350_000, stored=1_300_000)]
    assert size_fit.stored_ratio(builds) == round(1_750_000 / 4_000_000, 4)
    assert size_fit.aar_fixed(builds) == 50_000


def test_xnnpacks_bytes_are_the_mean_difference_of_its_pairs_and_its_checks_give_the_errors() -> None:
    base = {"proxy_for": "x86_64", "floor": 100_000, "unmeasured_op": 10_000, "own": {"ADD": 1_000, "MUL": 3_000},
            "stored_ratio": 0.5}
    pairs = [(Build("a", frozenset({"ADD"}), 330_000, 301_000, 150_000, 120_000), Build("a", frozenset({"ADD"}), 0, 101_000)),
             (Build("b", frozenset({"MUL"}), 340_000, 305_000, 160_000, 130_000), Build("b", frozenset({"MUL"}), 0, 103_000))]
    # The mean of 200,000 and 202,000; the check ADD+MUL: 104,000 + 201,000 estimated, 310,000 measured.
    check = Build("c", frozenset({"ADD", "MUL"}), 345_000, 310_000, 165_000, 140_000)
    row = size_fit.xnnpack_row(base, pairs, [check], layout=size_fit.Layout(0, 0, 2_000, 16_384, 3))
    assert (row["bytes"], row["differences"]) == (201_000, [200_000, 202_000])
    assert row["stored_ratio"] == round(390_000 / 1_015_000, 4)
    assert row["error_percent"] == {"c": round(100 * (305_000 + 2_000 + 3 * 8_192 - 345_000) / 345_000, 1)}
    m = size_model.parse_abi("x", base).with_xnnpack(size_model.parse_xnnpack("x", row, "xnnpack"))
    assert m.loaded_bytes(["ADD", "MUL"]) == 305_000 and m.band() == (0.0, 5_000 / 305_000)
    with pytest.raises(ValueError, match="b: the builds with and without XNNPACK have other op sets"):
        size_fit.xnnpack_row(base, [(pairs[1][0], pairs[0][1])], [], layout=size_fit.Layout(0, 0, 0, 0, 0))
    with pytest.raises(ValueError, match="no pair of builds"):
        size_fit.xnnpack_row(base, [], [], layout=size_fit.Layout(0, 0, 0, 0, 0))
