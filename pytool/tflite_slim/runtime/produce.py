"""Phase 6, produce the AARs: reuse the cached ones for the plan, or run the backend and check what it built.

A cache entry for the plan's cache key (its fingerprint and what the build
observed: :attr:`~tflite_slim.runtime.spec.plan.BuildPlan.cache_key`) is checked as a fresh build is, and
reused (the backend is not run); a damaged one is built again. Otherwise the
backend prepares and builds the job, and every AAR it returns is checked
(ABIs, libraries, 16 KB alignment, the minimum API level: :func:`tflite_slim.runtime.artifacts.aar.check_aar`),
finished (ProGuard rules, the manifest's minSdkVersion, byte-stable zip) into a staging directory and, with
the cache on, published as the plan's cache entry by one rename. A failure or
Ctrl-C leaves no staging directory and no cache entry behind. One build at a
time per tree: preparing, building and checking hold a lock on the tree's root.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import ContextManager, Optional

from tflite_slim import files
from tflite_slim.errors import BuildError
from tflite_slim.runtime.artifacts import aar
from tflite_slim.runtime.backends.base import Backend, BackendJob, Log
from tflite_slim.runtime.artifacts.cache import BuildCache
from tflite_slim.runtime.output import AAR_FILES, PROGUARD, SO_NAMES, aar_files
from tflite_slim.runtime.spec.plan import BuildPlan


@dataclass(frozen=True)
class ProduceAsked:
    """The settings this phase reads."""

    #: The cache root; None with ``--no-cache`` (always build, store nothing).
    cache: Optional[Path]
    #: ``error`` or ``warn`` for a 64-bit library below 16 KB (see :attr:`BuildSettings.alignment`).
    alignment: str


@dataclass(frozen=True)
class Produced:
    """The checked, finished AARs of a plan, in :attr:`directory` under the names of ``output.AAR_FILES``."""

    directory: Path
    reports: tuple[aar.AarReport, ...]
    #: Taken from the cache; the backend did not run.
    reused: bool
    #: :attr:`directory` is the plan's cache entry (else a temporary directory the caller removes).
    stored: bool


def produce(job: BackendJob, backend: Backend, asked: ProduceAsked) -> Produced:
    """The AARs for ``job``: from the cache, or built by ``backend`` and checked; see the module docstring."""
    plan, log = job.plan, job.log
    cache = BuildCache(asked.cache) if asked.cache is not None else None
    if cache is not None:
        reused = _reuse(cache, plan, asked.alignment, log)
        if reused is not None:
            return reused
    staging = cache.new_staging() if cache is not None else Path(tempfile.mkdtemp(prefix=".tflite-slim-"))
    try:
        job = dataclasses.replace(job, work=staging / "work")
        with _one_build_at_a_time(job):
            backend.prepare(job)  # may configure a release we downloaded: once, not by two runs at a time
            built = backend.build(job)
            reports = _check_and_finish(built, plan, staging, asked.alignment, log)  # before the next build
        shutil.rmtree(job.work, ignore_errors=True)
        if cache is None:
            return Produced(staging, reports, reused=False, stored=False)
        entry = cache.publish(staging, plan.cache_key, plan.describe())
        return Produced(entry, reports, reused=False, stored=True)
    except BaseException:
        # Nothing half-built stays (after publish the staging dir is gone: renamed).
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _one_build_at_a_time(job: BackendJob) -> ContextManager[None]:
    """Hold the tree's lock: two runs of one plan share its package directory and ``bazel-bin``.

    Bazel serializes the commands in one workspace anyway; the lock also keeps
    a downloaded release from being configured by two runs at once.
    """
    assert job.root is not None  # only a dry run has no tree yet, and it never gets here
    root, log = job.root, job.log
    return files.locked_dir(root, on_wait=lambda: log(
        f"tflite-slim: waiting for another tflite-slim build in {root} to finish"))


def _reuse(cache: BuildCache, plan: BuildPlan, alignment: str, log: Log) -> Optional[Produced]:
    """The plan's cache entry, checked; None when there is none or it is damaged (then discarded)."""
    hit = cache.lookup(plan.cache_key, aar_files(plan))
    if hit is None:
        return None
    cached = _cached_reports(hit, plan, log)
    if cached is None:
        cache.discard(plan.cache_key)
        return None
    # Named for the backend that would have run (CMake's plans say so; Bazel's carry no entry).
    builder = "CMake not run" if dict(plan.backend).get("backend") == "cmake" else "Bazel not run"
    log(f"tflite-slim: op set unchanged since an earlier build (plan {plan.fingerprint[:12]}); "
        f"reusing {hit}, {builder}")
    reports = tuple(_warned(aar.apply_alignment(r, alignment), log) for r in cached)
    return Produced(hit, reports, reused=True, stored=True)


def _cached_reports(entry: Path, plan: BuildPlan, log: Log) -> Optional[list[aar.AarReport]]:
    """A cache entry's AARs checked as Bazel's output was, alignment as warnings; None when damaged.

    A damaged entry (truncated, edited) is built again rather than failing
    every run with advice about Bazel's output; a 64-bit library below 16 KB
    is not damage but the plan's result, which the caller applies the
    user's ``--alignment-check`` to (:func:`aar.apply_alignment`).
    """
    try:
        return [aar.check_aar(str(entry / AAR_FILES[t]), plan.abis, SO_NAMES[t], alignment="warn",
                              min_api=plan.min_api_level)
                for t in plan.targets]
    except BuildError as e:
        log(f"tflite-slim: warning: the cached build {entry} is damaged ({e}); building it again")
        return None


def _check_and_finish(built: dict[str, Path], plan: BuildPlan, staging: Path, alignment: str,
                      log: Log) -> tuple[aar.AarReport, ...]:
    """Check each AAR the backend built, finish it into ``staging`` and check the result again."""
    reports = []
    for t in plan.targets:
        aar.check_aar(str(built[t]), plan.abis, SO_NAMES[t], alignment=alignment, min_api=plan.min_api_level)
        final = staging / AAR_FILES[t]
        aar.finish_aar(str(built[t]), str(final), PROGUARD[t], min_sdk=plan.min_api_level)
        reports.append(_warned(aar.check_aar(str(final), plan.abis, SO_NAMES[t], alignment=alignment,
                                             min_api=plan.min_api_level), log))
    return tuple(reports)


def _warned(report: aar.AarReport, log: Log) -> aar.AarReport:
    for w in report.warnings:
        log(f"tflite-slim: warning: {w}")
    return report
