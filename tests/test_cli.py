"""The CLI's contract: help, version, and how user errors are reported."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tflite_slim import __version__, cli
from tflite_slim.errors import UsageError


def _tool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tflite_slim", *args], capture_output=True, text=True)


def test_version():
    done = _tool("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"tflite-slim {__version__}"


def test_help_lists_every_command():
    done = _tool("--help")
    assert done.returncode == 0
    for name in cli.COMMANDS:
        assert name in done.stdout


def test_no_command_is_a_usage_error():
    done = _tool()
    assert done.returncode == 2 and "COMMAND" in done.stderr


def _failing(args):
    raise UsageError("--target-archs: 'x86' is not an Android ABI; use arm64-v8a, armeabi-v7a, x86 or x86_64")


def test_user_error_is_one_line_without_traceback(monkeypatch, capsys):
    monkeypatch.setattr(cli, "build_parser", lambda: _parser_with(_failing))
    assert cli.main(["boom"]) == 2
    err = capsys.readouterr().err
    assert err == "error: --target-archs: 'x86' is not an Android ABI; use arm64-v8a, armeabi-v7a, x86 or x86_64\n"


def test_verbose_shows_the_traceback(monkeypatch):
    monkeypatch.setattr(cli, "build_parser", lambda: _parser_with(_failing))
    with pytest.raises(UsageError):
        cli.main(["-v", "boom"])


def _parser_with(run):
    import argparse

    parser = argparse.ArgumentParser(prog="tflite-slim")
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("boom").set_defaults(run=run)
    return parser
