"""Phase 8, write the output: ``OUT`` with the AARs and the ``ops.json`` build record (with the size comparison).

``OUT`` is filled by renaming a complete temp dir, so a failure or Ctrl-C
leaves the previous ``OUT`` (or none), never a half one; a directory we did
not write is never replaced (:func:`check_out`, run by ``settings.read``
before anything is downloaded or built, and again just before the swap): only one
holding the marker of :mod:`tflite_slim.runtime.artifacts.outdir` and nothing but build outputs.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Optional, Sequence

from tflite_slim.analysis.opset import JSON_FORMAT_VERSION, ModelOps, dumps, opset_to_json
from tflite_slim.errors import UsageError
from tflite_slim.runtime import sizes
from tflite_slim.runtime.artifacts import aar, outdir
from tflite_slim.runtime.spec.buildfile import FLEX_TARGET, RUNTIME_TARGET
from tflite_slim.runtime.trees.layout import TENSORFLOW
from tflite_slim.runtime.spec.plan import BuildPlan

OPS_JSON = "ops.json"
AAR_FILES = {RUNTIME_TARGET: "tensorflow-lite.aar", FLEX_TARGET: "tensorflow-lite-select-tf-ops.aar"}
SO_NAMES = {RUNTIME_TARGET: aar.RUNTIME_SO, FLEX_TARGET: aar.FLEX_SO}
PROGUARD = {RUNTIME_TARGET: aar.RUNTIME_PROGUARD, FLEX_TARGET: aar.FLEX_PROGUARD}
#: A LiteRT 2.x build's drop-in for com.google.ai.edge.litert:litert (:mod:`tflite_slim.runtime.litert2build`).
LITERT2_AAR = "litert.aar"
#: What a build writes into OUT besides the marker (:mod:`tflite_slim.runtime.artifacts.outdir`).
OUT_FILES = frozenset({OPS_JSON, LITERT2_AAR, *AAR_FILES.values()})


def aar_files(plan: BuildPlan) -> tuple[str, ...]:
    """The AARs ``plan`` produces, as named in ``OUT`` and the cache."""
    return tuple(AAR_FILES[t] for t in plan.targets)


def check_out(out: Path) -> None:
    """Refuse an ``OUT`` we may not replace, or cannot create, before the (long) build."""
    # Never replace a directory we did not write: it could be anything of the user's.
    outdir.check_replaceable(out, OUT_FILES)
    # Before the (long) build: OUT's nearest existing ancestor must be a directory to create it in.
    nearest = next((p for p in (out, *out.absolute().parents) if os.path.lexists(p)), None)
    if nearest is not None and not nearest.is_dir():
        raise UsageError(f"--out {out}: {nearest} is not a directory; choose an output directory elsewhere")


def write_output(out: Path, entry: Path, plan: BuildPlan, models: tuple[ModelOps, ...],
                 compared: Sequence[sizes.SizeRow] = (), *, cached: bool, sources: Sequence[dict] = ()) -> None:
    """Fill ``out`` with the plan's AARs from ``entry`` and its build record (``cached``: the AARs are in the cache).

    ``compared``: the AARs beside the stock runtime (:func:`tflite_slim.runtime.sizes.for_build`).
    """
    _write_out(out, entry, aar_files(plan), record(plan, models, compared, sources), cached=cached)


def record(plan: BuildPlan, models: tuple[ModelOps, ...], compared: Sequence[sizes.SizeRow] = (),
           sources: Sequence[dict] = ()) -> dict:
    """The ``ops.json`` build record (contract in README); ``sizes`` only when there is a comparison; ``sources``
    (``Backend.record_sources``: what the build read besides the tree, observed, never hashed) only when any."""
    doc = {
        "format_version": JSON_FORMAT_VERSION,
        "tensorflow": {"version": plan.tf_version, "commit": plan.tf_commit},
        "abis": list(plan.abis),
        "experimental_api": plan.experimental_api,
        "plan_fingerprint": plan.fingerprint,
        # What the version hashes beyond the op set and options, and what the build saw (never hashed).
        "declared": {"ndk_version": plan.ndk_version, "android_api_level": plan.android_api_level},
        "observed": plan.observed(),
        "op_set": opset_to_json(plan.op_set),
        "models": [{"path": m.path, "sha256": m.sha256} for m in sorted(models, key=lambda m: m.path)],
        "artifacts": {
            "runtime": AAR_FILES[RUNTIME_TARGET],
            "select_tf_ops": AAR_FILES[FLEX_TARGET] if plan.has_flex else None,
        },
    }
    if compared:
        doc["sizes"] = sizes.to_record(compared)
    if sources:
        doc["sources"] = [dict(s) for s in sources]
    if plan.source != TENSORFLOW.kind:
        # Which tree built it ("tensorflow" above then holds that tree's version and commit). Absent for
        # TensorFlow, so a TensorFlow build's record, and the ops artifact published from it, keep their bytes.
        doc["source"] = plan.source
    if plan.backend:
        # The backend that built it when it is not Bazel (declared or chosen: it is in the fingerprint). Absent
        # for Bazel, whose records keep their bytes.
        doc["backend"] = dict(plan.backend)
    return doc


def write_files(out: Path, entry: Path, files: tuple[str, ...], record: dict, *, cached: bool) -> None:
    """Fill ``out`` with ``files`` from ``entry`` and ``record`` as ``ops.json`` (a 2.x build's output)."""
    _write_out(out, entry, files, record, cached=cached)


def _write_out(out: Path, entry: Path, files: tuple[str, ...], record: dict, *, cached: bool) -> None:
    """Fill ``out`` with ``files`` from ``entry`` and ``ops.json``, swapping in a complete dir.

    Any failure (disk full, no permission) is one error naming ``--out`` and
    leaves the previous ``out`` in place; the AARs stay in the cache.
    """
    tmp: Optional[Path] = None
    old = None
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
        for f in files:
            shutil.copyfile(entry / f, tmp / f)
        (tmp / OPS_JSON).write_text(dumps(record))
        outdir.mark(tmp)
        os.chmod(tmp, 0o755)  # mkdtemp makes it private; OUT is an ordinary directory
        outdir.check_replaceable(out, OUT_FILES)  # again: the build took a while, OUT may have changed
        if out.exists():
            old = out.parent / f".{out.name}.old-{os.getpid()}"
            os.rename(out, old)
        try:
            os.rename(tmp, out)
        except OSError:
            if old is not None:
                os.rename(old, out)  # the previous OUT back, not deleted below
                old = None
            raise
    except OSError as e:
        again = "; the AARs are cached, so a run with a writable --out reuses them" if cached else ""
        raise UsageError(f"--out {out}: cannot write the build output ({e.strerror or e}){again}") from e
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
