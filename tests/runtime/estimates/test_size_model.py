"""The size estimator: a pure function of a measured table and an op set."""

from __future__ import annotations

import json

import pytest

from tflite_slim.runtime.estimates import size_model
from tflite_slim.runtime.estimates.size_model import Estimate

#: A table small enough to compute by hand: floor 100,000, 10,000 per op, one op measured on its own.
TABLE = {
    "format": 1, "aar_fixed": 40_000, "aar_stored_ratio": 0.5,
    "abis": {"linux-aarch64": {"proxy_for": "arm64-v8a", "floor": 100_000, "per_op_average": 10_000,
                               "per_op": {"CONV_2D": 50_000},
                               "points": [{"name": "one", "ops": 1, "so": 110_000},
                                          {"name": "eight", "ops": 8, "so": 200_000},
                                          {"name": "small", "ops": 4, "so": 139_000}]}},
}


def _model(**changes) -> size_model.SizeModel:
    return size_model.parse(json.dumps({**TABLE, **changes}))


@pytest.mark.parametrize("ops, so", [
    (["ADD"], 110_000),
    (["ADD", "MUL"], 120_000),
    (["ADD", "ADD"], 110_000),  # a set: an op counts once
    (["CONV_2D"], 150_000),  # its own entry, not the average
    (["ADD", "CONV_2D", "MUL"], 170_000),
    ([], 100_000),
])
def test_floor_plus_each_ops_bytes(ops: list[str], so: int) -> None:
    m = _model().abis["linux-aarch64"]
    assert m.so_bytes(ops) == so


def test_fit_errors_and_band_are_the_misses_on_the_points() -> None:
    m = _model().abis["linux-aarch64"]
    # one: 110,000 exact; eight: 180,000 for 200,000 measured (-10%); small: 140,000 for 139,000 (+0.7%).
    assert m.fit_errors() == {"one": 0.0, "eight": -10.0, "small": 0.7}
    assert m.band() == (-1_000, 20_000)


@pytest.mark.parametrize("abi, ops, so, stored", [
    ("arm64-v8a", ["ADD"], Estimate(110_000, 109_000, 130_000), Estimate(55_000, 54_500, 65_000)),
    ("linux-aarch64", ["ADD", "MUL"], Estimate(120_000, 119_000, 140_000), Estimate(60_000, 59_500, 70_000)),
    # No proxy of its own: scaled from arm64-v8a by the stock runtime's ratio (here one half).
    ("armeabi-v7a", ["ADD"], Estimate(55_000, 54_500, 65_000), Estimate(27_500, 27_250, 32_500)),
])
def test_estimate_per_abi(abi, ops, so, stored) -> None:
    e = size_model.estimate_abi(_model(), abi, ops, {"arm64-v8a": 4_000, "armeabi-v7a": 2_000})
    assert e is not None and (e.so, e.stored) == (so, stored)
    assert e.measured_as == "linux-aarch64" and e.scaled_from == ("arm64-v8a" if abi == "armeabi-v7a" else None)


@pytest.mark.parametrize("abi, stock", [("x86_64", {"x86_64": 1}), ("armeabi-v7a", None), ("x86", {"x86": 1})])
def test_no_estimate_without_a_measured_proxy(abi, stock) -> None:
    assert size_model.estimate_abi(_model(), abi, ["ADD"], stock) is None


def test_aar_is_the_fixed_part_plus_every_abis_stored_bytes() -> None:
    m = _model()
    rows = [size_model.estimate_abi(m, a, ["ADD"], {"arm64-v8a": 2, "armeabi-v7a": 1})
            for a in ("arm64-v8a", "armeabi-v7a")]
    assert size_model.aar_estimate(m, rows) == Estimate(40_000 + 55_000 + 27_500, 40_000 + 54_500 + 27_250,
                                                        40_000 + 65_000 + 32_500)


@pytest.mark.parametrize("change, message", [
    ({"format": 2}, "not a size table of format 1"),
    ({"aar_stored_ratio": 0}, "'aar_stored_ratio' must be in (0, 1]"),
    ({"aar_fixed": -1}, "'aar_fixed' must be a non-negative integer"),
    ({"abis": {"x": {"floor": "1", "per_op_average": 1}}}, "abis.x: 'floor' must be a non-negative integer"),
    ({"abis": {"x": {"floor": 1, "per_op_average": 1, "per_op": {"ADD": True}}}},
     "abis.x.per_op: 'ADD' must be a non-negative integer"),
    ({"abis": {"x": {"floor": 1, "per_op_average": 1, "points": [{"ops": 0, "so": 1}]}}}, "ops >= 1"),
])
def test_a_bad_table_is_refused_naming_what(change, message) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        _model(**change)


# -- the shipped table ----------------------------------------------------------------------------


def test_the_shipped_table_states_its_fit_as_computed() -> None:
    data = json.loads(size_model.TABLE.read_text())
    m = size_model.load()
    for abi, row in data["abis"].items():
        assert row["fit_error"] == m.abis[abi].fit_errors()
    assert data["aar_fit_error"] == m.aar_fit_errors()


@pytest.mark.parametrize("abi", ["linux-aarch64", "linux-x86_64"])
def test_the_shipped_average_is_what_the_measured_points_give(abi: str) -> None:
    """floor + average per op: ADD only and all 172 builtin ops are met to within rounding."""
    m = size_model.load().abis[abi]
    points = {p.name: p for p in m.points}
    add, every = points["ADD only"], points["all builtin ops"]
    assert m.per_op_average == round((every.so - add.so) / (every.ops - add.ops))
    assert m.floor == add.so - m.per_op_average
    assert abs(m.point_estimate(every) - every.so) <= every.ops  # rounding of the average only


def test_the_shipped_band_contains_every_measured_point() -> None:
    m = size_model.load()
    assert m.for_android("arm64-v8a").abi == "linux-aarch64" and m.for_android("x86_64").abi == "linux-x86_64"
    for abi in m.abis.values():
        lo, hi = abi.band()
        for p in abi.points:
            e = abi.point_estimate(p)
            assert e + lo <= p.so <= e + hi
