"""``tflite-slim build`` as a library call: models in, AARs and ``ops.json`` out.

Order of work: read the models and check custom ops (before anything slow),
find the source tree (TensorFlow or LiteRT, :mod:`tflite_slim.runtime.layout`) and
(local builds) its Android settings, read what that revision's own build files
say (:mod:`tflite_slim.runtime.tfscripts`), check that the tree can register every op
(:mod:`tflite_slim.runtime.kernels`), compute the plan, then either describe it
(``dry_run``), reuse the cached AARs for that plan, or build, check and finish
the AARs and cache them. A tree we downloaded is configured for Android just
before Bazel runs (only when not configured so already); a user's checkout never is. ``OUT`` is filled by renaming a complete temp dir, so
a failure or Ctrl-C leaves the previous ``OUT`` (or none), never a half one.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from tflite_slim import files
from tflite_slim.analysis import reader
from tflite_slim.runtime import aar, android, kernels, sizes, tfscripts
from tflite_slim.runtime.backends import DockerBazel, LocalBazel, Package, require_bazel, require_docker
from tflite_slim.runtime.buildfile import (
    FLEX_TARGET,
    RUNTIME_TARGET,
    BuildFileSpec,
    package_file_names,
    render_build_file,
    source_file_names,
)
from tflite_slim.runtime.cache import BuildCache, cache_root, writable_dir
from tflite_slim.errors import BuildError, ToolchainError, UsageError
from tflite_slim.http import HttpClient
from tflite_slim.runtime.layout import LITERT, TENSORFLOW, SourceLayout
from tflite_slim.analysis.opset import JSON_FORMAT_VERSION, ModelOps, OpSet, dumps, opset_to_json
from tflite_slim.runtime.plan import BuildPlan, SourceFile, build_flags_for, package_path
from tflite_slim.runtime.registration import check_custom_ops, render_registration
from tflite_slim.runtime.tfsource import (
    TensorflowSource,
    cached_source,
    check_android_configured,
    check_version,
    detect_source,
    fetch_source,
)

OPS_JSON = "ops.json"
AAR_FILES = {RUNTIME_TARGET: "tensorflow-lite.aar", FLEX_TARGET: "tensorflow-lite-select-tf-ops.aar"}
SO_NAMES = {RUNTIME_TARGET: aar.RUNTIME_SO, FLEX_TARGET: aar.FLEX_SO}
PROGUARD = {RUNTIME_TARGET: aar.RUNTIME_PROGUARD, FLEX_TARGET: aar.FLEX_PROGUARD}

Log = Callable[[str], None]


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class BuildSettings:
    """Everything ``tflite-slim build`` was asked to do."""

    models: tuple[str, ...]
    out: Optional[str] = None
    #: ``--source`` (formerly ``--tensorflow-src``): a TensorFlow or LiteRT checkout.
    tensorflow_src: Optional[str] = None
    tensorflow_version: Optional[str] = None
    litert_version: Optional[str] = None
    abis: tuple[str, ...] = ("arm64-v8a", "armeabi-v7a")
    backend: str = "local"
    checkpoint: Optional[str] = None
    custom_ops_srcs: tuple[str, ...] = ()
    custom_ops_deps: tuple[str, ...] = ()
    bazel: str = "bazel"
    bazel_args: tuple[str, ...] = ()
    docker: str = "docker"
    experimental_api: bool = True
    #: Link for 16 KB pages (``--align-16kb``); the AAR check then fails on a 64-bit library below 16 KB.
    align_16kb: bool = True
    #: ``error`` or ``warn`` for a 64-bit library below 16 KB; None: error with align_16kb, else warn.
    alignment_check: Optional[str] = None
    dry_run: bool = False
    cache_dir: Optional[str] = None
    use_cache: bool = True
    #: Compare the AARs' sizes with the stock runtime of the same release (``--no-stock-compare``: off).
    stock_compare: bool = True


@dataclass(frozen=True)
class Prepared:
    """What is known before anything runs: the plan and the files it generates."""

    plan: BuildPlan
    models: tuple[ModelOps, ...]
    package: Package
    registration: str
    commands: tuple[tuple[str, ...], ...]
    source: Optional[TensorflowSource]
    #: How the build differs from TensorFlow's build_aar.sh, and why.
    notes: tuple[str, ...] = ()
    #: What would stop the build (only a dry run gets here with problems).
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class BuildResult:
    plan: BuildPlan
    out: Path
    cached: bool
    reports: tuple[aar.AarReport, ...] = field(default_factory=tuple)
    #: The AARs beside the stock runtime's (:mod:`tflite_slim.runtime.sizes`).
    size_rows: tuple[sizes.SizeRow, ...] = ()


def _validate(s: BuildSettings) -> None:
    if not s.models:
        raise UsageError("no models given: tflite-slim build MODEL.tflite... --out DIR")
    if sum(bool(v) for v in (s.tensorflow_src, s.tensorflow_version, s.litert_version)) != 1:
        raise UsageError("give exactly one of --source DIR (a LiteRT or TensorFlow checkout), "
                         "--litert-version X.Y.Z or --tensorflow-version X.Y.Z")
    if s.backend not in ("local", "docker"):
        raise UsageError(f"--backend {s.backend!r}: choose 'local' or 'docker'")
    if s.litert_version and s.backend == "docker":
        raise UsageError("--backend docker builds in TensorFlow's image; build LiteRT with the local backend")
    if s.checkpoint and s.backend != "docker":
        raise UsageError("--checkpoint selects the revision the Docker backend clones; add --backend docker")
    if not s.dry_run and not s.out:
        raise UsageError("--out DIR is required (where the AARs and ops.json go)")
    if s.alignment_check not in (None, *aar.ALIGNMENT_CHECKS):
        raise UsageError(f"--alignment-check {s.alignment_check!r}: choose 'error' or 'warn'")
    for src in s.custom_ops_srcs:
        if not os.path.isfile(src):
            raise UsageError(f"--custom-ops-srcs: {src} does not exist")


def _source_hash(path: str) -> str:
    """A custom-op source's sha256 for the plan (its content, not its path, decides a rebuild)."""
    try:
        return files.sha256_file(path)
    except OSError as e:
        raise UsageError(f"--custom-ops-srcs: cannot read {path} ({e.strerror or e})") from e


def _release(s: BuildSettings) -> Optional[str]:
    """The release to download (``--tensorflow-version`` or ``--litert-version``), if any."""
    return s.litert_version or s.tensorflow_version


def _layout(s: BuildSettings, source: Optional[TensorflowSource]) -> SourceLayout:
    """The tree's layout: the checkout's own, else the kind of release asked for."""
    if source is not None:
        return source.layout
    return LITERT if s.litert_version else TENSORFLOW


def _source(s: BuildSettings, log: Log) -> tuple[Optional[TensorflowSource], str, Optional[str]]:
    """The source tree (None in a dry run that would download), and the version/commit for the plan."""
    src: Optional[TensorflowSource]
    if s.tensorflow_src:
        src = detect_source(s.tensorflow_src)
        if src.layout is LITERT and s.backend == "docker":
            raise UsageError("--backend docker builds in TensorFlow's image; build LiteRT with the local backend")
        version, commit = src.version, src.commit
    else:
        layout, release = _layout(s, None), str(_release(s))
        check_version(release, layout)
        src = cached_source(release, cache_root(s.cache_dir), layout)
        if src is None and not s.dry_run:
            # Everything the build needs is checked before the long download, not after it.
            if s.backend == "local":
                android.resolve(layout=layout)
                require_bazel(s.bazel)
            else:
                require_docker(s.docker)
            with HttpClient() as client:
                src = fetch_source(release, cache_root(s.cache_dir), client, progress=_progress(log, layout),
                                   layout=layout)
        version, commit = (src.version, src.commit) if src else (release, None)
    if s.checkpoint:
        # The container builds the checkpoint, not the host tree: record that revision instead.
        tag = s.checkpoint[1:] if s.checkpoint.startswith("v") else s.checkpoint
        if tag.count(".") == 2 and tag.replace(".", "").replace("-rc", "").isdigit():
            version, commit = tag, None
        else:
            commit = s.checkpoint
    return src, version, commit


def _android(s: BuildSettings, source: Optional[TensorflowSource], log: Log) -> Optional[android.AndroidConfig]:
    """The Android settings a local build uses (None for Docker: the image pins them).

    A user's checkout: what its ./configure wrote (None if it was not; build()
    then stops with the fix). A downloaded tree: the environment's answers
    (a dry run only notes what is missing).
    """
    if s.backend != "local":
        return None
    layout = _layout(s, source)
    if s.tensorflow_src:
        return android.read_configured(source.root, layout) if source else None
    existing = android.read_configured(source.root, layout) if source else None
    try:
        return android.resolve(existing=existing, layout=layout)
    except ToolchainError as e:
        if not s.dry_run:
            raise
        log(f"tflite-slim: note: {e}")
        return None


def _configure_command(s: BuildSettings, source: Optional[TensorflowSource],
                       config: Optional[android.AndroidConfig]) -> list[tuple[str, ...]]:
    """The configure.py run a build would start with, for --dry-run (none when nothing is to configure)."""
    if not _release(s) or config is None:
        return []
    layout = _layout(s, source)
    if source is not None and config.same_settings(android.read_configured(source.root, layout)):
        return []
    root = source.root if source else Path(f"<{layout.kind}-{_release(s)}>")
    env = android.configure_env(config)
    return [("env", *(f"{k}={v}" for k, v in sorted(env.items())), *android.configure_argv(root, "<temp>", env))]


def _progress(log: Log, layout: SourceLayout = TENSORFLOW) -> Callable[[int, Optional[int]], None]:
    shown = {"step": -1}

    def report(done: int, total: Optional[int]) -> None:
        step = (done * 10 // total) if total else done >> 26  # every 10 %, or every 64 MiB
        if step != shown["step"]:
            shown["step"] = step
            pct = f" {done * 100 // total}%" if total else ""
            log(f"tflite-slim: downloading {layout.title} source{pct} ({done >> 20} MiB)")

    return report


def prepare(s: BuildSettings, log: Log = _stderr) -> Prepared:
    """Read models, check custom ops, locate TensorFlow, and compute the plan and generated files.

    In a dry run, ops the tree cannot register are returned as ``problems``;
    otherwise they are a :class:`ToolchainError` here, before anything runs.
    """
    _validate(s)
    models = tuple(reader.read_model(p) for p in dict.fromkeys(s.models))
    per_model = {m.path: m.ops for m in models}
    check_custom_ops(per_model, have_sources=bool(s.custom_ops_srcs))
    union = OpSet.union(per_model.values())
    source, version, commit = _source(s, log)
    layout = _layout(s, source)
    registration = render_registration(union, tflite_path=layout.lite_dir)
    android_config = _android(s, source, log)
    # The host tree is the revision built unless a Docker checkpoint is cloned instead.
    tree = source.root if source is not None and not s.checkpoint else None
    params = tfscripts.runtime_macro_parameters(tree, layout.marker) if tree is not None else None
    # Unknown (no tree yet, a checkpoint, no such macro): assume a current release.
    has_attr = params is None or "experimental" in params
    # LiteRT's in-tree build_aar.sh still names TensorFlow's labels: its flags are the layout's.
    script_flags = tfscripts.read_build_flags(tree) if tree is not None and layout is TENSORFLOW else None
    src_names = source_file_names(list(s.custom_ops_srcs))
    srcs = tuple(SourceFile(src_names[p], _source_hash(p)) for p in sorted(src_names))
    plan = BuildPlan(
        op_set=union,
        abis=tuple(sorted(set(s.abis))),
        tf_version=version,
        tf_commit=commit,
        # Without the attribute the release builds the full API whatever was asked.
        experimental_api=s.experimental_api or not has_attr,
        align_16kb=s.align_16kb,
        custom_ops_srcs=srcs,
        custom_ops_deps=tuple(s.custom_ops_deps),
        bazel_args=tuple(s.bazel_args),
        android=android_config,
        source=layout.kind,
        build_flags=build_flags_for(script_flags, layout),
    )
    names = package_file_names([m.path for m in models])
    spec = BuildFileSpec(
        models=tuple(sorted(names.values())),
        flex_models=tuple(sorted(names[m.path] for m in models if m.ops.has_flex)),
        srcs=tuple(sorted(src_names.values())),
        deps=tuple(s.custom_ops_deps),
        experimental_api=s.experimental_api if has_attr else None,
        runtime_parameters=frozenset(params) if params is not None else None,
    )
    files = tuple(sorted(names.items())) + tuple(sorted(src_names.items()))
    if union.has_flex and source is not None:
        # build_aar.sh copies these next to the flex BUILD file (older flex macros refer to them there).
        java = source.root / layout.lite_dir / "java"
        files += tuple((str(java / f), f) for f in FLEX_PACKAGE_FILES if (java / f).is_file())
    package = Package(package_path(plan), render_build_file(spec, layout), files)
    backend = _backend(s, source)
    commands = tuple(_configure_command(s, source, android_config)) + tuple(
        tuple(c) for c in backend.commands(plan, package))
    notes = _differences(s, package, tree, script_flags, has_attr, layout)
    problems, skipped = _kernel_problems(s, tree, version, per_model, src_names, layout)
    notes += [skipped] if skipped else []
    problems = _configuration_problems(s, source) + problems
    if problems and not s.dry_run:
        raise ToolchainError(problems[0])
    return Prepared(plan, models, package, registration, commands, source, tuple(notes), tuple(problems))


#: Files build_aar.sh copies from tensorflow/lite/java into the package for the flex AAR
#: (taken from the layout's ``<lite_dir>/java``: LiteRT keeps them in ``tflite/java``).
FLEX_PACKAGE_FILES = ("AndroidManifest.xml", "proguard.flags")


def _differences(s: BuildSettings, package: Package, tree: Optional[Path],
                 script_flags: Optional[dict], has_attr: bool, layout: SourceLayout = TENSORFLOW) -> list[str]:
    """How this build differs from what TensorFlow's build_aar.sh would do, and why (for --dry-run)."""
    notes = [
        f"models go to models/ and custom-op sources to custom_ops/ in //{package.path}, under names that "
        "cannot collide (build_aar.sh copies both by basename into //tmp, where equal names overwrite each other)",
        "Flex ops are read from the models here; build_aar.sh builds and runs "
        f"//{layout.lite_dir}/tools:list_flex_ops_no_kernel_main (with --config=monolithic) to find them",
    ]
    if has_attr and s.experimental_api:
        notes.append("experimental = True (build_aar.sh leaves the macro's default, the stable InterpreterApi "
                     "subset without org.tensorflow.lite.Interpreter); --no-experimental-api builds that")
    where = (f"{tree / tfscripts.BUILD_AAR} is missing or not shaped as expected" if tree is not None
             else f"checkpoint {s.checkpoint} is cloned in the container" if s.checkpoint
             else f"the {layout.title} source is not downloaded yet")
    if layout is LITERT:
        notes.append("bazel flags: LiteRT's Android CI flags (its in-tree build_aar.sh still names "
                     "TensorFlow's labels, which a LiteRT tree does not have)")
    elif script_flags is None:
        notes.append(f"bazel flags: the newest build_aar.sh's ({where})")
    if s.backend == "docker" and s.checkpoint:
        notes.append(f"./configure answers: read in the container from checkpoint {s.checkpoint}'s "
                     "build_aar_with_docker.sh (the newest script's answers if it has none)")
    elif s.backend == "docker" and (tree is None or tfscripts.read_configure_answers(tree) is None):
        docker_where = where.replace(tfscripts.BUILD_AAR, tfscripts.BUILD_AAR_WITH_DOCKER)
        notes.append(f"./configure answers: the newest build_aar_with_docker.sh's ({docker_where})")
    return notes


def _configuration_problems(s: BuildSettings, source: Optional[TensorflowSource]) -> list[str]:
    """A user's checkout the local build would refuse as not configured for Android (we never configure it).

    Found here, so a dry run reports it instead of exiting 0 for a build that would stop.
    """
    if s.backend != "local" or not s.tensorflow_src or source is None:
        return []
    try:
        check_android_configured(source.root, source.layout)
    except ToolchainError as e:
        return [str(e)]
    return []


def _kernel_problems(s: BuildSettings, tree: Optional[Path], version: str, per_model: dict,
                     src_names: dict[str, str], layout: SourceLayout = TENSORFLOW,
                     ) -> tuple[list[str], Optional[str]]:
    """The early kernel check (see :mod:`tflite_slim.runtime.kernels`): (one error line or none, why it was skipped)."""
    if tree is None:
        return [], "kernel check skipped: " + (f"checkpoint {s.checkpoint} is cloned in the container"
                                               if s.checkpoint else f"the {layout.title} source is not downloaded yet")
    sources = {}
    for path, name in src_names.items():
        try:
            sources[name] = Path(path).read_text(encoding="utf-8", errors="replace")
        except OSError as e:
            raise UsageError(f"--custom-ops-srcs: cannot read {path} ({e.strerror or e})") from e
    missing = kernels.check_tree(tree, per_model, sources, have_deps=bool(s.custom_ops_deps), layout=layout)
    if missing is None:
        return [], f"kernel check skipped: {tree / kernels.kernels_header(layout.lite_dir)} is missing"
    return ([kernels.summary(missing, version, tree, layout)] if missing else []), None


def _backend(s: BuildSettings, source: Optional[TensorflowSource]):
    root = source.root if source else Path(f"<{_layout(s, source).kind}-{_release(s)}>")
    if s.backend == "docker":
        bazel_cache = cache_root(s.cache_dir) / "docker-bazel" if s.use_cache else None
        answers = (tfscripts.read_configure_answers(source.root) if source is not None and not s.checkpoint
                   else None) or tfscripts.KNOWN_CONFIGURE_ANSWERS
        return DockerBazel(root, checkpoint=s.checkpoint, docker=s.docker, cache_dir=bazel_cache,
                           configure_answers=answers)
    return LocalBazel(root, bazel=s.bazel)


def build(s: BuildSettings, log: Log = _stderr) -> BuildResult:
    """Produce ``OUT`` for ``s`` (see the module docstring); ``s.dry_run`` must be False."""
    out = Path(str(s.out))
    _check_out(out)  # before a download or Bazel, not after
    if s.use_cache:
        writable_dir(cache_root(s.cache_dir) / "builds")
    p = prepare(s, log)
    plan = p.plan
    files = tuple(AAR_FILES[t] for t in plan.targets)
    cache = BuildCache(cache_root(s.cache_dir))
    hit = cache.lookup(plan.fingerprint, files) if s.use_cache else None
    cached = _cached_reports(hit, plan, log) if hit is not None else None
    if hit is not None and cached is None:
        cache.discard(plan.fingerprint)
        hit = None
    if hit is not None and cached is not None:
        log(f"tflite-slim: op set unchanged since an earlier build (plan {plan.fingerprint[:12]}); "
            f"reusing {hit}, Bazel not run")
        reports = tuple(_warned(aar.apply_alignment(r, _alignment(s)), log) for r in cached)
        compared = _sizes(s, plan, reports, log)
        _write_out(out, hit, files, _record(plan, p.models, compared), cached=True)
        return BuildResult(plan, out, True, reports, compared)
    assert p.source is not None
    backend = _backend(s, p.source)
    staging = cache.new_staging() if s.use_cache else Path(tempfile.mkdtemp(prefix=".tflite-slim-"))
    try:
        if isinstance(backend, LocalBazel):
            if _release(s) and plan.android is not None:
                android.ensure_configured(p.source.root, plan.android, bazel=s.bazel, log=log, layout=p.source.layout)
            check_android_configured(p.source.root, p.source.layout)
            built = backend.build(plan, p.package, log)
        else:
            built = backend.build(plan, p.package, staging / "docker", log)
        built_reports: list[aar.AarReport] = []
        for t in plan.targets:
            aar.check_aar(str(built[t]), plan.abis, SO_NAMES[t], alignment=_alignment(s))
            final = staging / AAR_FILES[t]
            aar.finish_aar(str(built[t]), str(final), PROGUARD[t])
            built_reports.append(_report(final, plan, t, _alignment(s), log))
        shutil.rmtree(staging / "docker", ignore_errors=True)
        if s.use_cache:
            entry = cache.publish(staging, plan.fingerprint, plan.describe())
        else:
            entry = staging
        compared = _sizes(s, plan, built_reports, log)
        _write_out(out, entry, files, _record(plan, p.models, compared), cached=s.use_cache)
    finally:
        # After publish the staging dir is gone (renamed); otherwise nothing half-built stays.
        shutil.rmtree(staging, ignore_errors=True)
    return BuildResult(plan, out, False, tuple(built_reports), compared)


def _sizes(s: BuildSettings, plan: BuildPlan, reports, log: Log) -> tuple[sizes.SizeRow, ...]:
    """The AARs beside the stock runtime of the same release (:mod:`tflite_slim.runtime.sizes`)."""
    return sizes.for_build(plan.targets, reports, plan.source, plan.tf_version, enabled=s.stock_compare,
                           cache=cache_root(s.cache_dir) / "stock" if s.use_cache else None, log=log)


def _cached_reports(entry: Path, plan: BuildPlan, log: Log) -> Optional[list[aar.AarReport]]:
    """A cache entry's AARs checked as Bazel's output was, alignment as warnings; None when damaged.

    A damaged entry (truncated, edited) is built again rather than failing
    every run with advice about Bazel's output; a 64-bit library below 16 KB
    is not damage but the plan's result, which the caller applies the
    user's ``--alignment-check`` to (:func:`aar.apply_alignment`).
    """
    try:
        return [aar.check_aar(str(entry / AAR_FILES[t]), plan.abis, SO_NAMES[t], alignment="warn")
                for t in plan.targets]
    except BuildError as e:
        log(f"tflite-slim: warning: the cached build {entry} is damaged ({e}); building it again")
        return None


def _alignment(s: BuildSettings) -> str:
    """An explicit --alignment-check wins; else a 16 KB build must be 16 KB, and one without only warns."""
    return s.alignment_check or ("error" if s.align_16kb else "warn")


def _report(path: Path, plan: BuildPlan, target: str, alignment: str, log: Log) -> aar.AarReport:
    return _warned(aar.check_aar(str(path), plan.abis, SO_NAMES[target], alignment=alignment), log)


def _warned(report: aar.AarReport, log: Log) -> aar.AarReport:
    for w in report.warnings:
        log(f"tflite-slim: warning: {w}")
    return report


def _record(plan: BuildPlan, models: tuple[ModelOps, ...], compared: tuple = ()) -> dict:
    """The ``ops.json`` build record (contract in README)."""
    record = {
        "format_version": JSON_FORMAT_VERSION,
        "tensorflow": {"version": plan.tf_version, "commit": plan.tf_commit},
        "abis": list(plan.abis),
        "experimental_api": plan.experimental_api,
        "plan_fingerprint": plan.fingerprint,
        "op_set": opset_to_json(plan.op_set),
        "models": [{"path": m.path, "sha256": m.sha256} for m in sorted(models, key=lambda m: m.path)],
        "artifacts": {
            "runtime": AAR_FILES[RUNTIME_TARGET],
            "select_tf_ops": AAR_FILES[FLEX_TARGET] if plan.has_flex else None,
        },
    }
    if compared:
        record["sizes"] = sizes.to_record(compared)
    if plan.source != TENSORFLOW.kind:
        # Which tree built it ("tensorflow" above then holds that tree's version and commit). Absent for
        # TensorFlow, so a TensorFlow build's record, and the ops artifact published from it, keep their bytes.
        record["source"] = plan.source
    return record


def _check_out(out: Path) -> None:
    # Never replace a directory we did not write: it could be anything of the user's.
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / OPS_JSON).is_file())):
        raise UsageError(f"--out {out}: exists and is not a tflite-slim build output; choose an empty or new directory")
    # Before the (long) build: OUT's nearest existing ancestor must be a directory to create it in.
    nearest = next((p for p in (out, *out.absolute().parents) if os.path.lexists(p)), None)
    if nearest is not None and not nearest.is_dir():
        raise UsageError(f"--out {out}: {nearest} is not a directory; choose an output directory elsewhere")


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
        os.chmod(tmp, 0o755)  # mkdtemp makes it private; OUT is an ordinary directory
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
