"""Options more than one command takes; not a command itself (cli.COMMANDS names those).

Kept apart from the command modules so that a command reusing an option
imports no other command (and none of its library: install's pulls in lxml).
"""

from __future__ import annotations

import argparse
import os
import sys
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from tflite_slim import files
from tflite_slim.errors import UsageError

if TYPE_CHECKING:
    from tflite_slim.http import HttpClient
    from tflite_slim.maven.remote import Target
    from tflite_slim.maven.settings import Credentials


class _Paragraphs(argparse.HelpFormatter):
    """Wraps each paragraph of a description on its own, so the summary line stays a line of its own."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n\n".join(super(_Paragraphs, self)._fill_text(p, width, indent) for p in text.split("\n\n"))


def add_command(sub: argparse._SubParsersAction, name: str, summary: str, details: str,
                **kwargs: Any) -> argparse.ArgumentParser:
    """A subcommand whose ``--help`` opens with ``summary`` as one sentence, then ``details``.

    ``summary`` is also what ``tflite-slim --help`` lists (cli.SUMMARIES says the same).
    """
    return sub.add_parser(name, help=summary, description=f"{summary[0].upper()}{summary[1:]}.\n\n{details}",
                          formatter_class=_Paragraphs, **kwargs)


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


def add_credential_options(p: argparse.ArgumentParser) -> None:
    """How ``deploy`` and ``verify --url`` authenticate to a repository (read by :func:`credentials_from_args`)."""
    p.add_argument("--username", help="user name; the password comes from --password-env")
    p.add_argument("--password-env", metavar="VAR", help="environment variable holding the password or token")
    p.add_argument(
        "--server-id", metavar="ID", help="take credentials from <server><id>ID</id> in ~/.m2/settings.xml"
    )
    p.add_argument(
        "--no-netrc",
        action="store_true",
        help="never take credentials from ~/.netrc ($NETRC), not even its default entry: only --username or "
        "--server-id, else none (for a build tool that states the repository's credentials itself)",
    )
    p.add_argument(
        "--allow-insecure-http",
        action="store_true",
        help="allow credentials over plain http:// to another machine (like Gradle's allowInsecureProtocol); "
        "refused without it, except for loopback addresses",
    )


def credentials_from_args(args: argparse.Namespace, url: str) -> Optional["Credentials"]:
    """--username/--password-env, else --server-id, else ~/.netrc for the host (unless --no-netrc), else none."""
    from tflite_slim.maven import settings  # lxml: only for the commands that talk to a repository

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
    if getattr(args, "no_netrc", False):
        return None
    return settings.netrc_credentials(urllib.parse.urlsplit(url).hostname or "")


def open_repository(args: argparse.Namespace, url: str, *, what: str, retries: int = 3) -> tuple["Target", "HttpClient"]:
    """The repository at ``url`` (checked by ``remote.check_url``) and a client sending exactly its credentials.

    Credentials from the options above are refused over plain http to another
    machine; plain http without them is a warning on stderr naming ``what`` travels.
    """
    from tflite_slim.http import HttpClient
    from tflite_slim.maven import remote

    creds = credentials_from_args(args, url)
    source = creds.source if creds else None
    warning = remote.check_transport(url, source, args.allow_insecure_http, what)
    if warning:
        print(f"warning: {warning}", file=sys.stderr)
    # HttpClient sends these or nothing: never what requests would find in a netrc file itself.
    client = HttpClient(auth=creds.as_auth() if creds else None, retries=retries)
    return remote.Target(url, source), client


def check_output_path(path: Path, setting: str) -> None:
    """Refuse an output file we could not write, before the install changes anything.

    Writing it is the last step; finding out only then would leave the
    repository changed and the command failed.
    """
    target = path.resolve()
    if target.is_dir():
        raise UsageError(f"{setting} {path}: is a directory; give a file path")
    try:  # a symlink, socket or other non-regular file there is refused, never replaced
        files.check_output(path)
    except OSError as e:
        raise UsageError(f"{setting} {path}: cannot write it ({e.strerror or e})") from e
    if not target.parent.is_dir():
        raise UsageError(
            f"{setting} {path}: directory {target.parent} does not exist; create it or choose another path"
        )
    if not os.access(target.parent, os.W_OK | os.X_OK):
        raise UsageError(f"{setting} {path}: directory {target.parent} is not writable; choose another path")
