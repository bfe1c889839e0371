"""``tflite-slim verify --ops OPS_JSON PATH...``: does a built runtime cover these models?"""

from __future__ import annotations

import argparse
import os
import sys

from tflite_slim.analysis import runcheck
from tflite_slim.errors import UsageError
from tflite_slim.runtime import hostrun
from tflite_slim.analysis.analyzer import AnalyzeSettings, analyze
from tflite_slim.analysis.coverage import load_runtime, uncovered
from tflite_slim.analysis.discover import DEFAULT_GLOBS
from tflite_slim.analysis.report import write_stdout


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "verify",
        help="check that a built runtime (its ops.json) carries every op the models need",
        description=(
            "Flex ops are compared with their type attributes (T=DT_...). Exit status: 0 every model is covered; "
            "1 some op/version is missing (each listed with the models needing it) or a model could not be read; "
            "2 usage error (including an OPS_JSON that cannot be used)."
        ),
    )
    p.add_argument(
        "--ops", metavar="OPS_JSON",
        help="the build's ops.json (or analyze --format json output); default with --runtime: DIR/ops.json"
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="model file or directory (searched recursively)")
    p.add_argument(
        "--glob", action="append", metavar="PATTERN", help="file-name pattern in directories (default *.tflite)"
    )
    p.add_argument(
        "--run", dest="run_interpreter", action="store_true",
        help="also load each model with the LiteRT interpreter (pip package ai-edge-litert) and report any op "
        "it resolves that the op set lacks",
    )
    p.add_argument(
        "--runtime", metavar="DIR",
        help="with --run: run every model through this host build itself (tflite-slim build --backend cmake "
        "--target-archs host --out DIR) on a desktop JVM, not through the ai-edge-litert interpreter; each "
        "model is reported ok, missing op or failed, with TFLite's own message",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.runtime and not args.run_interpreter:
        raise UsageError("--runtime DIR runs the models through that build: add --run")
    if not args.ops and not args.runtime:
        raise UsageError("give --ops OPS_JSON (the build's ops.json), or --run --runtime DIR")
    args.ops = args.ops or os.path.join(args.runtime, "ops.json")
    runtime = load_runtime(args.ops)
    if runtime.warning:
        print(f"warning: {runtime.warning}", file=sys.stderr)
    if args.run_interpreter and not args.runtime:
        runcheck.require()  # before the analysis: a missing package is the one thing to say
    result = analyze(AnalyzeSettings(tuple(args.paths), tuple(args.glob or DEFAULT_GLOBS)))
    paths = [m.path for m in result.models]
    if args.runtime:
        interpreter_gap = _run_through(args.runtime, paths)
    else:
        interpreter_gap = bool(args.run_interpreter and runcheck.verify_run(runtime.ops, paths, args.ops))
    for failure in result.failures:
        print(f"error: {failure.path}: {failure.error}", file=sys.stderr)
    missing = uncovered(runtime.ops, result.models, runtime.flex_by_name)
    if missing:
        print(
            f"error: the runtime in {args.ops} lacks {len(missing)} op(s) that the models need; "
            "rebuild it from these models (tflite-slim build):",
            file=sys.stderr,
        )
        for item, paths in missing.items():
            print(f"  {item}: needed by {', '.join(paths)}", file=sys.stderr)
        return 1
    if result.failures or interpreter_gap:
        return 1
    n = len(result.models)
    write_stdout(f"ok: the runtime in {args.ops} covers all {n} model{'s' if n != 1 else ''}\n")
    return 0


def _run_through(runtime: str, paths: list[str]) -> bool:
    """Run the models through the host build; print one line each; True if any is not ok."""
    results = hostrun.run_models(runtime, paths)
    for r in results:
        first = r.message.strip().splitlines()[0] if r.message.strip() else ""
        line = f"{r.status}: {r.path}" + (f": {first}" if first else "")
        print(line, file=sys.stdout if r.status == hostrun.OK else sys.stderr)
    return any(r.status != hostrun.OK for r in results)
