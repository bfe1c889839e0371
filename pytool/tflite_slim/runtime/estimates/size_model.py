"""The trimmed native library's and AAR's size for an op set, estimated from a per-op table measured on real builds.

``size_model.json`` beside this module holds, per host ABI built here (linux-aarch64 with Debian's cross
compiler is the closest to Android's arm64-v8a that builds on this machine; linux-x86_64 stands for Android's
x86_64), the builds it was measured from and what :func:`.size_fit.fit` makes of them:

* ``floor``: the library's loaded bytes with no op (the interpreter, the JNI glue, the registration);
* ``own``: what each op measured one by one adds on its own (its kernel's code and data);
* ``shared``: code several ops pull in but the library carries once: the rest of a kernel file that
  defines several ops (``activations.cc``: RELU, TANH, LOGISTIC ...; which file defines which op is read
  from the tree by :mod:`tflite_slim.runtime.trees.kernelfiles`) and the matrix-multiply code the
  convolution, fully-connected and matmul kernels share (ruy, gemmlowp, the optimized GEMM templates);
* ``unmeasured_op``: the average of the ops not measured one by one.

An op set's loaded bytes (its ``PT_LOAD`` segments) are ``floor + own of each op + each shared piece any of
its ops pulls in``; the file adds its section headers (``tail``) and, between its ``gaps + 1`` segments, the
padding to the next ``page`` (16 KB pages: each gap is 0 to 16 KB, so the estimate takes half a page per gap
and the band the whole range). The band on the loaded bytes is the range of (measured - estimated) /
estimated over real builds of real model sets (``checks``), so an estimate is exactly as sure as the table
shows itself to be on builds it was not fitted to.

The AAR: each ABI's library is stored deflated, ``stored_ratio`` of its bytes (measured on the AARs of
the checks); the rest of the AAR (classes, manifest) is ``aar_fixed``. Android ABIs without a measured
proxy (armeabi-v7a, x86) are scaled from one that has one by the stated factor, with a band as wide as
the factor's spread over the stock releases it was read from.

One such table per optimization level measured (``levels``: ``--opt-level O2``, the default, and ``Os``);
a level not measured is a measured one's table times a per-ABI ratio of real builds (``scaled_levels``:
``O3``; XNNPACK's bytes added unscaled), said so. XNNPACK (in by default) is measured per ABI as what it adds to real builds
(``xnnpack``): :meth:`SizeTables.pick` gives the table for a build's level and XNNPACK setting and says
what it includes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional

TABLE = Path(__file__).with_name("size_model.json")
FORMAT = 3


@dataclass(frozen=True)
class Build:
    """One measured build: its op set, the stripped library's file bytes and loaded bytes (its ``PT_LOAD``
    segments, without the page alignment's padding), and for a full build its single-ABI AAR and the
    library's bytes as stored in it."""

    name: str
    ops: frozenset[str]
    so: int
    loaded: int
    aar: Optional[int] = None
    stored: Optional[int] = None


@dataclass(frozen=True)
class Shared:
    """Bytes several ops pull in, counted once."""

    name: str
    bytes: int
    ops: frozenset[str]


@dataclass(frozen=True)
class AbiModel:
    """One measured ABI's table."""

    abi: str
    #: The Android ABI this host ABI stands for.
    proxy_for: str
    floor: int
    own: Mapping[str, int]
    shared: tuple[Shared, ...]
    unmeasured_op: int
    #: The library's bytes as stored (deflated) in the AAR, per byte.
    stored_ratio: float
    #: The file's bytes past its segments (section headers), the page its segments are aligned to and how
    #: many gaps between segments are padded to it.
    tail: int = 0
    page: int = 0
    gaps: int = 0
    #: Real builds of real model sets the table is checked on (and its band read from).
    checks: tuple[Build, ...] = ()
    compiler: str = ""
    #: Measured by full builds only: the per-op figures are this host ABI's times :attr:`factor`.
    per_op_from: Optional[str] = None
    factor: float = 1.0
    #: How many real builds :attr:`factor` was read from (its checks without XNNPACK).
    factor_builds: int = 0
    #: A table scaled from another level's has no checks of its own: its band is the other's (lowest, highest).
    fixed_band: Optional[tuple[float, float]] = None

    def loaded_bytes(self, ops: Iterable[str]) -> int:
        """The estimated loaded bytes of the op set ``ops``."""
        names = set(ops)
        return (self.floor + sum(self.own.get(o, self.unmeasured_op) for o in names)
                + sum(s.bytes for s in self.shared if s.ops & names))

    def band(self) -> tuple[float, float]:
        """(lowest, highest) (measured - estimated) / estimated loaded bytes over the checks (0 included)."""
        if self.fixed_band is not None:
            return self.fixed_band
        misses = [(c.loaded - self.loaded_bytes(c.ops)) / self.loaded_bytes(c.ops) for c in self.checks] or [0.0]
        return min(0.0, *misses), max(0.0, *misses)

    def so_estimate(self, ops: Iterable[str]) -> Estimate:
        """The library file's bytes: loaded bytes, the tail, half a page per gap; the band adds the loaded
        bytes' band and the padding's whole range."""
        loaded = self.loaded_bytes(ops)
        lo, hi = self.band()
        return Estimate(loaded + self.tail + self.gaps * self.page // 2, round(loaded * (1 + lo)) + self.tail,
                        round(loaded * (1 + hi)) + self.tail + self.gaps * self.page)

    def errors(self) -> dict[str, float]:
        """Per check, (estimated - measured) / measured file bytes in percent, one decimal."""
        return {c.name: round(100 * (self.so_estimate(c.ops).value - c.so) / c.so, 1) for c in self.checks}


    def with_xnnpack(self, x: Xnnpack) -> AbiModel:
        """This table for a build with XNNPACK: its bytes on the floor; the library's stored ratio, layout and
        checks (the band) are those of the builds with XNNPACK."""
        return replace(self, floor=self.floor + x.bytes, stored_ratio=x.stored_ratio, tail=x.tail, page=x.page,
                       gaps=x.gaps, checks=x.checks, fixed_band=None)

    def scaled(self, factor: float) -> AbiModel:
        """This table's bytes times ``factor`` (another optimization level), with this table's band."""
        return replace(self, floor=round(self.floor * factor),
                       own={o: round(n * factor) for o, n in self.own.items()},
                       shared=tuple(replace(s, bytes=round(s.bytes * factor)) for s in self.shared),
                       unmeasured_op=round(self.unmeasured_op * factor), checks=(), fixed_band=self.band())


@dataclass(frozen=True)
class Xnnpack:
    """What the XNNPACK delegate adds to one ABI's library: the loaded bytes of builds with it less those of
    the same op set without it (the delegate reaches every operator XNNPACK has, whatever the op set)."""

    #: The mean of the measured differences.
    bytes: int
    stored_ratio: float
    tail: int
    page: int
    gaps: int
    #: Builds with XNNPACK the estimate was checked on (its band comes from them).
    checks: tuple[Build, ...] = ()


@dataclass(frozen=True)
class Scaled:
    """An Android ABI estimated from another's by a factor read from stock runtimes."""

    abi: str
    base: str
    factor: float
    low: float
    high: float
    source: str = ""


@dataclass(frozen=True)
class SizeModel:
    abis: Mapping[str, AbiModel]
    scaled: Mapping[str, Scaled]
    #: The AAR's bytes besides its libraries (classes.jar, manifest, the zip's directory).
    aar_fixed: int
    measured: Mapping[str, str]
    #: What XNNPACK adds per measured ABI at this level (empty: not measured at this level).
    xnnpack: Mapping[str, Xnnpack] = field(default_factory=dict)

    def for_android(self, abi: str) -> Optional[AbiModel]:
        """The measured ABI that is ``abi`` or stands for it."""
        if abi in self.abis:
            return self.abis[abi]
        return next((m for m in self.abis.values() if m.proxy_for == abi), None)


@dataclass(frozen=True)
class Estimate:
    """Bytes, with the band the table's checks allow."""

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
    #: Scaled from another Android ABI by a stated factor (no proxy of its own was measured).
    scaled_from: Optional[str] = None
    factor: Optional[float] = None


def _scale(e: Estimate, factor: float, low: Optional[float] = None, high: Optional[float] = None) -> Estimate:
    return Estimate(round(e.value * factor), round(e.low * (factor if low is None else low)),
                    round(e.high * (factor if high is None else high)))


def estimate_abi(model: SizeModel, abi: str, ops: Iterable[str]) -> Optional[AbiEstimate]:
    """The library and its stored bytes for ``abi`` and the op set ``ops`` (None: no way to estimate it)."""
    ops = tuple(ops)
    m = model.for_android(abi)
    if m is None:
        s = model.scaled.get(abi)
        other = estimate_abi(model, s.base, ops) if s is not None else None
        if s is None or other is None or other.scaled_from is not None:
            return None
        return AbiEstimate(abi, other.measured_as, _scale(other.so, s.factor, s.low, s.high),
                           _scale(other.stored, s.factor, s.low, s.high), s.base, s.factor)
    so = m.so_estimate(ops)
    return AbiEstimate(abi, m.abi, so, _scale(so, m.stored_ratio))


def aar_estimate(model: SizeModel, per_abi: Iterable[AbiEstimate]) -> Estimate:
    """The AAR carrying every ABI's library: the fixed part plus each library's stored bytes."""
    rows = list(per_abi)
    return Estimate(model.aar_fixed + sum(r.stored.value for r in rows),
                    model.aar_fixed + sum(r.stored.low for r in rows),
                    model.aar_fixed + sum(r.stored.high for r in rows))


# -- reading the table ------------------------------------------------------------------------------------


def _int(data: Mapping[str, Any], key: str, where: str) -> int:
    v = data.get(key)
    if not isinstance(v, int) or isinstance(v, bool) or v < 0:
        raise ValueError(f"{where}: '{key}' must be a non-negative integer")
    return v


def _ratio(data: Mapping[str, Any], key: str, where: str, top: float = 1.0) -> float:
    v = data.get(key)
    if not isinstance(v, (int, float)) or isinstance(v, bool) or not 0 < v <= top:
        raise ValueError(f"{where}: '{key}' must be in (0, {top:g}]")
    return float(v)


def _names(value: Any, where: str) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(o, str) for o in value):
        raise ValueError(f"{where}: 'ops' must be a list of op names")
    return frozenset(value)


def parse_build(data: Any, where: str) -> Build:
    if not isinstance(data, dict):
        raise ValueError(f"{where}: expected an object with name, ops, so, loaded")
    return Build(str(data.get("name", "")), _names(data.get("ops"), where), _int(data, "so", where),
                 _int(data, "loaded", where), _int(data, "aar", where) if "aar" in data else None,
                 _int(data, "stored", where) if "stored" in data else None)


def parse_abi(abi: str, row: Any) -> AbiModel:
    """One ABI's entry of the table; ValueError naming what is wrong."""
    where = f"abis.{abi}"
    if not isinstance(row, dict) or not isinstance(row.get("own"), dict) or not isinstance(row.get("shared", {}), dict):
        raise ValueError(f"{where}: expected an object with floor, own, shared, unmeasured_op, stored_ratio")
    own = {str(k): _int(row["own"], k, f"{where}.own") for k in row["own"]}
    shared = []
    for name, s in sorted(row.get("shared", {}).items()):
        if not isinstance(s, dict):
            raise ValueError(f"{where}.shared.{name}: expected an object with bytes and ops")
        at = f"{where}.shared.{name}"
        shared.append(Shared(name, _int(s, "bytes", at), _names(s.get("ops"), at)))
    checks = row.get("checks", [])
    if not isinstance(checks, list):
        raise ValueError(f"{where}.checks: expected a list")
    return AbiModel(abi, str(row.get("proxy_for", abi)), _int(row, "floor", where), own, tuple(shared),
                    _int(row, "unmeasured_op", where), _ratio(row, "stored_ratio", where),
                    *(_int(row, k, where) if k in row else 0 for k in ("tail", "page", "gaps")),
                    tuple(parse_build(c, f"{where}.checks") for c in checks), str(row.get("compiler", "")),
                    *_scaled_from(row.get("fit"), where), len(checks))


def _scaled_from(fit: Any, where: str) -> tuple[Optional[str], float]:
    if not isinstance(fit, dict) or "scaled_from" not in fit:
        return None, 1.0
    return str(fit["scaled_from"]), _ratio(fit, "factor", f"{where}.fit", 4.0)


def parse_xnnpack(abi: str, row: Any, where: str) -> Xnnpack:
    """One ABI's XNNPACK entry; ValueError naming what is wrong."""
    at = f"{where}.{abi}"
    if not isinstance(row, dict) or not isinstance(row.get("checks", []), list):
        raise ValueError(f"{at}: expected an object with bytes, stored_ratio, tail, page, gaps, checks")
    return Xnnpack(_int(row, "bytes", at), _ratio(row, "stored_ratio", at),
                   *(_int(row, k, at) for k in ("tail", "page", "gaps")),
                   tuple(parse_build(c, f"{at}.checks") for c in row.get("checks", [])))


def parse_level(data: Any, where: str = "table") -> SizeModel:
    """One level's table (``abis``, ``scaled``, ``aar_fixed``, ``measured``, ``xnnpack``); ValueError naming
    what is wrong."""
    if not isinstance(data, dict) or not isinstance(data.get("abis"), dict):
        raise ValueError(f"{where}: expected an object with abis, aar_fixed")
    abis = {abi: parse_abi(abi, row) for abi, row in sorted(data["abis"].items())}
    scaled = {}
    for abi, s in sorted(data.get("scaled", {}).items()):
        at = f"scaled.{abi}"
        if not isinstance(s, dict) or not isinstance(s.get("from"), str):
            raise ValueError(f"{at}: expected an object with from, factor, low, high")
        f, lo, hi = (_ratio(s, k, at, 4.0) for k in ("factor", "low", "high"))
        if not lo <= f <= hi:
            raise ValueError(f"{at}: expected low <= factor <= high")
        scaled[abi] = Scaled(abi, s["from"], f, lo, hi, str(s.get("source", "")))
    xnn = data.get("xnnpack", {})
    if not isinstance(xnn, dict):
        raise ValueError(f"{where}.xnnpack: expected an object per ABI")
    xnnpack = {abi: parse_xnnpack(abi, row, f"{where}.xnnpack") for abi, row in sorted(xnn.items())}
    measured = data.get("measured", {})
    return SizeModel(abis, scaled, _int(data, "aar_fixed", where),
                     {str(k): str(v) for k, v in measured.items()} if isinstance(measured, dict) else {}, xnnpack)


@dataclass(frozen=True)
class ScaledLevel:
    """An optimization level not measured: ``base``'s table times a per-ABI factor, read from real builds at
    both levels (``source`` says which)."""

    level: str
    base: str
    factors: Mapping[str, float]
    source: str = ""


@dataclass(frozen=True)
class Picked:
    """The table for one build's optimization level and XNNPACK setting, and what a person is told of it."""

    model: SizeModel
    level: str
    xnnpack: bool
    notes: tuple[str, ...]


@dataclass(frozen=True)
class SizeTables:
    """Every level's table: measured ones and scaled ones."""

    levels: Mapping[str, SizeModel]
    scaled_levels: Mapping[str, ScaledLevel]
    default_level: str

    def pick(self, level: Optional[str], xnnpack: bool) -> Picked:
        """The table for a build at ``level`` (None: the default) with or without XNNPACK. A scaled level
        is its base's table times its factors, with its base's band. XNNPACK's bytes are the level's own,
        else the default level's, not scaled: XNNPACK's microkernels hardly change with the level (at -O3
        it added 1,793,288 B to the x86_64 library against 1,733,676 loaded bytes at -O2, docs/xnnpack.md).
        The notes say which."""
        level = level or self.default_level
        if level in self.scaled_levels:
            s = self.scaled_levels[level]
            plain = self.pick(s.base, False).model
            with_it = self.pick(s.base, True).model if xnnpack else None
            abis = {}
            for a, m in plain.abis.items():
                if a not in s.factors or (with_it is not None and a not in with_it.abis):
                    continue
                abis[a] = m.scaled(s.factors[a])
                if with_it is not None:  # the base's XNNPACK bytes, layout, stored ratio and band
                    w = with_it.abis[a]
                    abis[a] = replace(abis[a], floor=abis[a].floor + w.floor - m.floor, stored_ratio=w.stored_ratio,
                                      tail=w.tail, page=w.page, gaps=w.gaps, fixed_band=w.band())
            per_abi = ", ".join(f"{a} x {f:g}" for a, f in sorted(s.factors.items()))
            note = (f"-{level} is not measured one op at a time: the -{s.base} table times the -{level}/-{s.base} "
                    f"ratio of real builds ({per_abi}; {s.source})")
            rest = (self._xnnpack_note(s.base, level) if xnnpack
                    else ("without the XNNPACK delegate (--no-xnnpack)",))
            return Picked(replace(with_it or plain, abis=abis), level, xnnpack, (note, *rest))
        if level not in self.levels:
            raise ValueError(f"no size table for -{level}")
        model = self.levels[level]
        if not xnnpack:
            return Picked(model, level, False, ("without the XNNPACK delegate (--no-xnnpack)",))
        xnn = self.levels[level].xnnpack or self.levels[self.default_level].xnnpack
        model = replace(model, abis={a: m.with_xnnpack(xnn[a]) for a, m in model.abis.items() if a in xnn})
        return Picked(model, level, True, self._xnnpack_note(level, level))

    def _xnnpack_note(self, level: str, asked: str) -> tuple[str]:
        where = level if self.levels[level].xnnpack else self.default_level
        xnn, abis = self.levels[where].xnnpack, self.levels[level].abis
        adds = ", ".join(f"{abis[a].proxy_for} +{x.bytes / (1 << 20):.2f} MiB" for a, x in sorted(xnn.items()) if a in abis)
        measured_at = f"measured at -{where}" + ("" if where == asked else f", not at -{asked}")
        return (f"with the XNNPACK delegate (the default; --no-xnnpack leaves it out): {adds}, {measured_at}",)


def parse(text: str) -> SizeTables:
    """The table's JSON as :class:`SizeTables`; ValueError naming what is wrong."""
    data = json.loads(text)
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("levels"), dict):
        raise ValueError(f"not a size table of format {FORMAT}")
    levels = {lv: parse_level(t, f"levels.{lv}") for lv, t in sorted(data["levels"].items())}
    default = data.get("default_level")
    if default not in levels:
        raise ValueError(f"'default_level' must be one of the measured levels ({', '.join(levels)})")
    scaled = {}
    for lv, s in sorted(data.get("scaled_levels", {}).items()):
        at = f"scaled_levels.{lv}"
        if not isinstance(s, dict) or s.get("from") not in levels or not isinstance(s.get("factors"), dict):
            raise ValueError(f"{at}: expected an object with from (a measured level) and factors per ABI")
        scaled[lv] = ScaledLevel(lv, s["from"], {a: _ratio(s["factors"], a, at, 4.0) for a in sorted(s["factors"])},
                                 str(s.get("source", "")))
    return SizeTables(levels, scaled, default)


@lru_cache(maxsize=None)
def load(path: Path = TABLE) -> SizeTables:
    """The table at ``path`` (the shipped one by default)."""
    return parse(path.read_text())
