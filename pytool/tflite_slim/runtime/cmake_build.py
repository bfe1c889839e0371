"""``tflite-slim build --backend cmake``: the prepared plan through :class:`CmakeBackend`, into ``OUT``.

What it writes (and caches under the plan's fingerprint, like the Bazel backend):

* Android ABIs: ``tensorflow-lite.aar`` with the same layout as Bazel's
  (``AndroidManifest.xml`` from the tree's ``java/``, ``classes.jar``,
  ``jni/<abi>/libtensorflowlite_jni.so``, ``proguard.txt``, an empty ``R.txt``),
  checked by the same AAR checks. ``classes.jar`` is the tree's Java API
  compiled by javac (:mod:`tflite_slim.runtime.hostjar`): LiteRT's API imports
  nothing from ``android.*``, so no ``android.jar`` is needed and the classes
  are exactly the tree's, at the tree's revision.
* Host ABIs (``--target-archs host``): ``tensorflow-lite-api.jar`` and
  ``jni/<abi>/libtensorflowlite_jni.so`` for a desktop JVM
  (``-Djava.library.path=OUT/jni/<abi>``).
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Callable, Optional

from tflite_slim.errors import ToolchainError, UsageError
from tflite_slim.runtime import aar, hostjar, hostrun
from tflite_slim.runtime.cache import BuildCache, cache_root
from tflite_slim.runtime.cmake_backend import HOST_ABIS, CmakeBackend, CmakeSettings, NativeJob, host_abi
from tflite_slim.runtime.layout import layout_of

Log = Callable[[str], None]
AAR_FILE = "tensorflow-lite.aar"
HOST = "host"


def resolve_abis(abis: tuple[str, ...]) -> tuple[str, ...]:
    """``host`` -> this machine's host ABI (the plan names what was built, not an alias)."""
    return tuple(sorted({host_abi() if a == HOST else a for a in abis}))


def output_files(abis: tuple[str, ...]) -> tuple[str, ...]:
    """What OUT holds for these ABIs (besides ops.json)."""
    host = [a for a in abis if a in HOST_ABIS]
    files = [f"{hostrun.JNI_DIR}/{a}/{aar.RUNTIME_SO}" for a in host]
    if host:
        files.append(hostrun.API_JAR)
    if len(host) != len(abis):
        files.append(AAR_FILE)
    return tuple(sorted(files))


def native_job(settings, prepared, work: Path, log: Log, api_level: Optional[int]) -> NativeJob:
    plan, source = prepared.plan, prepared.source
    layout = layout_of(plan.source)
    return NativeJob(
        lite_dir=source.root / layout.lite_dir,
        abis=plan.abis,
        registration=prepared.registration,
        experimental_api=plan.experimental_api,
        align_16kb=plan.align_16kb,
        custom_sources=tuple(str(Path(p).resolve()) for p in settings.custom_ops_srcs),
        has_flex=plan.has_flex,
        api_level=api_level,
        work_dir=work,
        log=log,
    )


def build(settings, prepared, log: Log, *, write_out, record, check_out):
    """Build (or reuse) the plan's outputs and fill ``OUT``; returns (plan, cached, reports).

    ``write_out``/``record``/``check_out`` are the build stage's own output
    steps (the same swap-in of a complete ``OUT`` as the Bazel backend).
    """
    if settings.custom_ops_deps:
        raise UsageError("--custom-ops-deps names Bazel labels; with --backend cmake give the custom ops' "
                         "sources only (--custom-ops-srcs)")
    plan = prepared.plan
    out = Path(str(settings.out))
    check_out(out)
    files = output_files(plan.abis)
    cache = BuildCache(cache_root(settings.cache_dir))
    hit = cache.lookup(plan.fingerprint, files) if settings.use_cache else None
    if hit is not None:
        log(f"tflite-slim: op set unchanged since an earlier build (plan {plan.fingerprint[:12]}); "
            f"reusing {hit}, CMake not run")
        write_out(out, hit, files, _record(record, plan, prepared, files), cached=True)
        return plan, True, ()
    if prepared.source is None:
        raise ToolchainError("the source tree is not available")
    backend = CmakeBackend(settings.cmake or CmakeSettings(), cache_root(settings.cache_dir))
    staging = cache.new_staging()
    reports = []
    try:
        work = staging / "work"
        job = native_job(settings, prepared, work, log, settings.android_api_level)
        results = backend.build(job)
        lite_dir = job.lite_dir
        jar = hostjar.build_jar(lite_dir, staging / "classes.jar", work / "java",
                                experimental=plan.experimental_api, log=log)
        host = [a for a in plan.abis if a in HOST_ABIS]
        for abi in host:
            dst = staging / hostrun.JNI_DIR / abi / aar.RUNTIME_SO
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(results[abi].library, dst)
        if host:
            shutil.copyfile(jar, staging / hostrun.API_JAR)
        android = [a for a in plan.abis if a not in HOST_ABIS]
        if android:
            raw = work / "raw.aar"
            package_aar(raw, lite_dir, jar, {a: results[a].library for a in android})
            aar.check_aar(str(raw), tuple(android), aar.RUNTIME_SO, alignment=_alignment(settings))
            aar.finish_aar(str(raw), str(staging / AAR_FILE), aar.RUNTIME_PROGUARD)
            reports.append(aar.check_aar(str(staging / AAR_FILE), tuple(android), aar.RUNTIME_SO,
                                         alignment=_alignment(settings)))
        jar.unlink()
        shutil.rmtree(work, ignore_errors=True)
        entry = cache.publish(staging, plan.fingerprint, plan.describe()) if settings.use_cache else staging
        write_out(out, entry, files, _record(record, plan, prepared, files), cached=settings.use_cache)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return plan, False, tuple(reports)


def _alignment(settings) -> str:
    return settings.alignment_check or ("error" if settings.align_16kb else "warn")


def _record(record, plan, prepared, files: tuple[str, ...]) -> dict:
    data = record(plan, prepared.models)
    data["backend"] = "cmake"
    data["artifacts"] = {"runtime": AAR_FILE if AAR_FILE in files else None, "select_tf_ops": None,
                         "host": [f for f in files if f != AAR_FILE]}
    return data


def package_aar(dst: Path, lite_dir: Path, classes_jar: Path, libraries: dict[str, Path]) -> None:
    """An AAR laid out as Bazel's ``aar_with_jni`` writes it (manifest, classes, jni/, R.txt)."""
    manifest = lite_dir / "java" / "AndroidManifest.xml"
    if not manifest.is_file():
        raise ToolchainError(f"{manifest} is missing: the AAR needs the tree's Android manifest")
    entries = {"AndroidManifest.xml": manifest.read_bytes(), "classes.jar": classes_jar.read_bytes(),
               "R.txt": b""}
    for abi, lib in sorted(libraries.items()):
        entries[f"jni/{abi}/{aar.RUNTIME_SO}"] = lib.read_bytes()
    aar.write_stable_zip(str(dst), entries)


def plan_for_cmake(plan, api_level: Optional[int]):
    """The prepared plan marked as a CMake build (a different runtime than Bazel's for the same ops)."""
    return dataclasses.replace(plan, abis=resolve_abis(plan.abis), backend="cmake",
                               native_api_level=api_level if any(a not in HOST_ABIS for a in plan.abis) else None)
