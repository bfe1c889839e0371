"""``tflite-slim deploy``: upload built AARs, POMs and ops.json to a shared Maven repository."""

from __future__ import annotations

import argparse
import sys
import urllib.parse
from pathlib import Path
from typing import Optional

from tflite_slim.maven import remote, settings
from tflite_slim.commands.install import add_publication_options, publication_from_args
from tflite_slim.errors import UsageError
from tflite_slim.http import HttpClient


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "deploy",
        help="upload built AARs to a remote Maven repository",
        description="Upload what 'tflite-slim build --out OUT_DIR' produced (or one --aar) to a Maven repository "
        "with HTTP PUT, then update its maven-metadata.xml, as 'mvn deploy' does. Files already there must have the "
        "same bytes (a rerun finishes a failed deploy); other bytes are refused. Redirects are never followed.",
    )
    p.add_argument("out_dir", nargs="?", type=Path, metavar="OUT_DIR", help="the build output directory")
    add_publication_options(p)
    p.add_argument("--url", required=True, help="base URL of the repository, e.g. https://repo.example/maven")
    p.add_argument("--username", help="user name; the password comes from --password-env")
    p.add_argument("--password-env", metavar="VAR", help="environment variable holding the password or token")
    p.add_argument(
        "--server-id", metavar="ID", help="take credentials from <server><id>ID</id> in ~/.m2/settings.xml"
    )
    p.add_argument(
        "--allow-insecure-http",
        action="store_true",
        help="allow credentials over plain http:// to another machine (like Gradle's allowInsecureProtocol); "
        "refused without it, except for loopback addresses",
    )
    p.add_argument(
        "--retries", type=int, default=3, metavar="N", help="retries per request on 5xx and network errors (default 3)"
    )
    p.set_defaults(run=run)


def credentials_from_args(args: argparse.Namespace, url: str) -> Optional[settings.Credentials]:
    """--username/--password-env, else --server-id, else ~/.netrc for the host, else none."""
    if args.password_env and not args.username:
        raise UsageError("--password-env needs --username")
    if args.username:
        if args.server_id:
            raise UsageError("give either --username/--password-env or --server-id, not both")
        if not args.password_env:
            raise UsageError(
                "--username needs --password-env VAR (passwords are never taken from the command line)"
            )
        return settings.env_credentials(args.username, args.password_env)
    if args.server_id:
        return settings.server_credentials(args.server_id)
    return settings.netrc_credentials(urllib.parse.urlsplit(url).hostname or "")


def run(args: argparse.Namespace) -> int:
    url = remote.check_url(args.url)
    if args.retries < 0:
        raise UsageError("--retries must be 0 or more")
    pub = publication_from_args(args)
    creds = credentials_from_args(args, url)
    warning = remote.check_transport(url, creds.source if creds else None, args.allow_insecure_http)
    if warning:
        print(f"warning: {warning}", file=sys.stderr)
    target = remote.Target(url, creds.source if creds else None)
    # HttpClient sends these or nothing: never what requests would find in a netrc file itself.
    with HttpClient(auth=creds.as_auth() if creds else None, retries=args.retries) as client:
        remote.deploy(pub, target, client, progress=print)
    return 0
