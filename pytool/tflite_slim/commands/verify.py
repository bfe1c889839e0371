"""``tflite-slim verify (--ops OPS_JSON | --url URL --coordinates G:A:V | --run --runtime DIR) PATH...``: does a built runtime cover these models?

With ``--url`` the runtime's deployed ``ops.json`` is read from that
repository and no other (the Gradle plugin's team flow on Gradle without
content filtering, where Gradle itself could take it from any repository).
"""

from __future__ import annotations

import argparse
import sys

from tflite_slim.analysis import runcheck
from tflite_slim.analysis.analyzer import AnalyzeSettings, analyze
from tflite_slim.analysis.coverage import Runtime, load_runtime, runtime_from_text, uncovered
from tflite_slim.analysis.discover import DEFAULT_GLOBS
from tflite_slim.analysis.report import write_stdout
from tflite_slim.commands.options import add_command, add_credential_options, open_repository
from tflite_slim.errors import MavenError, UsageError


SUMMARY = "check that a built runtime has every op (and version) the models need"
#: ``--repeat``: timed invokes per model after the warm-up (small: verify is a check first).
DEFAULT_REPEAT = 3


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(
        sub, "verify", SUMMARY,
        "The runtime's op set is read from its ops.json (--ops), from a Maven repository it was deployed to "
        "(--url with --coordinates), or the models are run through a host build of it (--run --runtime DIR); "
        "one of these is required. Flex ops are compared with their type attributes (T=DT_...). Exit status: "
        "0 every model is covered; 1 some op/version is missing (each listed with the models needing it) or a "
        "model could not be read; 2 usage error (including an OPS_JSON that cannot be used) or the repository "
        "cannot be read; 3 (--url) the runtime is not deployed there.",
    )
    required = p.add_argument_group("the runtime to check (required: --ops, --url, or --run --runtime)")
    where = required.add_mutually_exclusive_group()
    where.add_argument(
        "--ops", metavar="OPS_JSON",
        help="the build's ops.json (or analyze --format json output); default with --runtime: DIR/ops.json",
    )
    where.add_argument(
        "--url",
        help="read the ops.json deployed with --coordinates from this Maven repository (its base URL) and no other",
    )
    p.add_argument(
        "--coordinates", metavar="G:A:V", help="with --url: the runtime whose ops.json (classifier ops) to read"
    )
    add_credential_options(p)
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
        "--target-archs host --out DIR, or the -linux-x86_64.jar install/deploy published; its op set is the "
        "-ops.json beside it) on a desktop JVM, not through the ai-edge-litert interpreter; each "
        "model is reported ok, missing op or failed, with TFLite's own message",
    )
    p.add_argument(
        "--repeat", type=int, metavar="N",
        help="with --run --runtime: after each model's first invoke (the check, and a warm-up), invoke it N times "
        f"more and report the median time (default {DEFAULT_REPEAT}; 0: no timing)",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.runtime and not args.run_interpreter:
        raise UsageError("--runtime DIR runs the models through that build: add --run")
    if args.repeat is not None and not args.runtime:
        raise UsageError("--repeat times the models on a host build: give it with --run --runtime DIR")
    if args.repeat is not None and args.repeat < 0:
        raise UsageError(f"--repeat {args.repeat}: give 0 (no timing) or more timed invokes")
    if not args.ops and not args.runtime and args.url is None:
        raise UsageError("give --ops OPS_JSON (the build's ops.json), --url URL --coordinates G:A:V, "
                         "or --run --runtime DIR")
    if args.url is None and not args.ops:
        # Imported here: the host runner (jar, ELF and CMake helpers) is only for --runtime (cold start).
        from tflite_slim.runtime.artifacts import hostrun

        args.ops = hostrun.record_of(args.runtime)
    runtime = deployed_runtime(args) if args.url is not None else load_runtime(_local_only(args))
    if runtime.warning:
        print(f"warning: {runtime.warning}", file=sys.stderr)
    if args.run_interpreter and not args.runtime:
        runcheck.require()  # before the analysis: a missing package is the one thing to say
    result = analyze(AnalyzeSettings(tuple(args.paths), tuple(args.glob or DEFAULT_GLOBS)))
    paths = [m.path for m in result.models]
    if args.runtime:
        interpreter_gap = _run_through(args.runtime, paths, DEFAULT_REPEAT if args.repeat is None else args.repeat)
    else:
        interpreter_gap = bool(args.run_interpreter and runcheck.verify_run(runtime.ops, paths, runtime.path))
    for failure in result.failures:
        print(f"error: {failure.path}: {failure.error}", file=sys.stderr)
    missing = uncovered(runtime.ops, result.models, runtime.flex_by_name)
    if missing:
        print(
            f"error: the runtime in {runtime.path} lacks {len(missing)} op{'s' if len(missing) != 1 else ''} "
            "that the models need; "
            "rebuild it from these models (tflite-slim build):",
            file=sys.stderr,
        )
        for item, paths in missing.items():
            print(f"  {item}: needed by {', '.join(paths)}", file=sys.stderr)
        return 1
    if result.failures or interpreter_gap:
        return 1
    n = len(result.models)
    write_stdout(f"ok: the runtime in {runtime.path} covers {'the 1 model' if n == 1 else f'all {n} models'}\n")
    return 0


def _local_only(args: argparse.Namespace) -> str:
    """``--ops``, refusing the options that only mean something with ``--url``."""
    for given, option in ((args.coordinates, "--coordinates"), (args.username, "--username"),
                          (args.password_env, "--password-env"), (args.server_id, "--server-id"),
                          (args.allow_insecure_http, "--allow-insecure-http")):
        if given:
            raise UsageError(f"{option} goes with --url (reading a deployed ops.json); --ops reads a local file")
    return str(args.ops)


def deployed_runtime(args: argparse.Namespace) -> Runtime:
    """The op set of the ops.json deployed with ``--coordinates`` at ``--url``, read from there only.

    Not there (404/410) is :class:`NotDeployed` (exit 3); anything else that
    keeps us from reading it (redirects, refused credentials, an oversized or
    malformed file) is an error naming the URL, without its credentials.
    """
    # Imported here: checking a local ops.json needs neither requests nor lxml (cold start).
    from tflite_slim.http import redact_url
    from tflite_slim.maven import remote
    from tflite_slim.maven.coordinates import OPS_CLASSIFIER, OPS_EXTENSION, Coordinates

    url = remote.check_url(args.url)
    if not args.coordinates:
        raise UsageError("--url needs --coordinates G:A:V, the runtime whose ops.json to read")
    parts = args.coordinates.split(":")
    if len(parts) != 3:
        raise UsageError(f"--coordinates {args.coordinates!r} is not G:A:V (groupId:artifactId:version)")
    coordinates = Coordinates(*parts)
    target, client = open_repository(args, url, what="the op set (and so the verdict)")
    with client:
        data = remote.fetch(coordinates, OPS_EXTENSION, OPS_CLASSIFIER, target, client, limit=remote.MAX_OPS_JSON)
    where = redact_url(target.file_url(coordinates.file_path(OPS_EXTENSION, OPS_CLASSIFIER)))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise MavenError(f"{where}: not UTF-8 JSON ({e}); check what the repository holds at that path") from e
    return runtime_from_text(text, where)


def _run_through(runtime: str, paths: list[str], repeat: int) -> bool:
    """Run the models through the host build; print one line each (an ok one with its time); True if any is
    not ok."""
    from tflite_slim.runtime.artifacts import hostrun  # only for --runtime, as in run()

    results = hostrun.run_models(runtime, paths, repeat=repeat)
    for r in results:
        first = r.message.strip().splitlines()[0] if r.message.strip() else ""
        line = f"{r.status}: {r.path}" + (f": {first}" if first else "") + (f": {r.timing()}" if r.timing() else "")
        print(line, file=sys.stdout if r.status == hostrun.OK else sys.stderr)
    return any(r.status != hostrun.OK for r in results)
