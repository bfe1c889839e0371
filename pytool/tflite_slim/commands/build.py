"""``tflite-slim build PATH... --out DIR``: the trimmed runtime AAR(s) for these models."""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import Optional, Sequence

from tflite_slim.runtime import builder, litert2build
from tflite_slim.runtime import sizes as stock_sizes
from tflite_slim.runtime.backends.registry import BACKENDS
from tflite_slim.runtime.backends import compiler_cache
from tflite_slim.runtime.backends.cmake import flags as cmake_flags
from tflite_slim.runtime.backends.cmake.project import CmakeSettings, parse_dep_sources
from tflite_slim.runtime.trees import cmakedeps
from tflite_slim.analysis.discover import DEFAULT_GLOBS, find_models
from tflite_slim.errors import ToolchainError, ToolMissing, UsageError
from tflite_slim.analysis.opset import dumps
from tflite_slim.runtime.trees.observed import parse_api_level
from tflite_slim.runtime.spec.plan import DEFAULT_ABIS, parse_abis
from tflite_slim.process import display_argv, program_path
from tflite_slim.commands.options import add_command


SUMMARY = "build a runtime AAR with only the ops your models use, with Bazel or CMake"


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(
        sub, "build", SUMMARY,
        "Drives TensorFlow Lite's own build: TFLite's CMake build with the NDK Android Studio installs and no "
        "Bazel (--backend cmake, the default; also desktop builds with --target-archs host), Bazel in a LiteRT or "
        "TensorFlow checkout configured for Android (--backend local, chosen for Flex models), or TensorFlow's "
        "Docker image (--backend docker). Writes "
        "OUT/tensorflow-lite.aar, OUT/tensorflow-lite-select-tf-ops.aar (only with Flex ops) and OUT/ops.json. "
        "Builds are cached by op set: a model whose weights changed reuses the cached AARs.",
    )
    required = p.add_argument_group("required (except with --dry-run)")
    required.add_argument("--out", metavar="DIR", help="output directory (replaced as a whole on success)")
    add_plan_options(p)
    add_tool_options(p)
    p.add_argument("--no-stock-compare", dest="stock_compare", action="store_false",
                   help="do not fetch the stock runtime of the same release to compare sizes with "
                        "(default: fetched once per release from its Maven repository, then cached)")
    l2 = p.add_argument_group("LiteRT 2.x (--litert-version 2.x.y: the drop-in for com.google.ai.edge.litert:litert)")
    l2.add_argument("--stock-aar", metavar="FILE",
                    help="the app's own com.google.ai.edge.litert:litert:2.x.y AAR (same version): its classes and "
                         "other entries are kept, only jni/<abi>/libLiteRt.so is replaced (the Gradle plugin "
                         "passes it); writes OUT/litert.aar")
    l2.add_argument("--litert-source", metavar="DIR",
                    help="a checkout of the tag v2.x.y to build --litert-version 2.x.y from, instead of "
                         "downloading it")
    p.add_argument("--html", metavar="FILE",
                   help="also write the HTML op report of the models (as analyze --html) with a chart of the "
                        "native libraries' sizes, slim vs stock")
    p.add_argument("--dry-run", action="store_true",
                   help="run nothing; print the ops and their models, the downloads, the backend, the estimated "
                        "build time and sizes, the commands and any problem (everything, with the BUILD file and "
                        "registration code: --format json, or tflite-slim -v build ... --dry-run)")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="--dry-run's output: text for a person (default), or json with every detail")
    p.set_defaults(run=run)


def add_plan_options(p: argparse.ArgumentParser) -> None:
    """The models and every option that decides the build plan (``build``'s and ``plan``'s).

    ``--cache-dir`` is one: a downloaded release's tree is read from there. The options that cannot change a
    plan are :func:`add_tool_options`.
    """
    p.add_argument("paths", nargs="+", metavar="PATH", help="model file or directory (searched recursively)")
    p.add_argument("--glob", action="append", metavar="PATTERN",
                   help=f"file-name pattern in directories (repeatable; default {' '.join(DEFAULT_GLOBS)})")
    src = p.add_argument_group("the source to build (required: one of)").add_mutually_exclusive_group()
    src.add_argument("--source", "--tensorflow-src", dest="tensorflow_src", metavar="DIR",
                     help="LiteRT or TensorFlow checkout to build in, configured for Android "
                          "(--tensorflow-src is the old name)")
    src.add_argument("--litert-version", metavar="X.Y.Z",
                     help="download LiteRT's source for tag vX.Y.Z into the cache and build from it "
                          "(local backend only; configured like --tensorflow-version)")
    src.add_argument("--tensorflow-version", metavar="X.Y.Z",
                     help="download TensorFlow's source for tag vX.Y.Z into the cache and build from it "
                          "(local backend: configured for Android from ANDROID_SDK_HOME/ANDROID_HOME and "
                          "ANDROID_NDK_HOME)")
    p.add_argument("--target-archs", default=",".join(DEFAULT_ABIS), metavar="ABIS",
                   help=f"comma-separated Android ABIs (default {','.join(DEFAULT_ABIS)}; "
                        "also x86, x86_64)")
    p.add_argument("--custom-ops-srcs", action="append", default=[], metavar="FILES",
                   help="kernel sources of your custom ops, comma-separated (repeatable); a name with a comma: "
                        "--custom-ops-src")
    p.add_argument("--custom-ops-src", action="append", default=[], metavar="FILE",
                   help="one kernel source of your custom ops, taken whole, commas included (repeatable)")
    p.add_argument("--custom-ops-deps", action="append", default=[], metavar="LABELS",
                   help="Bazel labels the custom op sources depend on, comma-separated (repeatable); a label "
                        "with a comma: --custom-ops-dep")
    p.add_argument("--custom-ops-dep", action="append", default=[], metavar="LABEL",
                   help="one Bazel label the custom op sources depend on, taken whole (repeatable)")
    p.add_argument("--experimental-api", action=argparse.BooleanOptionalAction, default=True,
                   help="include the full Java API (Interpreter, runSignature...), not only the stable "
                        "InterpreterApi subset (default: on)")
    p.add_argument("--align-16kb", action=argparse.BooleanOptionalAction, default=True,
                   help="link the native libraries with 16 KB LOAD alignment "
                        "(--linkopt=-Wl,-z,max-page-size=16384, as NDK r27+ does), which Google Play requires "
                        "for apps targeting Android 15+ (default: on)")
    p.add_argument("--ndk-version", metavar="REV",
                   help="declare the NDK revision (e.g. 26.3.11579264, as Gradle's android.ndkVersion): it enters "
                        "the runtime's version, and a build whose NDK differs is refused; undeclared, the NDK "
                        "found is only recorded in ops.json")
    p.add_argument("--android-api-level", metavar="N",
                   help="declare the native libraries' minimum API level: it enters the runtime's version, a "
                        "downloaded release is configured with it, and a tree that sets another is refused; "
                        "undeclared, the level the tree sets is recorded in ops.json and the AAR manifest; "
                        "--backend cmake builds its Android ABIs for it (this, else --min-sdk, is required there)")
    p.add_argument("--min-sdk", metavar="N",
                   help="the app's minSdk: the API level the CMake backend builds the Android libraries for when "
                        "--android-api-level is not given (a declared input: it enters the version)")
    p.add_argument("--backend", choices=tuple(BACKENDS),
                   help="cmake: TFLite's CMake build with the NDK found (or the host compiler for --target-archs "
                        "host), no Bazel; local: Bazel; docker: TensorFlow's tflite-android image. Default: "
                        "chosen, and said in one line: docker for --checkpoint, local when a Bazel option "
                        "(--bazel, --bazel-arg, --custom-ops-deps) is given or the --source tree is configured "
                        "for Bazel, or the models use Flex ops; else cmake")
    p.add_argument("--opt-level", choices=tuple(cmake_flags.OPT_LEVELS), default=cmake_flags.DEFAULT_OPT_LEVEL,
                   help=f"--backend cmake: -O level of all it compiles (default {cmake_flags.DEFAULT_OPT_LEVEL})")
    p.add_argument("--lto", action=argparse.BooleanOptionalAction, default=cmake_flags.DEFAULT_LTO,
                   help="--backend cmake: link-time optimization of all it compiles (CMake's "
                        f"INTERPROCEDURAL_OPTIMIZATION; default {'on' if cmake_flags.DEFAULT_LTO else 'off'}); "
                        "part of the runtime's version")
    p.add_argument("--no-xnnpack", dest="xnnpack", action="store_false",
                   help="--backend cmake: leave the XNNPACK delegate out of the library (default: in, applied by the "
                        "Java API by default as in stock LiteRT; its dependencies are fetched at the tree's pins): "
                        "smaller, slower float models; part of the runtime's version")
    p.add_argument("--checkpoint", metavar="REV",
                   help="with --backend docker: build TensorFlow at this commit, branch or tag")
    p.add_argument("--bazel-arg", action="append", default=[], metavar="ARG",
                   help="extra argument for every 'bazel build' (repeatable), e.g. --bazel-arg=--jobs=8")
    p.add_argument("--cache-dir", metavar="DIR",
                   help="cache directory (default: $TFLITE_SLIM_CACHE, else $XDG_CACHE_HOME/tflite-slim, "
                        "else ~/.cache/tflite-slim)")


def add_tool_options(p: argparse.ArgumentParser, listed: bool = True) -> None:
    """The options that choose the tools a build runs and how, none of which can change its plan.

    ``plan`` takes them unlisted (``listed=False``), so one command line serves both commands (the
    Gradle plugin passes its build options to both).
    """
    def shown(text: str) -> str:
        return text if listed else argparse.SUPPRESS

    p.add_argument("--alignment-check", choices=("error", "warn"),
                   help=shown("a 64-bit library (arm64-v8a, x86_64) aligned below 16 KB fails the build (error) "
                              "or is only reported (warn); default: error with --align-16kb, warn with "
                              "--no-align-16kb"))
    p.add_argument("--bazel", default="bazel", type=program_path, metavar="PATH",
                   help=shown("Bazel (or bazelisk) to run: a name on PATH, or a path (relative to the current "
                              "directory) (default: bazel)"))
    p.add_argument("--docker", default="docker", metavar="PATH", help=shown("Docker client to run (default: docker)"))
    cm = p.add_argument_group("--backend cmake") if listed else p
    cm.add_argument("--cmake", default="cmake", type=program_path, metavar="PATH",
                    help=shown("CMake 3.19+ (default: found: on PATH, else the Android SDK's cmake/<version>/bin)"))
    cm.add_argument("--ninja", default="ninja", type=program_path, metavar="PATH",
                    help=shown("Ninja (default: found: beside that CMake, on PATH, else the SDK's "
                               "cmake/<version>/bin)"))
    cm.add_argument("--cxx", type=program_path, metavar="PATH",
                    help=shown("C++ compiler for host ABIs (default: c++; a cross compiler such as "
                               "aarch64-linux-gnu-g++ for the other host ABI); $CXX, $CC and the shell's compile and "
                               "link flags are not read"))
    cm.add_argument("--sdk", metavar="DIR",
                    help=shown("the Android SDK (default: $ANDROID_HOME, $ANDROID_SDK_ROOT, else sdk.dir in "
                               "./local.properties, as Android Studio writes it); its ndk/ and cmake/ are searched"))
    cm.add_argument("--ndk", metavar="DIR",
                    help=shown("the NDK (as Gradle's android.ndkPath; default: $ANDROID_NDK_HOME, "
                               "$ANDROID_NDK_ROOT, else the SDK's ndk/<--ndk-version>, else its newest "
                               "ndk/<revision>)"))
    cm.add_argument("--dep-mirror", metavar="URL",
                    help=shown("download the CMake dependencies and TensorFlow's files from this mirror instead of "
                               "their upstream hosts: a base URL where NAME/REVISION.tar.gz is looked up "
                               "(eigen/4c38131a....tar.gz, tensorflow/v2.20.0.tar.gz), or a template with "
                               "{name} and {revision}; also $TFLITE_SLIM_DEP_MIRROR"))
    cm.add_argument("--cmake-dep-source", action="append", default=[], metavar="NAME=DIR",
                    help=shown("take the CMake dependency NAME (as TFLite's tools/cmake/modules name it: "
                               "abseil-cpp, eigen, flatbuffers, ...) from local DIR instead of downloading it "
                               "(FETCHCONTENT_SOURCE_DIR_<NAME>; repeatable): a team mirror or an offline machine"))
    cm.add_argument("--tensorflow-source-dir", metavar="DIR",
                    help=shown("TENSORFLOW_SOURCE_DIR for LiteRT's CMake build: a TensorFlow checkout (or an "
                               "extract of the paths docs/sources.md lists) at the revision the release goes with "
                               "(default: tflite-slim downloads those paths)"))
    cm.add_argument("--jobs", type=int, metavar="N", help=shown("parallel compile jobs (default: Ninja's)"))
    cm.add_argument("--compiler-cache", choices=compiler_cache.CHOICES, default="auto",
                    help=shown("run the compiles through ccache or sccache (default auto: ccache, else sccache, "
                               "else none, whichever is on PATH)"))
    cm.add_argument("--compiler-cache-dir", metavar="DIR",
                    help=shown("the compiler cache's local storage (default: <cache dir>/compiler-cache/<kind>)"))
    cm.add_argument("--compiler-cache-remote", metavar="URL",
                    help=shown("a cache the team shares: an http:// or https:// WebDAV URL (ccache, sccache; Bazel's "
                               "--remote_cache with --backend local), or s3:// or "
                               f"redis:// (sccache); credentials from {compiler_cache.ENV_USERNAME} and "
                               f"{compiler_cache.ENV_PASSWORD}, never the URL"))
    cm.add_argument("--compiler-cache-read-only", action="store_true",
                    help=shown("read the shared cache, never write it (developers; CI writes)"))
    p.add_argument("--bazel-public-cache", action="store_true",
                   help=shown("--backend local: read LiteRT's public Bazel remote cache (--config=public_cache, "
                              "where the tree's .bazelrc defines it); --compiler-cache-remote URL gives Bazel "
                              "a cache of the team's own (--remote_cache)"))
    p.add_argument("--no-cache", dest="use_cache", action="store_false",
                   help=shown("always run the build and do not store the result"))


def backend_reason(prepared: builder.Prepared) -> str:
    """Why this backend builds: declared with ``--backend``, or the line the tool's choice said (without its
    ``tflite-slim: backend NAME`` head)."""
    if not prepared.chosen:
        return "declared with --backend"
    said = prepared.chosen.removeprefix(f"tflite-slim: backend {prepared.backend_name} ").strip()
    m = re.match(r"\(([^)]*)\):\s*(.*)", said)
    if m is None:
        return said
    # "(no --backend given): why" reads "no --backend given: why"; "(Bazel): why" only repeats the title.
    return m.group(2) if m.group(1) == "Bazel" else f"{m.group(1)}: {m.group(2)}"


def _split(values: list[str]) -> tuple[str, ...]:
    return tuple(v.strip() for item in values for v in item.split(",") if v.strip())


def settings_from_args(args: argparse.Namespace) -> builder.BuildSettings:
    return builder.BuildSettings(
        models=tuple(find_models(args.paths, tuple(args.glob or DEFAULT_GLOBS))),
        out=args.out,
        tensorflow_src=args.tensorflow_src,
        tensorflow_version=args.tensorflow_version,
        litert_version=args.litert_version,
        abis=parse_abis(args.target_archs),
        backend=args.backend,
        checkpoint=args.checkpoint,
        # The plural options are lists in one value; the singular ones (what the plugin passes) are one value.
        custom_ops_srcs=(*_split(args.custom_ops_srcs), *args.custom_ops_src),
        custom_ops_deps=(*_split(args.custom_ops_deps), *args.custom_ops_dep),
        bazel=args.bazel,
        bazel_args=tuple(args.bazel_arg),
        docker=args.docker,
        experimental_api=args.experimental_api,
        align_16kb=args.align_16kb,
        alignment_check=args.alignment_check,
        dry_run=args.dry_run,
        cache_dir=args.cache_dir,
        use_cache=args.use_cache,
        ndk_version=args.ndk_version,
        android_api_level=parse_api_level(args.android_api_level),
        min_sdk=_min_sdk(args.min_sdk),
        sdk=args.sdk,
        cmake=_cmake_settings(args),
        compiler_cache=_cache_settings(args),
        stock_compare=args.stock_compare,
        stock_aar=getattr(args, "stock_aar", None),
        litert_source=getattr(args, "litert_source", None),
    )


def _min_sdk(value: Optional[str]) -> Optional[int]:
    try:
        return parse_api_level(value)
    except UsageError as e:
        raise UsageError(str(e).replace("--android-api-level", "--min-sdk")) from e


def _cmake_settings(args: argparse.Namespace) -> CmakeSettings:
    try:
        deps = parse_dep_sources(args.cmake_dep_source)
    except ValueError as e:
        raise UsageError(f"--cmake-dep-source {e}: give NAME=DIR, e.g. eigen=/mirror/eigen") from e
    for name, path in deps.items():
        if not os.path.isdir(path):
            raise UsageError(f"--cmake-dep-source {name}={path}: not a directory")
    if args.tensorflow_source_dir:
        _check_tensorflow_dir(args.tensorflow_source_dir)
    mirror = args.dep_mirror or os.environ.get("TFLITE_SLIM_DEP_MIRROR") or None
    refused = cmakedeps.check_mirror(mirror) if mirror else None
    if refused:
        raise UsageError(refused)
    return CmakeSettings(cmake=args.cmake, ninja=args.ninja, cxx=args.cxx,
                         dep_sources={k: os.path.abspath(v) for k, v in deps.items()},
                         tensorflow_dir=os.path.abspath(args.tensorflow_source_dir)
                         if args.tensorflow_source_dir else None, jobs=args.jobs,
                         ndk=os.path.abspath(args.ndk) if args.ndk else None,
                         dep_mirror=mirror, xnnpack=args.xnnpack, flags=cmake_flags.Flags(opt_level=args.opt_level, lto=args.lto))


def _check_tensorflow_dir(path: str) -> None:
    """``--tensorflow-source-dir`` holds what LiteRT's CMake build reads from TensorFlow (checked now, not
    after a configure: CMake would otherwise fail on the first missing file, or fetch its own copy)."""
    if not os.path.isdir(path):
        raise UsageError(f"--tensorflow-source-dir {path}: not a directory; give a TensorFlow checkout (or an "
                         "extract of it) at the revision the LiteRT tree pins")
    missing = cmakedeps.missing_tensorflow_paths(Path(path))
    if missing:
        raise UsageError(f"--tensorflow-source-dir {path}: missing {', '.join(missing)}; LiteRT's CMake build "
                         f"reads {', '.join(cmakedeps.TENSORFLOW_PATHS)} from TensorFlow (leave the option out and "
                         "tflite-slim fetches them at the revision the tree pins)")


def _cache_settings(args: argparse.Namespace) -> compiler_cache.CacheSettings:
    return compiler_cache.CacheSettings(
        args.compiler_cache, os.path.abspath(args.compiler_cache_dir) if args.compiler_cache_dir else None,
        args.compiler_cache_remote, args.compiler_cache_read_only, args.bazel_public_cache)


def run(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    if litert2build.is_litert2(settings):
        if args.html and not settings.dry_run:
            _check_html(args.html, settings.out, list(settings.models))
        return _litert2(args, settings)
    if settings.dry_run:
        return _dry_run(args, settings)
    if args.html:
        _check_html(args.html, settings.out, [*settings.models, *settings.custom_ops_srcs])
    try:
        result = builder.build(settings)
    except ToolMissing as e:
        raise ToolMissing(f"{e}. Without it, `tflite-slim analyze MODELS` still reports the models' ops and "
                          "`tflite-slim build ... --dry-run` shows the plan and every command") from e
    state = "reused from cache" if result.cached else "built"
    print(f"{state}: plan {result.plan.fingerprint[:12]} -> {result.out}", file=sys.stderr)
    for r in result.reports:
        align = dict(r.so_load_align)
        sizes = ", ".join(f"{abi} {_mib(n)} ({_kib(align[abi])} pages)" for abi, n in r.so_sizes)
        print(f"  {r.file_name}: {_mib(r.size)} (native .so: {sizes})", file=sys.stderr)
    if result.size_rows:
        print("sizes against the stock runtime of the same release:", file=sys.stderr)
        for line in stock_sizes.render_text(result.size_rows):
            print(line, file=sys.stderr)
    print(f"  {os.path.join(str(result.out), builder.OPS_JSON)}", file=sys.stderr)
    if args.html:
        _write_html(args.html, settings.models, result.size_rows)
    return 0


def _litert2(args: argparse.Namespace, settings: builder.BuildSettings) -> int:
    """``--litert-version 2.x.y``: the drop-in ``litert.aar`` (:mod:`tflite_slim.runtime.litert2build`), or with
    ``--backend local --dry-run`` the Bazel path's spec."""
    if settings.dry_run and settings.backend == "local":
        sys.stdout.write(litert2build.bazel_dry_run(settings))
        return 0
    result = litert2build.build(settings, lambda line: print(line, file=sys.stderr, flush=True))
    print(f"built: LiteRT {result.version} ({result.line}) -> {result.out}", file=sys.stderr)
    libs = ", ".join(f"{abi} {_mib(n)}" for abi, n in result.libraries)
    print(f"  {litert2build.AAR_FILE}: libLiteRt.so {libs}", file=sys.stderr)
    print("sizes against the stock runtime of the same release (--stock-aar):", file=sys.stderr)
    for line in stock_sizes.render_text(result.size_rows):
        print(line, file=sys.stderr)
    print(f"  {os.path.join(str(result.out), builder.OPS_JSON)}", file=sys.stderr)
    if args.html:
        _write_html(args.html, settings.models, result.size_rows)
    return 0


def _write_html(html: str, models: Sequence[str], rows) -> None:
    """The op report of the models with the slim-vs-stock chart (``--html``)."""
    from tflite_slim.analysis import analyzer, html_page, report

    bars = stock_sizes.chart_data(stock_sizes.to_record(rows))
    report.write_text_atomic(html, html_page.render_html(analyzer.analyze_files(models), sizes=bars))
    print(f"  {html}", file=sys.stderr)


def _dry_run(args: argparse.Namespace, settings: builder.BuildSettings) -> int:
    """Print what the build would do; its exit status is the build's when a problem would stop it."""
    from tflite_slim.runtime.estimates import overview

    p = builder.prepare(settings)
    o = overview.gather(p.plan, p.models, p.job, p.backend, backend=p.backend_name,
                        backend_reason=backend_reason(p),
                        cpus=os.cpu_count() or 1, stock_compare=settings.stock_compare)
    out = sys.stdout
    if args.format == "json":
        out.write(dumps(_dry_run_json(p, overview.to_json(o))))
    else:
        out.writelines(line + "\n" for line in overview.render_text(o))
        out.write("\nCommands it would run:\n")
        out.writelines(f"  {display_argv(c)}\n" for c in p.commands)
        if getattr(args, "verbose", False):
            _dry_run_details(p, out)
        else:
            out.write("\n(every detail, with the generated files: --format json, or tflite-slim -v build ... --dry-run)\n")
        if p.problems:
            out.write("\nProblems (the build would stop):\n")
            out.writelines(f"  - {n}\n" for n in p.problems)
    if p.problems:
        # The build would stop here; the dry run says so the same way, after showing the plan.
        print(f"error: {p.problems[0]}", file=sys.stderr)
        return ToolchainError.exit_code
    return 0


def _bazel(p: builder.Prepared) -> bool:
    """Whether a Bazel backend builds (only they read the generated BUILD file)."""
    return not p.plan.backend


def _dry_run_json(p: builder.Prepared, estimates: dict) -> dict:
    return {
        "plan": p.plan.describe(),
        "build_file": {"path": f"<{p.plan.source}>/{p.package.path}/BUILD", "text": p.package.build_file}
        if _bazel(p) else None,
        "package_files": [{"source": src, "name": name} for src, name in p.package.files],
        "registration": p.registration,
        "commands": [display_argv(c) for c in p.commands],
        "notes": list(p.notes),
        "problems": list(p.problems),
        "estimates": estimates,
    }


def _dry_run_details(p: builder.Prepared, out) -> None:
    """The plan and the generated files, as sections (``-v``)."""
    out.write("\n# Build plan\n" + dumps(p.plan.describe()))
    if _bazel(p):
        out.write(f"\n# BUILD file: <{p.plan.source}>/{p.package.path}/BUILD\n{p.package.build_file}")
    out.write("\n# Package files (source -> name in the package)\n")
    out.writelines(f"{src} -> {name}\n" for src, name in p.package.files)
    out.write(f"\n# Registration code (what gen_op_registration will generate)\n{p.registration}")
    out.write("\n# Differences from TensorFlow's build_aar.sh\n" if _bazel(p) else "\n# Notes\n")
    out.writelines(f"- {n}\n" for n in p.notes)


def _check_html(html: str, out: Optional[str], inputs: Sequence[str]) -> None:
    """Refuse an --html FILE we could not write, one of the ``inputs`` (a model: analyze's -o rule), or one
    inside OUT (replaced as a whole), before building."""
    from pathlib import Path

    from tflite_slim.analysis.report import check_outputs
    from tflite_slim.commands.options import check_output_path

    check_outputs({"--html": html}, inputs)

    if out and Path(out).resolve() in Path(html).resolve().parents:
        raise UsageError(f"--html {html}: inside --out {out}, which the build replaces as a whole; "
                         "write the page elsewhere")
    check_output_path(Path(html), "--html")


def _kib(n: int) -> str:
    return f"{n // 1024} KB" if n >= 1024 and n % 1024 == 0 else f"{n} B"


def _mib(n: int) -> str:
    return f"{n / (1 << 20):.2f} MiB" if n >= 1 << 20 else f"{n / 1024:.1f} KiB"
