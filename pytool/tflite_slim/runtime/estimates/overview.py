"""What ``plan`` and ``build --dry-run`` tell a person: the ops and their models, the downloads, the backend
and why, the build time and the size per ABI beside the stock runtime's.

:func:`gather` takes what :func:`tflite_slim.runtime.builder.prepare` computed (the plan, the models, the
backend and its job) and reads only the kernel files a CMake build compiles; :func:`render_text` is pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Sequence

from tflite_slim.analysis.opset import ModelOps
from tflite_slim.runtime.artifacts import stock
from tflite_slim.runtime.backends.base import Backend, BackendJob
from tflite_slim.runtime.estimates import build_time, size_model
from tflite_slim.runtime.spec.plan import BuildPlan
from tflite_slim.runtime.trees.layout import LITERT, TENSORFLOW

#: What a release's source archive weighs, where it is known (runtime/trees/tfsource.py: "~100 MB").
ARCHIVE_SIZES = {TENSORFLOW.kind: "~100 MB"}
#: How many model names an op's line lists before "+N more".
MODEL_NAMES = 3
STOCK_ARTIFACT = "org.tensorflow:tensorflow-lite"
#: What each ``--backend`` is, for a person who did not choose it.
BACKEND_TITLES = {"local": "Bazel in the source tree", "docker": "Bazel in TensorFlow's Docker image",
                  "cmake": "TFLite's CMake build, no Bazel"}


@dataclass(frozen=True)
class OpUse:
    name: str
    #: ``builtin``, ``custom`` or ``flex``.
    kind: str
    versions: tuple[int, ...]
    models: tuple[str, ...]


@dataclass(frozen=True)
class Overview:
    release: str
    fingerprint: str
    abis: tuple[str, ...]
    models: int
    ops: tuple[OpUse, ...]
    backend: str
    backend_reason: str
    downloads: tuple[str, ...]
    #: None: not estimated, for :attr:`time_note`'s reason.
    time: Optional[build_time.TimeEstimate]
    time_note: str
    sizes: tuple[size_model.AbiEstimate, ...]
    aar: Optional[size_model.Estimate]
    #: The stock runtime the sizes are set beside (None: none measured).
    stock: Optional[stock.StockFacts]
    size_notes: tuple[str, ...]
    #: What would be published (``plan``): ``group:artifact:version`` lines.
    publishes: tuple[str, ...] = ()
    #: The build the sizes are for: its optimization level and whether XNNPACK is in.
    size_level: str = ""
    size_xnnpack: Optional[bool] = None


def op_uses(models: Sequence[ModelOps]) -> tuple[OpUse, ...]:
    """Every op of the models with its versions and the models that use it, sorted by kind then name."""
    found: dict[tuple[str, str], tuple[set[int], list[str]]] = {}
    for m in models:
        name = Path(m.path).name
        groups = (("builtin", m.ops.builtin_ops.items()), ("custom", m.ops.custom_ops.items()),
                  ("flex", ((f, ()) for f in m.ops.flex_op_names)))
        for kind, items in groups:
            for op, versions in items:
                vs, users = found.setdefault((kind, op), (set(), []))
                vs.update(versions)
                if name not in users:
                    users.append(name)
    order = {"builtin": 0, "custom": 1, "flex": 2}
    return tuple(OpUse(op, kind, tuple(sorted(vs)), tuple(sorted(users)))
                 for (kind, op), (vs, users) in sorted(found.items(), key=lambda kv: (order[kv[0][0]], kv[0][1])))


def stock_reference(source: str, version: str) -> tuple[Optional[stock.StockFacts], str]:
    """The measured stock runtime to compare with, and a note on which it is."""
    facts = stock.table()[1]
    same = facts.get(f"{STOCK_ARTIFACT}:{version}") if source == TENSORFLOW.kind else None
    if same is not None:
        return same, ""
    measured = sorted((f for c, f in facts.items() if c.startswith(STOCK_ARTIFACT + ":")),
                      key=lambda f: tuple(int(x) if x.isdigit() else 0 for x in f.coordinates.rsplit(":", 1)[1].split(".")))
    if not measured:
        return None, "no stock runtime measured"
    newest = measured[-1]
    why = ("LiteRT's own AAR is on Google's Maven, not measured" if source == LITERT.kind
           else f"{version} not measured")
    return newest, f"stock: {newest.coordinates}, the newest measured ({why})"


def estimate_sizes(ops: Sequence[str], abis: Sequence[str],
                   model: Optional[size_model.SizeModel] = None) -> tuple[tuple[size_model.AbiEstimate, ...],
                                                                      Optional[size_model.Estimate], tuple[str, ...]]:
    """Per ABI estimates (the ABIs no estimate reaches left out), the AAR's, and the notes they need (``model``:
    by default the default build's table: the default level, XNNPACK in)."""
    model = model or size_model.load().pick(None, True).model
    rows = [e for e in (size_model.estimate_abi(model, abi, ops) for abi in abis) if e is not None]
    notes = []
    for r in rows:
        if r.scaled_from:
            s = model.scaled[r.abi]
            notes.append(f"{r.abi}: {r.scaled_from}'s estimate x {s.factor:g} (band x {s.low:g}-{s.high:g}), "
                         f"the {r.abi}/{r.scaled_from} ratio of stock runtimes (not built here)")
        elif r.measured_as != r.abi:
            proxy = ("the closest to Android's arm64 that builds here (Debian's cross compiler)"
                     if r.abi == "arm64-v8a" else "its desktop twin")
            m = model.abis[r.measured_as]
            per_op = (f"; its per-op figures are {m.per_op_from}'s x {m.factor:g}, the ratio of its "
                      f"{m.factor_builds} real builds" if m.per_op_from else "")
            notes.append(f"{r.abi}: measured as {r.measured_as}, {proxy}{per_op}")
    missing = [a for a in abis if a not in {r.abi for r in rows}]
    if missing:
        notes.append(f"no estimate for {', '.join(missing)}: no measured table reaches it")
    return tuple(rows), (size_model.aar_estimate(model, rows) if rows else None), tuple(notes)


def measured_note(picked: size_model.Picked) -> str:
    """Where the table comes from and what its band is, in one line (the table itself lists every flag)."""
    m = picked.model.measured
    checks = max((len(a.checks) for a in picked.model.abis.values()), default=0)
    level = f" at -{m['opt_level']}" if m.get("opt_level") else ""
    band = (f"the band is how far they missed real builds of {checks} model set{'s' if checks != 1 else ''}" if checks
            else "the band is the measured level's")
    return (f"per-op sizes measured on {m.get('tree', 'a real tree')} with --backend cmake{level} "
            f"(runtime/estimates/size_model.json); {band}")


def render_text(o: Overview) -> list[str]:
    """The overview as lines (no trailing newlines)."""
    lines = [f"{o.models} model{'s' if o.models != 1 else ''}, {len(o.ops)} op{'s' if len(o.ops) != 1 else ''}, "
             f"{o.release}, ABIs {', '.join(o.abis)}",
             f"plan {o.fingerprint[:12]}"]
    lines += [f"publishes {gav}" for gav in o.publishes]
    lines += ["", "Ops and the models that use them:"]
    width = max((len(_op_label(u)) for u in o.ops), default=0)
    for u in o.ops:
        names = ", ".join(u.models[:MODEL_NAMES])
        more = f" +{len(u.models) - MODEL_NAMES} more" if len(u.models) > MODEL_NAMES else ""
        lines.append(f"  {_op_label(u).ljust(width)}  {names}{more}")
    title = BACKEND_TITLES.get(o.backend)
    lines += ["", f"Backend: {o.backend}{f' ({title})' if title else ''}: {o.backend_reason}", "Downloads:"]
    lines += [f"  {d}" for d in o.downloads] or ["  nothing"]
    if o.time is not None:
        t = o.time
        lines.append(f"Build time: {build_time.human_duration(t.wall_seconds)} on this machine's {t.cpus} CPU"
                     f"{'s' if t.cpus != 1 else ''} (first build: {t.abis} ABI{'s' if t.abis != 1 else ''} x "
                     f"{round(t.cpu_seconds / t.abis):,} CPU-s, {o.time_note}{t.kernel_files} kernel files each)")
    else:
        lines.append(f"Build time: not estimated ({o.time_note})")
    lines += ["", "Estimated size, trimmed vs stock"
                  + (f" ({o.stock.coordinates})" if o.stock else "") + ":"]
    if o.sizes:
        so = {a: n for a, n in o.stock.so} if o.stock else {}
        stored = {a: n for a, n in o.stock.so_stored} if o.stock else {}
        w = max(len(r.abi) for r in o.sizes)
        for r in o.sizes:
            lines.append(f"  {r.abi.ljust(w)}  native library {_band(r.so)}{_stock(so.get(r.abi))}; "
                         f"in the AAR {_band(r.stored)}{_stock(stored.get(r.abi))}")
        assert o.aar is not None
        lines.append(f"  {'AAR'.ljust(w)}  {_band(o.aar)}{_stock(o.stock.aar if o.stock else None, 'with 4 ABIs')}")
    lines += [f"  {n}" for n in o.size_notes]
    return lines


def _op_label(u: OpUse) -> str:
    v = "" if not u.versions else (f" v{u.versions[0]}" if len(u.versions) == 1
                                    else f" v{u.versions[0]}-{u.versions[-1]}")
    kind = "" if u.kind == "builtin" else f" ({u.kind})"
    return f"{u.name}{v}{kind}"


def _mib(n: int) -> str:
    return f"{n / (1 << 20):.2f} MiB"


def _band(e: size_model.Estimate) -> str:
    return _mib(e.value) if e.low == e.high else f"{_mib(e.low)[:-4]}-{_mib(e.high)}"


def _stock(n: Optional[int], what: str = "") -> str:
    return "" if n is None else f" (stock {_mib(n)}{', ' + what if what else ''})"


def to_json(o: Overview) -> dict[str, Any]:
    """Plain data for ``build --dry-run --format json``'s ``estimates``."""
    def est(e: size_model.Estimate) -> dict[str, int]:
        return {"value": e.value, "low": e.low, "high": e.high}
    return {
        "backend": {"name": o.backend, "why": o.backend_reason},
        "downloads": list(o.downloads),
        "build_time": None if o.time is None else {
            "wall_seconds": round(o.time.wall_seconds), "cpu_seconds": round(o.time.cpu_seconds), "cpus": o.time.cpus,
            "abis": o.time.abis, "kernel_files": o.time.kernel_files},
        "sizes": {r.abi: {"so": est(r.so), "stored_in_aar": est(r.stored), "measured_as": r.measured_as,
                          "scaled_from": r.scaled_from} for r in o.sizes},
        "aar": est(o.aar) if o.aar else None,
        "for": {"opt_level": o.size_level, "xnnpack": o.size_xnnpack},
        "stock": o.stock.coordinates if o.stock else None,
        "notes": list(o.size_notes),
    }


def downloads(job: Optional[BackendJob], builder: Optional[Backend], backend: str, stock_compare: bool,
              stock_measured: bool) -> tuple[str, ...]:
    """What the build would download, with how much where it is known."""
    found = []
    if job is not None and job.release is not None:
        title = job.layout.title
        if job.root is None:
            size = ARCHIVE_SIZES.get(job.layout.kind, "size not measured")
            found.append(f"{title} {job.release}'s source archive ({size}), once into the cache")
        else:
            found.append(f"none for the source: {title} {job.release} is in the cache")
    listed = getattr(builder, "downloads", None)  # the CMake backend's sources, one line each
    if listed is not None:
        found += listed(job)
    elif backend == "docker":
        found.append("the Docker image and the TensorFlow checkout inside it (size not measured)")
    else:
        found.append("Bazel fetches the tree's external repositories at the first build (size not measured)")
    if stock_compare and not stock_measured:
        found.append("the stock AAR of the same release, for the size comparison (--no-stock-compare skips it)")
    return tuple(found)


def gather(plan: BuildPlan, models: Sequence[ModelOps], job: Optional[BackendJob], builder: Optional[Backend], *,
           backend: str, backend_reason: str, cpus: int, stock_compare: bool = False,
           publishes: Sequence[str] = ()) -> Overview:
    """The overview of a prepared build (nothing runs; a CMake build's kernel files are read from the tree).

    ``builder`` is the backend object (its kernel selection, its settings), ``backend`` its name."""
    title = LITERT.title if plan.source == LITERT.kind else TENSORFLOW.title
    reference, stock_note = stock_reference(plan.source, plan.tf_version)
    # Custom ops count as ops (a TFLite-provided kernel or the user's source); Flex ops live in the other AAR.
    # The table for the build's declared level and XNNPACK setting; the Bazel backends always have XNNPACK
    # and their own optimization (-O3 for TFLite's files, -O2 for the rest), not measured.
    settings = getattr(builder, "settings", None)
    level = getattr(getattr(settings, "flags", None), "opt_level", None)
    picked = size_model.load().pick(level, getattr(settings, "xnnpack", True) if level else True)
    rows, aar, notes = estimate_sizes((*plan.op_set.builtin_ops, *plan.op_set.custom_ops), plan.abis, picked.model)
    extra = list(picked.notes)
    if level is None:
        extra.append(f"measured with --backend cmake at -{picked.level}; the {backend} backend builds with Bazel "
                     "(TFLite's files at -O3, the rest at -O2): not measured, expect more")
    if plan.has_flex:
        flex = [f for c, f in stock.table()[1].items() if c.startswith(STOCK_ARTIFACT + "-select-tf-ops:")]
        extra.append("the Select TF ops AAR (Flex ops) is not estimated"
                     + (f"; stock {flex[-1].coordinates}: {_mib(flex[-1].aar)}" if flex else ""))
    if plan.custom_ops_srcs:
        extra.append("your custom ops count as an average op each: their sources' own size is not known")
    notes = (*notes, *extra, *((stock_note,) if stock_note else ()), measured_note(picked))
    time, time_note = _time(plan, job, builder, cpus)
    exact_stock = reference is not None and not stock_note
    return Overview(f"{title} {plan.tf_version}", plan.fingerprint, tuple(plan.abis), len(models),
                    op_uses(models), backend, backend_reason,
                    downloads(job, builder, backend, stock_compare, exact_stock), time,
                    time_note, rows, aar, reference, notes, tuple(publishes), picked.level, picked.xnnpack)


def _time(plan: BuildPlan, job: Optional[BackendJob], builder: Optional[Backend],
          cpus: int) -> tuple[Optional[build_time.TimeEstimate], str]:
    select = getattr(builder, "kernel_selection", None)
    if select is None or job is None:
        return None, "measured for --backend cmake only"
    model = build_time.load()
    if job.root is not None:
        selection = select(job)
        files = len(selection.kept) if not selection.unselected_reason else model.kernel_files_all
        note = ""
    else:
        files = model.kernel_files_for(len(plan.op_set.builtin_ops))
        note = "the tree not downloaded yet: at most "
    return build_time.estimate(model, files, len(plan.abis), cpus), note

