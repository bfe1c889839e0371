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
import os
import signal
import sys
import threading
from typing import Any, Optional, Sequence

from tflite_slim import __version__
from tflite_slim.errors import TfliteSlimError

#: Subcommands, in the order ``--help`` lists them (the pipeline's order).
COMMANDS = ("analyze", "verify", "plan", "build", "install", "deploy")

#: What ``--help`` says of each command. Kept here so that ``--help`` and a run
#: of one command import no other command's module: they pull in their library
#: (``build`` and ``deploy`` need requests, ``install`` lxml), which took most
#: of a cold start. tests/test_cli.py checks these match the modules' own help.
SUMMARIES = {
    "analyze": "list the operators (and versions) a set of .tflite models needs",
    "verify": "check that a built runtime has every op (and version) the models need",
    "plan": "preview a build of these models: ops, downloads, time, size (no toolchain)",
    "build": "build a runtime AAR with only the ops your models use, with Bazel or CMake",
    "install": "install built AARs into the local Maven repository",
    "deploy": "upload built AARs to a remote Maven repository",
}


def build_parser(commands: Sequence[str] = COMMANDS) -> argparse.ArgumentParser:
    """The parser, with the full subparsers of ``commands`` (their modules imported) and summaries of the rest."""
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
        if name in commands:
            importlib.import_module(f"tflite_slim.commands.{name}").register(sub)
        else:
            sub.add_parser(name, help=SUMMARIES[name], add_help=False)
    return parser


def _command_in(argv: Sequence[str]) -> tuple[str, ...]:
    """The command ``argv`` names: its first word that is not an option (no top-level option takes a value)."""
    first = next((a for a in argv if not a.startswith("-")), None)
    return (first,) if first in COMMANDS else ()


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(_command_in(argv))
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    previous = _stop_on_sigterm()
    _stop_on_stdin_eof()
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
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


#: Set to ``1`` by the Gradle plugin on Windows: the end of our standard input means "stop".
STOP_ON_STDIN_EOF = "TFLITE_SLIM_STOP_ON_STDIN_EOF"


def _stop_on_stdin_eof() -> Optional[threading.Thread]:
    """With :data:`STOP_ON_STDIN_EOF` set, treat the end of standard input like Ctrl-C; returns the watcher.

    On Windows the plugin cannot send SIGTERM (``Process.destroy()`` terminates
    the process outright, leaving Bazel running and temp dirs behind), so it
    keeps our stdin open and closes it to cancel. Off unless asked: a person's
    terminal or ``< /dev/null`` must not stop the tool.
    """
    if os.environ.get(STOP_ON_STDIN_EOF) != "1" or sys.stdin is None:
        return None
    if threading.current_thread() is not threading.main_thread():
        return None
    stdin = sys.stdin.buffer

    def watch() -> None:
        try:
            while stdin.read1(4096):
                pass  # nothing is sent; only the end matters
        except (OSError, ValueError):
            pass
        _interrupt_main()

    watcher = threading.Thread(target=watch, name="stop-on-stdin-eof", daemon=True)
    watcher.start()
    return watcher


def _interrupt_main() -> None:
    """KeyboardInterrupt in the main thread, even when it is blocked reading a child's output.

    POSIX (how the plugin's tests simulate Windows): a SIGINT aimed at the main
    thread interrupts its blocking read. Windows has no per-thread signals:
    the interrupt is raised when the main thread next runs Python code (a
    child's next output line, or its end).
    """
    if hasattr(signal, "pthread_kill"):
        signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)
    else:
        import _thread

        _thread.interrupt_main()


def _stop_on_sigterm() -> Optional[Any]:
    """Treat SIGTERM like Ctrl-C; returns the handler to restore (None when not in the main thread).

    Gradle cancels the plugin's task with Process.destroy(), a SIGTERM: without
    this the tool would die at once, leaving Bazel building and temp dirs behind.
    """
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, _interrupted)
