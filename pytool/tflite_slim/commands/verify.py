"""``tflite-slim verify``: placeholder until its issue lands."""

from __future__ import annotations

import argparse

from tflite_slim.errors import UsageError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("verify", help="(not available yet)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    raise UsageError("'verify' is not available in this version yet")
