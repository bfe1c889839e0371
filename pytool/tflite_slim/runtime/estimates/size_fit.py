"""How ``size_model.json`` is made: a library's measure (:func:`layout`) and the fit of measured builds.

The measurement itself runs by hand on the real tree (``docs/sizes.md``, "Re-measuring"), and on the
stand-in in ``tests/standin_sizes.py``: builds of chosen op sets, each measured with :func:`layout`;
:func:`abi_row` fits them into one ABI's entry and keeps them in it, so a test can fit them again.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from tflite_slim.runtime.artifacts import elf
from tflite_slim.runtime.estimates.size_model import Build, Shared, parse_abi, parse_xnnpack


@dataclass(frozen=True)
class Fitted:
    floor: int
    own: Mapping[str, int]
    shared: tuple[Shared, ...]
    unmeasured_op: int


@dataclass(frozen=True)
class Layout:
    """What the table needs of one library file."""

    so: int
    loaded: int
    #: Bytes past the last segment (section headers), the smallest segment alignment, the gaps between segments.
    tail: int
    page: int
    gaps: int


def layout(data: bytes) -> Layout:
    """A library file's bytes, loaded bytes and layout (ElfError for what is not an ELF library)."""
    info = elf.read_elf(data)
    if not info.loads:
        raise elf.ElfError("no LOAD segment")
    end = max(s.offset + s.filesz for s in info.loads)
    return Layout(len(data), info.loaded_bytes, len(data) - end, info.min_load_align, len(info.loads) - 1)


def fit(builds: Sequence[Build], floor_op: str, probe_op: str, groups: Mapping[str, Iterable[str]]) -> Fitted:
    """The table from builds of one ABI: ``{floor_op}`` alone, ``{floor_op, X}`` for every op X measured one
    by one, ``{probe_op}`` and ``{probe_op, floor_op}`` (what ``floor_op`` adds), ``{floor_op} | group``
    for every group of ops that share code, the build of every op measured, and the all-ops build.

    Everything is in loaded bytes (the file grows in whole pages: 16 KB steps). Groups are nested or
    disjoint (GEMM code all matrix kernels share, more that convolution and fully-connected share); a
    group's units are its largest inner groups and its other ops, each measured alone. n units sharing S
    bytes measure ``sum(their own) + S`` together and ``own + S`` each, so ``S = (sum of the units -
    the group) / (n - 1)``; the groups around it are part of that share, so its own piece is S less theirs.
    ValueError names a build that is missing or groups that overlap."""
    by = {b.ops: b for b in builds}

    def get(*ops: str) -> Build:
        b = by.get(frozenset(ops))
        if b is None:
            raise ValueError(f"no build of {{{', '.join(sorted(ops))}}}")
        return b

    base = get(floor_op)
    single = {next(iter(b.ops - {floor_op})): b.loaded - base.loaded
              for b in builds if floor_op in b.ops and len(b.ops) == 2 and probe_op not in b.ops}
    single[floor_op] = get(probe_op, floor_op).loaded - get(probe_op).loaded
    single[probe_op] = get(probe_op, floor_op).loaded - base.loaded
    named = {name: frozenset(ops) for name, ops in groups.items()}
    for name, members in sorted(named.items()):
        if len(members) < 2 or not members <= set(single) or floor_op in members:
            raise ValueError(f"group {name}: needs 2+ ops measured one by one, not {floor_op}")
    for a, b in itertools.combinations(sorted(named), 2):
        if named[a] & named[b] and not (named[a] < named[b] or named[b] < named[a]):
            raise ValueError(f"groups {a} and {b} overlap: they must be nested or disjoint")

    def alone(ops: frozenset[str]) -> int:
        return single[next(iter(ops))] if len(ops) == 1 else get(floor_op, *ops).loaded - base.loaded

    pieces: dict[str, int] = {}
    for name in sorted(named, key=lambda n: (-len(named[n]), n)):  # the outer groups first
        members = named[name]
        inner = [g for g in named.values() if g < members]
        units = [g for g in inner if not any(g < h for h in inner)]
        units += [frozenset({o}) for o in members if not any(o in g for g in units)]
        share = (sum(alone(u) for u in units) - alone(members)) / (len(units) - 1)
        around = sum(pieces[n] for n in pieces if named[n] > members)
        pieces[name] = max(0, round(share - around))
    own = {o: max(0, m - sum(pieces[n] for n in named if o in named[n])) for o, m in single.items()}
    every = max(builds, key=lambda b: len(b.ops))
    measured = get(*single)
    rest = len(every.ops - measured.ops)
    unmeasured = round((every.loaded - measured.loaded) / rest) if rest else 0
    return Fitted(base.loaded - single[floor_op], own,
                  tuple(Shared(n, pieces[n], named[n]) for n in sorted(named)), max(0, unmeasured))


def stored_ratio(builds: Iterable[Build]) -> float:
    """The library's stored bytes per byte over every build with an AAR (4 decimals)."""
    pairs = [(b.so, b.stored) for b in builds if b.stored is not None]
    if not pairs:
        raise ValueError("no build with the library's stored bytes")
    return round(sum(s for _, s in pairs) / sum(so for so, _ in pairs), 4)


def aar_fixed(builds: Iterable[Build]) -> int:
    """The AAR's bytes besides the library, averaged over the single-ABI AARs measured."""
    rest = [b.aar - b.stored for b in builds if b.aar is not None and b.stored is not None]
    if not rest:
        raise ValueError("no build with an AAR")
    return round(sum(rest) / len(rest))


def build_json(b: Build) -> dict[str, Any]:
    row: dict[str, Any] = {"name": b.name, "ops": sorted(b.ops), "so": b.so, "loaded": b.loaded}
    row.update({k: v for k, v in (("aar", b.aar), ("stored", b.stored)) if v is not None})
    return row


def abi_row(builds: Sequence[Build], checks: Sequence[Build], *, floor_op: str, probe_op: str,
            groups: Mapping[str, Iterable[str]], floor_layout: Layout, proxy_for: str, compiler: str) -> dict[str, Any]:
    """One ABI's entry of the table: the fit of ``builds`` (kept in it, so a test can fit them again),
    the stored ratio of the ``checks``' AARs and their errors."""
    f = fit(builds, floor_op, probe_op, groups)
    row: dict[str, Any] = {
        "proxy_for": proxy_for, "compiler": compiler, "floor": f.floor, "own": dict(sorted(f.own.items())),
        "shared": {s.name: {"bytes": s.bytes, "ops": sorted(s.ops)} for s in f.shared},
        "unmeasured_op": f.unmeasured_op, "stored_ratio": stored_ratio(checks),
        "tail": floor_layout.tail, "page": floor_layout.page, "gaps": floor_layout.gaps,
        "fit": {"floor_op": floor_op, "probe_op": probe_op},
        "builds": [build_json(b) for b in builds], "checks": [build_json(c) for c in checks]}
    row["error_percent"] = parse_abi("-", row).errors()
    return row


def scaled_row(base: Mapping[str, Any], checks: Sequence[Build], *, base_abi: str, floor_layout: Layout,
               proxy_for: str, compiler: str) -> dict[str, Any]:
    """An ABI's entry when only full builds of it were measured (no relinks one op at a time): ``base``'s
    fitted bytes times the ratio of the ``checks``' loaded bytes to ``base``'s estimate of them; its band
    and errors still come from its own ``checks``."""
    model = parse_abi(base_abi, base)
    factor = round(sum(c.loaded for c in checks) / sum(model.loaded_bytes(c.ops) for c in checks), 4)
    row: dict[str, Any] = {
        "proxy_for": proxy_for, "compiler": compiler, "floor": round(model.floor * factor),
        "own": {o: round(n * factor) for o, n in sorted(model.own.items())},
        "shared": {s.name: {"bytes": round(s.bytes * factor), "ops": sorted(s.ops)} for s in model.shared},
        "unmeasured_op": round(model.unmeasured_op * factor), "stored_ratio": stored_ratio(checks),
        "tail": floor_layout.tail, "page": floor_layout.page, "gaps": floor_layout.gaps,
        "fit": {"scaled_from": base_abi, "factor": factor},
        "builds": [], "checks": [build_json(c) for c in checks]}
    row["error_percent"] = parse_abi("-", row).errors()
    return row


def xnnpack_row(base: Mapping[str, Any], pairs: Sequence[tuple[Build, Build]], checks: Sequence[Build], *,
                layout: Layout) -> dict[str, Any]:
    """What XNNPACK adds to one ABI's library at one level: the mean over ``pairs`` (a build with XNNPACK and
    one without, of the same op set) of the loaded bytes it adds; the stored ratio of every build with it;
    ``layout`` that of a build with it. ``checks`` are builds with it of other op sets: the estimate
    (``base``'s table plus those bytes) is checked on them and its band read from them."""
    if not pairs:
        raise ValueError("no pair of builds with and without XNNPACK")
    for w, wo in pairs:
        if w.ops != wo.ops:
            raise ValueError(f"{w.name}: the builds with and without XNNPACK have other op sets")
    differences = [w.loaded - wo.loaded for w, wo in pairs]
    row: dict[str, Any] = {
        "bytes": round(sum(differences) / len(differences)), "differences": differences,
        "stored_ratio": stored_ratio([w for w, _ in pairs] + list(checks)),
        "tail": layout.tail, "page": layout.page, "gaps": layout.gaps,
        "pairs": [{"with": build_json(w), "without": build_json(wo)} for w, wo in pairs],
        "checks": [build_json(c) for c in checks]}
    row["error_percent"] = parse_abi("-", base).with_xnnpack(parse_xnnpack("-", row, "xnnpack")).errors()
    return row
