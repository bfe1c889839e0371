"""``tflite-slim build PATH... --out DIR``: the trimmed runtime AAR(s) for these models."""

from __future__ import annotations

import argparse
import os
import sys

from tflite_slim import builder
from tflite_slim.discover import DEFAULT_GLOBS, find_models
from tflite_slim.errors import ToolchainError
from tflite_slim.opset import dumps
from tflite_slim.plan import DEFAULT_ABIS, parse_abis
from tflite_slim.process import format_argv


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "build",
        help="build tensorflow-lite.aar (and the Select TF ops AAR) with only the ops your models use",
        description=(
            "Drive TensorFlow's selective build (Bazel in a TensorFlow checkout configured for Android, "
            "or TensorFlow's Docker image) and write OUT/tensorflow-lite.aar, "
            "OUT/tensorflow-lite-select-tf-ops.aar (only with Flex ops) and OUT/ops.json. "
            "Builds are cached by op set: a model whose weights changed reuses the cached AARs."
        ),
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="model file or directory (searched recursively)")
    p.add_argument("--glob", action="append", metavar="PATTERN",
                   help=f"file-name pattern in directories (repeatable; default {' '.join(DEFAULT_GLOBS)})")
    p.add_argument("--out", metavar="DIR", help="output directory (replaced as a whole on success)")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--tensorflow-src", metavar="DIR", help="TensorFlow checkout to build in (./configure'd for Android)")
    src.add_argument("--tensorflow-version", metavar="X.Y.Z",
                     help="download TensorFlow's source for tag vX.Y.Z into the cache and build from it "
                          "(local backend: configured for Android from ANDROID_SDK_HOME/ANDROID_HOME and "
                          "ANDROID_NDK_HOME)")
    p.add_argument("--target-archs", default=",".join(DEFAULT_ABIS), metavar="ABIS",
                   help=f"comma-separated Android ABIs (default {','.join(DEFAULT_ABIS)}; "
                        "also x86, x86_64)")
    p.add_argument("--custom-ops-srcs", action="append", default=[], metavar="FILES",
                   help="kernel sources of your custom ops (comma-separated or repeated)")
    p.add_argument("--custom-ops-deps", action="append", default=[], metavar="LABELS",
                   help="Bazel labels the custom op sources depend on (comma-separated or repeated)")
    p.add_argument("--experimental-api", action=argparse.BooleanOptionalAction, default=True,
                   help="include the full Java API (Interpreter, runSignature...), not only the stable "
                        "InterpreterApi subset (default: on)")
    p.add_argument("--backend", choices=("local", "docker"), default="local",
                   help="local Bazel (default) or TensorFlow's tflite-android Docker image")
    p.add_argument("--checkpoint", metavar="REV",
                   help="with --backend docker: build TensorFlow at this commit, branch or tag")
    p.add_argument("--bazel", default="bazel", metavar="PATH", help="Bazel (or bazelisk) to run (default: bazel)")
    p.add_argument("--bazel-arg", action="append", default=[], metavar="ARG",
                   help="extra argument for every 'bazel build' (repeatable), e.g. --bazel-arg=--jobs=8")
    p.add_argument("--docker", default="docker", metavar="PATH", help="Docker client to run (default: docker)")
    p.add_argument("--cache-dir", metavar="DIR",
                   help="cache directory (default: $TFLITE_SLIM_CACHE, else $XDG_CACHE_HOME/tflite-slim, "
                        "else ~/.cache/tflite-slim)")
    p.add_argument("--no-cache", dest="use_cache", action="store_false",
                   help="always run Bazel and do not store the result")
    p.add_argument("--dry-run", action="store_true",
                   help="print the plan, BUILD file, registration code and commands; run nothing")
    p.set_defaults(run=run)


def _split(values: list[str]) -> tuple[str, ...]:
    return tuple(v.strip() for item in values for v in item.split(",") if v.strip())


def settings_from_args(args: argparse.Namespace) -> builder.BuildSettings:
    return builder.BuildSettings(
        models=tuple(find_models(args.paths, tuple(args.glob or DEFAULT_GLOBS))),
        out=args.out,
        tensorflow_src=args.tensorflow_src,
        tensorflow_version=args.tensorflow_version,
        abis=parse_abis(args.target_archs),
        backend=args.backend,
        checkpoint=args.checkpoint,
        custom_ops_srcs=_split(args.custom_ops_srcs),
        custom_ops_deps=_split(args.custom_ops_deps),
        bazel=args.bazel,
        bazel_args=tuple(args.bazel_arg),
        docker=args.docker,
        experimental_api=args.experimental_api,
        dry_run=args.dry_run,
        cache_dir=args.cache_dir,
        use_cache=args.use_cache,
    )


def run(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    if settings.dry_run:
        p = builder.prepare(settings)
        out = sys.stdout
        out.write("# Build plan\n" + dumps(p.plan.describe()))
        out.write(f"\n# BUILD file: <tensorflow>/{p.package.path}/BUILD\n{p.package.build_file}")
        out.write("\n# Package files (source -> name in the package)\n")
        out.writelines(f"{src} -> {name}\n" for src, name in p.package.files)
        out.write(f"\n# Registration code (what gen_op_registration will generate)\n{p.registration}")
        out.write("\n# Commands\n")
        out.writelines(format_argv(c) + "\n" for c in p.commands)
        out.write("\n# Differences from TensorFlow's build_aar.sh\n")
        out.writelines(f"- {n}\n" for n in p.notes)
        if p.problems:
            # The build would stop here; the dry run says so the same way, after showing the plan.
            out.write("\n# Problems\n")
            out.writelines(f"- {n}\n" for n in p.problems)
            print(f"error: {p.problems[0]}", file=sys.stderr)
            return ToolchainError.exit_code
        return 0
    result = builder.build(settings)
    state = "reused from cache" if result.cached else "built"
    print(f"{state}: plan {result.plan.fingerprint[:12]} -> {result.out}", file=sys.stderr)
    for r in result.reports:
        sizes = ", ".join(f"{abi} {_mib(n)}" for abi, n in r.so_sizes)
        print(f"  {r.file_name}: {_mib(r.size)} (native .so: {sizes})", file=sys.stderr)
    print(f"  {os.path.join(str(result.out), builder.OPS_JSON)}", file=sys.stderr)
    return 0


def _mib(n: int) -> str:
    return f"{n / (1 << 20):.2f} MiB" if n >= 1 << 20 else f"{n / 1024:.1f} KiB"
