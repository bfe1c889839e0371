"""Options more than one command takes; not a command itself (cli.COMMANDS names those).

Kept apart from the command modules so that a command reusing an option
imports no other command (and none of its library: install's pulls in lxml).
"""

from __future__ import annotations

import argparse


def add_coordinate_options(p: argparse.ArgumentParser) -> None:
    """The coordinate overrides of ``install``, ``deploy`` and ``plan`` (read by ``CoordinateChoice``)."""
    p.add_argument("--group-id", metavar="G", help="groupId (default io.tfliteslim)")
    p.add_argument("--artifact-id", metavar="A",
                   help="runtime artifactId (default tensorflow-lite; litert for a LiteRT build)")
    p.add_argument(
        "--select-tf-ops-artifact-id",
        metavar="A",
        help="Select TF ops artifactId (default tensorflow-lite-select-tf-ops; litert-select-tf-ops for LiteRT)",
    )
    p.add_argument(
        "--version",
        dest="artifact_version",
        metavar="V",
        help="version (default <TensorFlow version>-slim-<first 12 hex of the build's plan_fingerprint>; "
        "<LiteRT version>-litert-slim-<...> for a LiteRT build)",
    )
