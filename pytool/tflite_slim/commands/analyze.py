"""``tflite-slim analyze PATH...``: which operators do these models need?"""

from __future__ import annotations

import argparse
import sys

from tflite_slim.analysis.analyzer import AnalyzeSettings, analyze
from tflite_slim.analysis.discover import DEFAULT_GLOBS
from tflite_slim.analysis.opset import dumps
from tflite_slim.commands.options import add_command
from tflite_slim.analysis.html_page import render_html
from tflite_slim.analysis.report import check_outputs, render_text, write_stdout, write_text_atomic


SUMMARY = "list the operators (and versions) a set of .tflite models needs"


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(
        sub, "analyze", SUMMARY,
        "Reads .tflite models and reports every builtin op (with versions), custom op and Flex op they need. "
        "Exit status: 0 all files read, 1 some file was not a readable model (the others are still reported), "
        "2 usage error.",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="model file or directory (searched recursively)")
    p.add_argument(
        "--glob",
        action="append",
        metavar="PATTERN",
        help=f"file-name pattern to pick in directories (repeatable; default {' '.join(DEFAULT_GLOBS)}); "
        "files named on the command line are always analyzed",
    )
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    p.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of stdout")
    p.add_argument("--html", metavar="FILE",
                   help="also write a self-contained HTML report to FILE (its path is said on stderr)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = AnalyzeSettings(tuple(args.paths), tuple(args.glob or DEFAULT_GLOBS))
    result = analyze(settings)
    inputs = [*args.paths, *(m.path for m in result.models), *(f.path for f in result.failures)]
    check_outputs({"-o": args.output, "--html": args.html}, inputs)
    for failure in result.failures:
        print(f"error: {failure.path}: {failure.error}", file=sys.stderr)
    text = dumps(result.to_json()) if args.format == "json" else render_text(result)
    if args.output:
        write_text_atomic(args.output, text)
    else:
        write_stdout(text)
    if args.html:
        write_text_atomic(args.html, render_html(result))
        print(f"HTML report: {args.html}", file=sys.stderr)
    return 0 if result.ok else 1
