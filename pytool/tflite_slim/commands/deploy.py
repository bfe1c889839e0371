"""``tflite-slim deploy``: upload built AARs, POMs and ops.json to a shared Maven repository."""

from __future__ import annotations

import argparse
from pathlib import Path

from tflite_slim.maven import remote
from tflite_slim.commands.install import add_publication_options, publication_from_args
from tflite_slim.commands.options import add_command, add_credential_options, open_repository
from tflite_slim.errors import UsageError


SUMMARY = "upload built AARs to a remote Maven repository"


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(
        sub, "deploy", SUMMARY,
        "Uploads what 'tflite-slim build --out OUT_DIR' produced (or one --aar) to a Maven repository with HTTP "
        "PUT, then updates its maven-metadata.xml, as 'mvn deploy' does. Files already there must have the same "
        "bytes (a rerun finishes a failed deploy); other bytes are refused. Redirects are never followed.",
    )
    p.add_argument("out_dir", nargs="?", type=Path, metavar="OUT_DIR", help="the build output directory")
    add_publication_options(p)
    p.add_argument_group("required").add_argument(
        "--url", required=True, help="base URL of the repository, e.g. https://repo.example/maven")
    add_credential_options(p)
    p.add_argument(
        "--retries", type=int, default=3, metavar="N", help="retries per request on 5xx and network errors (default 3)"
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    url = remote.check_url(args.url)
    if args.retries < 0:
        raise UsageError("--retries must be 0 or more")
    pub = publication_from_args(args)
    target, client = open_repository(args, url, what="the upload", retries=args.retries)
    with client:
        remote.deploy(pub, target, client, progress=print)
    return 0
