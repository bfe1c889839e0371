"""``tflite-slim analyze``: placeholder until its issue lands."""

from __future__ import annotations

import argparse

from tflite_slim.errors import UsageError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("analyze", help="(not available yet)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    raise UsageError("'analyze' is not available in this version yet")
