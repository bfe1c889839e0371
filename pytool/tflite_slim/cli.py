"""``tflite-slim`` command line: parse the command name, dispatch, report errors.

Each subcommand lives in ``tflite_slim.commands.<name>`` and provides
``register(subparsers)`` (adds its parser and sets ``run``) and
``run(args) -> int``. Commands turn arguments into settings objects and call the
library; the library never parses argv or exits. User errors
(:class:`TfliteSlimError`) become one ``error: ...`` line; a traceback only
with ``--verbose``.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from typing import Optional, Sequence

from tflite_slim import __version__
from tflite_slim.errors import TfliteSlimError

#: Subcommands, in the order ``--help`` lists them (the pipeline's order).
COMMANDS = ("analyze", "verify", "plan", "build", "install", "deploy")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tflite-slim",
        description="Trim the TensorFlow Lite Android runtime to the operators your models use.",
    )
    parser.add_argument("--version", action="version", version=f"tflite-slim {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log every command run; show tracebacks on errors"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMANDS:
        importlib.import_module(f"tflite_slim.commands.{name}").register(sub)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.run(args) or 0)
    except TfliteSlimError as e:
        if args.verbose:
            raise
        print(f"error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
