"""The size estimator: a pure function of a measured table and an op set; the shipped table."""

from __future__ import annotations

import json

import pytest

from tflite_slim.runtime.estimates import overview, size_fit, size_model
from tflite_slim.runtime.estimates.size_model import Estimate

#: A table small enough to compute by hand: floor 100,000 loaded bytes, RELU and TANH share 20,000 bytes
#: (one kernel file), CONV_2D and FULLY_CONNECTED 500,000 (the GEMM code); other ops 10,000 each.
ROW = {"proxy_for": "arm64-v8a", "floor": 100_000, "unmeasured_op": 10_000, "stored_ratio": 0.5,
       "tail": 1_000, "page": 16_384, "gaps": 2,
       "own": {"ADD": 5_000, "RELU": 1_000, "TANH": 3_000, "CONV_2D": 100_000, "FULLY_CONNECTED": 50_000},
       "shared": {"activations.cc": {"bytes": 20_000, "ops": ["RELU", "TANH"]},
                  "gemm": {"bytes": 500_000, "ops": ["CONV_2D", "FULLY_CONNECTED"]}},
       # Loaded bytes: 105,000 and 776,000 estimated -> misses of -2% and +5%.
       "checks": [{"name": "add", "ops": ["ADD"], "so": 120_000, "loaded": 102_900},
                  {"name": "cnn", "ops": ["ADD", "CONV_2D", "FULLY_CONNECTED", "RELU"], "so": 840_000,
                   "loaded": 814_800}]}
TABLE = {"aar_fixed": 40_000, "measured": {"tree": "T", "flags": "-Os"},
         "abis": {"linux-aarch64": ROW},
         "scaled": {"armeabi-v7a": {"from": "arm64-v8a", "factor": 0.7, "low": 0.65, "high": 0.75}}}


def _model(**changes) -> size_model.SizeModel:
    return size_model.parse_level(json.loads(json.dumps({**TABLE, **changes})))


@pytest.mark.parametrize("ops, loaded", [
    (["ADD"], 105_000),
    (["ADD", "ADD"], 105_000),  # a set: an op counts once
    (["RELU"], 121_000),  # its own bytes and its file's shared part
    (["RELU", "TANH"], 124_000),  # the shared part once
    (["CONV_2D"], 700_000),
    (["CONV_2D", "FULLY_CONNECTED"], 750_000),  # the GEMM code once
    (["MUL"], 110_000),  # not measured: the average of the ops not measured
    ([], 100_000),
])
def test_floor_plus_each_ops_own_bytes_plus_each_shared_piece_once(ops: list[str], loaded: int) -> None:
    assert _model().abis["linux-aarch64"].loaded_bytes(ops) == loaded


def test_the_band_is_the_checks_misses_and_the_padding() -> None:
    m = _model().abis["linux-aarch64"]
    assert m.band() == (-0.02, 0.05)
    # 105,000 loaded: + tail 1,000 + half a page per gap; -2% and no padding .. +5% and a whole page per gap.
    assert m.so_estimate(["ADD"]) == Estimate(105_000 + 1_000 + 16_384, 102_900 + 1_000, 110_250 + 1_000 + 32_768)
    assert m.errors() == {"add": round(100 * (122_384 - 120_000) / 120_000, 1),
                          "cnn": round(100 * (776_000 + 17_384 - 840_000) / 840_000, 1)}


def test_per_abi_estimates_and_the_scaled_abi() -> None:
    model = _model()
    arm = size_model.estimate_abi(model, "arm64-v8a", ["ADD"])
    assert arm is not None and arm.measured_as == "linux-aarch64" and arm.scaled_from is None
    assert arm.so == Estimate(122_384, 103_900, 144_018)
    assert arm.stored == Estimate(61_192, 51_950, 72_009)
    v7 = size_model.estimate_abi(model, "armeabi-v7a", ["ADD"])
    assert v7 is not None and v7.scaled_from == "arm64-v8a" and v7.factor == 0.7
    # The factor on the value, its spread on the band: wider than arm64's.
    assert v7.so == Estimate(round(122_384 * 0.7), round(103_900 * 0.65), round(144_018 * 0.75))
    assert size_model.aar_estimate(model, [arm, v7]) == Estimate(
        40_000 + arm.stored.value + v7.stored.value, 40_000 + arm.stored.low + v7.stored.low,
        40_000 + arm.stored.high + v7.stored.high)


def test_an_abi_measured_by_full_builds_only_says_whose_per_op_figures_it_has() -> None:
    m = _model(abis={"linux-aarch64": {**ROW, "fit": {"scaled_from": "linux-x86_64", "factor": 1.01}}})
    arm = m.abis["linux-aarch64"]
    assert (arm.per_op_from, arm.factor) == ("linux-x86_64", 1.01)
    assert (_model().abis["linux-aarch64"].per_op_from, _model().abis["linux-aarch64"].factor) == (None, 1.0)
    rows, _, notes = overview.estimate_sizes(["ADD"], ["arm64-v8a"], m)
    assert notes == ("arm64-v8a: measured as linux-aarch64, the closest to Android's arm64 that builds here "
                     "(Debian's cross compiler); its per-op figures are linux-x86_64's x 1.01, the ratio of its "
                     "2 real builds",)


@pytest.mark.parametrize("abi", ["x86_64", "x86", "mips"])
def test_no_estimate_without_a_measured_proxy_or_a_scale(abi: str) -> None:
    assert size_model.estimate_abi(_model(), abi, ["ADD"]) is None


# -- reading a table --------------------------------------------------------------------------------------


def _row(**changes) -> dict:
    return {"abis": {"x": {**ROW, **changes}}}


@pytest.mark.parametrize("change, message", [
    ({"aar_fixed": -1}, "'aar_fixed' must be a non-negative integer"),
    (_row(floor="1"), "abis.x: 'floor' must be a non-negative integer"),
    (_row(stored_ratio=0), "abis.x: 'stored_ratio' must be in \\(0, 1\\]"),
    (_row(own={"ADD": True}), "abis.x.own: 'ADD' must be a non-negative integer"),
    (_row(own=[]), "abis.x: expected an object with floor, own"),
    (_row(shared={"g": {"bytes": 1, "ops": "RELU"}}), "abis.x.shared.g: 'ops' must be a list of op names"),
    (_row(checks=[{"ops": ["ADD"], "so": 1}]), "abis.x.checks: 'loaded' must be a non-negative integer"),
    ({"scaled": {"x86": {"from": "x86_64", "factor": 0.9, "low": 0.95, "high": 1.0}}},
     "scaled.x86: expected low <= factor <= high"),
    ({"scaled": {"x86": {"factor": 0.9}}}, "scaled.x86: expected an object with from"),
])
def test_a_bad_table_is_refused_naming_what(change, message) -> None:
    with pytest.raises(ValueError, match=message):
        _model(**change)


# -- levels and XNNPACK ----------------------------------------------------------------------------------

#: XNNPACK adds 200,000 loaded bytes at O2 (its builds: stored at 0.4, another layout, misses of -1% and +3%).
XNNPACK = {"bytes": 200_000, "stored_ratio": 0.4, "tail": 2_000, "page": 16_384, "gaps": 3,
           "checks": [{"name": "x", "ops": ["ADD"], "so": 330_000, "loaded": 305_000 - 3_050},
                      {"name": "y", "ops": ["RELU"], "so": 350_000, "loaded": round(321_000 * 1.03)}]}
TABLES = {"format": 3, "default_level": "O2",
          "levels": {"O2": {**TABLE, "measured": {"opt_level": "O2"}, "xnnpack": {"linux-aarch64": XNNPACK}},
                     "Os": {**TABLE, "measured": {"opt_level": "Os"},
                            "abis": {"linux-aarch64": {**ROW, "floor": 80_000}}}},
          "scaled_levels": {"O3": {"from": "O2", "factors": {"linux-aarch64": 1.25}, "source": "two builds"}}}


ROW_CHECKS = tuple(size_model.parse_build(c, "-") for c in ROW["checks"])


def _tables(**changes) -> size_model.SizeTables:
    return size_model.parse(json.dumps({**TABLES, **changes}))


def test_the_default_build_has_xnnpack_on_the_default_levels_table() -> None:
    """No level declared: the default level's table, with XNNPACK's bytes on the floor, its builds' stored
    ratio, layout and band; the note says what is included."""
    picked = _tables().pick(None, True)
    arm = picked.model.abis["linux-aarch64"]
    assert (picked.level, picked.xnnpack) == ("O2", True)
    assert arm.loaded_bytes(["ADD"]) == 305_000 and arm.stored_ratio == 0.4 and (arm.tail, arm.gaps) == (2_000, 3)
    assert arm.band() == (-0.01, 0.03)
    assert picked.notes == ("with the XNNPACK delegate (the default; --no-xnnpack leaves it out): arm64-v8a "
                            "+0.19 MiB, measured at -O2",)
    e = size_model.estimate_abi(picked.model, "arm64-v8a", ["ADD"])
    assert e is not None and e.so.value == 305_000 + 2_000 + 3 * 8_192
    assert e.stored.value == round(e.so.value * 0.4)


def test_without_xnnpack_the_levels_own_table() -> None:
    for level, floor in (("O2", 100_000), ("Os", 80_000)):
        picked = _tables().pick(level, False)
        arm = picked.model.abis["linux-aarch64"]
        assert arm.loaded_bytes(["ADD"]) == floor + 5_000 and arm.stored_ratio == 0.5 and arm.checks == ROW_CHECKS
        assert picked.notes == ("without the XNNPACK delegate (--no-xnnpack)",)


def test_a_level_without_xnnpack_measured_takes_the_defaults_and_says_so() -> None:
    picked = _tables().pick("Os", True)
    assert picked.model.abis["linux-aarch64"].loaded_bytes(["ADD"]) == 80_000 + 5_000 + 200_000
    assert picked.notes[-1].endswith("arm64-v8a +0.19 MiB, measured at -O2, not at -Os")


def test_a_scaled_level_is_its_bases_table_times_the_factor_with_its_band() -> None:
    """-O3: the -O2 table x 1.25; XNNPACK's bytes added unscaled (its code hardly changes with the level),
    with the layout, stored ratio and band of the -O2 builds with XNNPACK."""
    for xnnpack, loaded, last in ((False, round(105_000 * 1.25), "without the XNNPACK delegate (--no-xnnpack)"),
                                  (True, round(105_000 * 1.25) + 200_000,
                                   "with the XNNPACK delegate (the default; --no-xnnpack leaves it out): arm64-v8a "
                                   "+0.19 MiB, measured at -O2, not at -O3")):
        picked = _tables().pick("O3", xnnpack)
        arm, base = picked.model.abis["linux-aarch64"], _tables().pick("O2", xnnpack).model.abis["linux-aarch64"]
        assert arm.loaded_bytes(["ADD"]) == loaded
        assert (arm.band(), arm.stored_ratio, arm.gaps) == (base.band(), base.stored_ratio, base.gaps)
        assert picked.notes == ("-O3 is not measured one op at a time: the -O2 table times the -O3/-O2 ratio of "
                                "real builds (linux-aarch64 x 1.25; two builds)", last)


@pytest.mark.parametrize("change, message", [
    ({"format": 2}, "not a size table of format 3"),
    ({"default_level": "O9"}, "'default_level' must be one of the measured levels"),
    ({"scaled_levels": {"O3": {"from": "O9", "factors": {}}}}, "scaled_levels.O3: expected an object with from"),
    ({"scaled_levels": {"O3": {"from": "O2", "factors": {"x": 0}}}}, "scaled_levels.O3: 'x' must be in"),
    ({"levels": {"O2": {**TABLE, "xnnpack": {"x": {**XNNPACK, "bytes": -1}}}}},
     "levels.O2.xnnpack.x: 'bytes' must be a non-negative integer"),
])
def test_a_bad_level_or_xnnpack_entry_is_refused_naming_what(change, message) -> None:
    with pytest.raises(ValueError, match=message):
        _tables(**change)


def test_an_unknown_level_is_refused() -> None:
    with pytest.raises(ValueError, match="no size table for -Og"):
        _tables().pick("Og", True)


# -- the shipped table ------------------------------------------------------------------------------------


def _refit_level(data: dict) -> list:
    checks = []
    for abi, row in sorted(data["abis"].items(), key=lambda kv: "scaled_from" in kv[1]["fit"]):
        row_checks = [size_model.parse_build(c, abi) for c in row["checks"]]
        layout = size_fit.Layout(0, 0, row["tail"], row["page"], row["gaps"])
        if "scaled_from" in row["fit"]:
            base = row["fit"]["scaled_from"]
            again = size_fit.scaled_row(data["abis"][base], row_checks, base_abi=base, floor_layout=layout,
                                        proxy_for=row["proxy_for"], compiler=row["compiler"])
        else:
            builds = [size_model.parse_build(b, abi) for b in row["builds"]]
            again = size_fit.abi_row(builds, row_checks, floor_op=row["fit"]["floor_op"],
                                     probe_op=row["fit"]["probe_op"],
                                     groups={n: s["ops"] for n, s in row["shared"].items()},
                                     floor_layout=layout, proxy_for=row["proxy_for"], compiler=row["compiler"])
        assert json.loads(json.dumps(again)) == row, abi
        checks += row_checks
    for abi, row in data.get("xnnpack", {}).items():
        pairs = [(size_model.parse_build(p["with"], abi), size_model.parse_build(p["without"], abi))
                 for p in row["pairs"]]
        xchecks = [size_model.parse_build(c, abi) for c in row["checks"]]
        layout = size_fit.Layout(0, 0, row["tail"], row["page"], row["gaps"])
        again = size_fit.xnnpack_row(data["abis"][abi], pairs, xchecks, layout=layout)
        assert json.loads(json.dumps(again)) == row, abi
    return checks


def test_the_shipped_table_is_the_fit_of_the_builds_it_keeps() -> None:
    """Every level's fitted numbers, stored ratio and stated errors are what its own builds give; an ABI
    measured by full builds only is the other's table times the ratio its builds show; XNNPACK's bytes are
    the mean of what it added to the builds kept."""
    data = json.loads(size_model.TABLE.read_text())
    for level in data["levels"].values():
        checks = _refit_level(level)
        assert level["aar_fixed"] == size_fit.aar_fixed(checks)


def test_the_shipped_table_covers_the_default_build_and_the_android_abis() -> None:
    tables = size_model.load()
    assert tables.default_level == "O2" and set(tables.levels) == {"O2", "Os"} and set(tables.scaled_levels) == {"O3"}
    assert set(tables.levels["O2"].xnnpack) == {"linux-aarch64", "linux-x86_64"}
    for level, xnnpack in (("O2", True), ("O2", False), ("Os", False), ("Os", True), ("O3", True)):
        m = tables.pick(level, xnnpack).model
        assert m.for_android("arm64-v8a").abi == "linux-aarch64" and m.for_android("x86_64").abi == "linux-x86_64"
        assert {a: s.base for a, s in m.scaled.items()} == {"armeabi-v7a": "arm64-v8a", "x86": "x86_64"}
    for level in tables.levels.values():
        for key in ("tree", "compiler", "flags", "opt_level", "date", "how", "android"):
            assert level.measured.get(key), key


@pytest.mark.parametrize("level, xnnpack", [("O2", True), ("O2", False), ("Os", False)])
def test_the_shipped_tables_band_holds_its_checks(level: str, xnnpack: bool) -> None:
    """Every measured combination: 5+ real model sets per ABI, each inside the band printed for it."""
    m = size_model.load().pick(level, xnnpack).model
    for abi in m.abis.values():
        assert len(abi.checks) >= 5 and len(abi.own) >= 60 and abi.unmeasured_op > 0
        for c in abi.checks:
            e = abi.so_estimate(c.ops)
            assert e.low <= c.so <= e.high, (level, xnnpack, abi.abi, c.name)
