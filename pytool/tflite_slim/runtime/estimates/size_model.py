"""The trimmed native library's and AAR's size for an op set, estimated from a measured table.

``size_model.json`` beside this module holds, per host ABI built here (linux-aarch64
with Debian's cross compiler is the closest to Android's arm64-v8a that builds on this
machine; linux-x86_64 stands for Android's x86_64), the op-independent bytes (``floor``)
and the bytes each op adds: its own entry in ``per_op`` where one was measured, else the
average over every builtin op. The points the table was fitted to are in it, with the
fit's error on each; the band an estimate carries is the range of measured - estimated
over those points, so an estimate is exactly as sure as the table shows itself to be.
In bytes, not percent: with average per-op bytes the misses are one lump of shared code
(~0.85 MB, what the first convolution or matrix op pulls in: MobileNetV2's 8 ops measured
2.5x their estimate, all 172 ops exactly theirs), which a ratio would put on every size.

Adding measured per-op bytes: put them in ``per_op`` (op name -> the bytes it adds over the
floor) and give the points their ``op_names``, so the fit (and with it the band and the
stated ``fit_error``, which a test recomputes) uses them; a point without names counts
every op at the average.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional

TABLE = Path(__file__).with_name("size_model.json")
FORMAT = 1
#: Android ABIs with no measured proxy are scaled from this one by the stock runtime's ratio.
SCALED_FROM = {"armeabi-v7a": "arm64-v8a", "x86": "x86_64"}


@dataclass(frozen=True)
class Point:
    """One measured build: its op count (and op names when recorded), library and AAR bytes."""

    name: str
    ops: int
    so: int
    aar: Optional[int] = None
    op_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class AbiModel:
    """One measured ABI's floor and per-op bytes."""

    abi: str
    #: The Android ABI this host ABI stands for.
    proxy_for: str
    floor: int
    per_op_average: int
    per_op: Mapping[str, int]
    points: tuple[Point, ...]

    def so_bytes(self, ops: Iterable[str], count: Optional[int] = None) -> int:
        """The point estimate for ``ops``; ``count`` ops when their names are not known (all average)."""
        names = sorted(set(ops))
        n = len(names) if count is None else count
        known = sum(self.per_op[o] for o in names if o in self.per_op)
        return self.floor + known + self.per_op_average * (n - sum(1 for o in names if o in self.per_op))

    def point_estimate(self, p: Point) -> int:
        return self.so_bytes(p.op_names, None if p.op_names else p.ops)

    def fit_errors(self) -> dict[str, float]:
        """Per point, (estimate - measured) / measured in percent, one decimal."""
        return {p.name: round(100 * (self.point_estimate(p) - p.so) / p.so, 1) for p in self.points}

    def band(self) -> tuple[int, int]:
        """(lowest, highest) measured - estimated bytes over the points: add them to an estimate."""
        misses = [p.so - self.point_estimate(p) for p in self.points] or [0]
        return min(0, *misses), max(0, *misses)


@dataclass(frozen=True)
class SizeModel:
    abis: Mapping[str, AbiModel]
    #: A single-ABI AAR: ``aar_fixed`` + ``aar_stored_ratio`` * the library's bytes.
    aar_fixed: int
    aar_stored_ratio: float
    source: str = ""

    def for_android(self, abi: str) -> Optional[AbiModel]:
        """The measured ABI that is ``abi`` or stands for it."""
        if abi in self.abis:
            return self.abis[abi]
        return next((m for m in self.abis.values() if m.proxy_for == abi), None)

    def aar_fit_errors(self) -> dict[str, float]:
        return {p.name: round(100 * (self.aar_fixed + self.aar_stored_ratio * p.so - p.aar) / p.aar, 1)
                for m in self.abis.values() for p in m.points if p.aar is not None}


@dataclass(frozen=True)
class Estimate:
    """Bytes, with the band the table's fit allows."""

    value: int
    low: int
    high: int


@dataclass(frozen=True)
class AbiEstimate:
    abi: str
    #: The measured ABI it comes from (``linux-aarch64`` for ``arm64-v8a``).
    measured_as: str
    so: Estimate
    #: The library's bytes as stored (compressed) in the AAR.
    stored: Estimate
    #: Scaled from another ABI by the stock runtime's ratio (no proxy of its own was measured).
    scaled_from: Optional[str] = None


def _scale(e: Estimate, factor: float) -> Estimate:
    return Estimate(round(e.value * factor), round(e.low * factor), round(e.high * factor))


def estimate_abi(model: SizeModel, abi: str, ops: Iterable[str],
                 stock_so: Optional[Mapping[str, int]] = None) -> Optional[AbiEstimate]:
    """The library and its stored bytes for ``abi`` and the op set ``ops`` (None: no way to estimate it).

    An ABI without a measured proxy is scaled from :data:`SCALED_FROM`'s by ``stock_so`` (the stock
    runtime's library bytes per ABI), when both are known.
    """
    ops = tuple(ops)
    m = model.for_android(abi)
    if m is None:
        base = SCALED_FROM.get(abi)
        if base is None or not stock_so or abi not in stock_so or base not in stock_so:
            return None
        other = estimate_abi(model, base, ops)
        if other is None:
            return None
        f = stock_so[abi] / stock_so[base]
        return AbiEstimate(abi, other.measured_as, _scale(other.so, f), _scale(other.stored, f), base)
    value = m.so_bytes(ops)
    lo, hi = m.band()
    so = Estimate(value, max(0, value + lo), value + hi)
    return AbiEstimate(abi, m.abi, so, _scale(so, model.aar_stored_ratio))


def aar_estimate(model: SizeModel, per_abi: Iterable[AbiEstimate]) -> Estimate:
    """The AAR carrying every ABI's library: the fixed part plus each library's stored bytes."""
    rows = list(per_abi)
    return Estimate(model.aar_fixed + sum(r.stored.value for r in rows),
                    model.aar_fixed + sum(r.stored.low for r in rows),
                    model.aar_fixed + sum(r.stored.high for r in rows))


def _int(data: Mapping[str, Any], key: str, where: str) -> int:
    v = data.get(key)
    if not isinstance(v, int) or isinstance(v, bool) or v < 0:
        raise ValueError(f"{where}: '{key}' must be a non-negative integer")
    return v


def parse(text: str) -> SizeModel:
    """The table's JSON as a :class:`SizeModel`; ValueError naming what is wrong."""
    data = json.loads(text)
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("abis"), dict):
        raise ValueError(f"not a size table of format {FORMAT}")
    abis = {}
    for abi, row in sorted(data["abis"].items()):
        if not isinstance(row, dict) or not isinstance(row.get("per_op", {}), dict):
            raise ValueError(f"abis.{abi}: expected an object with floor, per_op_average, per_op, points")
        points = []
        for p in row.get("points", []):
            if not isinstance(p, dict) or _int(p, "ops", f"abis.{abi}.points") < 1:
                raise ValueError(f"abis.{abi}.points: each needs ops >= 1 and so")
            points.append(Point(str(p.get("name", "")), p["ops"], _int(p, "so", f"abis.{abi}.points"),
                                _int(p, "aar", f"abis.{abi}.points") if "aar" in p else None,
                                tuple(str(o) for o in p.get("op_names", ()))))
        per_op = {str(k): _int(row["per_op"], k, f"abis.{abi}.per_op") for k in row.get("per_op", {})}
        abis[abi] = AbiModel(abi, str(row.get("proxy_for", abi)), _int(row, "floor", f"abis.{abi}"),
                             _int(row, "per_op_average", f"abis.{abi}"), per_op, tuple(points))
    ratio = data.get("aar_stored_ratio")
    if not isinstance(ratio, (int, float)) or not 0 < ratio <= 1:
        raise ValueError("'aar_stored_ratio' must be in (0, 1]")
    return SizeModel(abis, _int(data, "aar_fixed", "table"), float(ratio), str(data.get("source", "")))


@lru_cache(maxsize=None)
def load(path: Path = TABLE) -> SizeModel:
    """The table at ``path`` (the shipped one by default)."""
    return parse(path.read_text())
