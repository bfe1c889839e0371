"""``tflite-slim verify --ops OPS_JSON PATH...``: does a built runtime cover these models?"""

from __future__ import annotations

import argparse
import sys

from tflite_slim.analysis import runcheck
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
        "--ops", required=True, metavar="OPS_JSON", help="the build's ops.json (or analyze --format json output)"
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
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    runtime = load_runtime(args.ops)
    if runtime.warning:
        print(f"warning: {runtime.warning}", file=sys.stderr)
    if args.run_interpreter:
        runcheck.require()  # before the analysis: a missing package is the one thing to say
    result = analyze(AnalyzeSettings(tuple(args.paths), tuple(args.glob or DEFAULT_GLOBS)))
    paths = [m.path for m in result.models]
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
