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
    monkeypatch.setattr(cli, "build_parser", lambda *_: _parser_with(_failing))
    assert cli.main(["boom"]) == 2
    err = capsys.readouterr().err
    assert err == "error: --target-archs: 'x86' is not an Android ABI; use arm64-v8a, armeabi-v7a, x86 or x86_64\n"


def test_verbose_shows_the_traceback(monkeypatch):
    monkeypatch.setattr(cli, "build_parser", lambda *_: _parser_with(_failing))
    with pytest.raises(UsageError):
        cli.main(["-v", "boom"])


def _parser_with(run):
    import argparse

    parser = argparse.ArgumentParser(prog="tflite-slim")
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("boom").set_defaults(run=run)
    return parser


def test_summaries_match_the_commands_own_help():
    """--help shows cli.SUMMARIES without importing the command modules; they must say the same."""
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, __import__("argparse")._SubParsersAction))
    assert {a.dest: a.help for a in sub._choices_actions} == cli.SUMMARIES
    assert tuple(cli.SUMMARIES) == cli.COMMANDS


_IMPORTED = "import sys; {code}; print(sorted(m for m in ('requests', 'lxml', 'urllib3') if m in sys.modules))"


@pytest.mark.parametrize(
    "code",
    [
        "import tflite_slim.commands.analyze",
        "import tflite_slim.commands.verify",
        "from tflite_slim import cli; cli.build_parser(cli._command_in(['analyze', 'x.tflite']))",
        "from tflite_slim import cli; cli.build_parser(cli._command_in(['--help']))",
    ],
)
def test_analysis_and_help_import_no_network_or_xml_library(code):
    """Cold start: analysis never needs requests or lxml, so neither is imported (fresh interpreter)."""
    done = subprocess.run([sys.executable, "-c", _IMPORTED.format(code=code)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("argv, command", [(["analyze", "a.tflite"], ("analyze",)), (["-v", "build", "x"], ("build",)),
                                           (["--help"], ()), (["bogus", "analyze"], ()), ([], ())])
def test_command_in_argv(argv, command):
    assert cli._command_in(argv) == command


def test_help_and_unknown_command_still_list_every_command():
    done = _tool("bogus")
    assert done.returncode == 2 and all(name in done.stderr for name in cli.COMMANDS)
    help_text = _tool("--help").stdout
    for name, summary in cli.SUMMARIES.items():
        assert name in help_text and summary.split()[0] in help_text


def _help(*argv: str) -> str:
    import os

    done = subprocess.run([sys.executable, "-m", "tflite_slim", *argv, "--help"], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "80"})
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("command", cli.COMMANDS)
def test_every_command_help_opens_with_one_summary_line(command):
    """After the usage, one line, one sentence: what the command does (then the details, apart)."""
    text = _help(command)
    paragraphs = text.split("\n\n")
    summary = next(p for p in paragraphs if not p.startswith("usage:"))
    assert "\n" not in summary and summary.endswith(".") and summary.count(". ") == 0, summary
    assert summary == cli.SUMMARIES[command][0].upper() + cli.SUMMARIES[command][1:] + "."
    assert len(summary) <= 80
    assert "(s)" not in text  # "1 model(s)": say the number's own form


@pytest.mark.parametrize("command, heading, option", [
    ("build", "required (except with --dry-run):", "--out DIR"),
    ("deploy", "required:", "--url URL"),
    ("verify", "the runtime to check (required: --ops, --url, or --run --runtime):", "--ops OPS_JSON"),
    ("build", "the source to build (required: one of):", "--source DIR, --tensorflow-src DIR"),
    ("plan", "the source to build (required: one of):", "--source DIR, --tensorflow-src DIR"),
])
def test_required_options_are_marked(command, heading, option):
    section = _help(command).split("\n" + heading + "\n", 1)[1].split("\n\n", 1)[0]
    assert section.lstrip().startswith(option)


def test_build_help_names_its_backends():
    text = " ".join(_help("build").split())
    assert "Bazel or CMake." in text and "(--backend cmake," in text and "(--backend docker)" in text
    # The default is what the build chooses without --backend: CMake, Bazel only for Flex models.
    assert "(--backend cmake, the default;" in text and "--backend local, the default" not in text


def _listed_options(text: str) -> set:
    """The options a help text offers: in the usage (``[--x``) and at the start of an option's line."""
    import re

    return set(re.findall(r"\[(--[a-z0-9-]+)", text)) | set(re.findall(r"^ {2,}(?:-\w, )?(--[a-z0-9-]+)", text, re.M))


def test_plan_help_lists_no_option_that_cannot_change_a_plan():
    text = _help("plan")
    listed = _listed_options(text)
    assert {"--target-archs", "--bazel-arg", "--cache-dir", "--backend", "--checkpoint", "--format",
            "--opt-level", "--lto", "--no-xnnpack"} <= listed  # the last three are declared and in the version
    for option in ("--bazel", "--docker", "--jobs", "--cmake", "--ninja", "--cxx", "--no-cache", "--alignment-check",
                   "--cmake-dep-source", "--tensorflow-source-dir", "--out", "--dry-run", "--html"):
        assert option not in listed, option
    assert "--jobs" in _listed_options(_help("build")) and "--bazel" in _listed_options(_help("build"))
    # Was 129 with build's tool options; 113 with --min-sdk and the backend choice; 125 with --opt-level and --no-xnnpack; 128 with --lto.
    assert len(text.splitlines()) < 130


#: Blocks the main thread in a read of a silent child's output, as the tool does while Bazel builds.
_BLOCKED_IN_A_READ = """
import subprocess, sys
from tflite_slim import cli
cli._stop_on_stdin_eof()
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
try:
    print("ready", flush=True)  # inside the try: the test closes stdin as soon as it reads this
    child.stdout.read()
except KeyboardInterrupt:
    child.kill()
    child.wait()
    print("stopped", flush=True)
    sys.exit(130)
"""


def _blocked_tool(env_value):
    import os

    env = {k: v for k, v in os.environ.items() if k != cli.STOP_ON_STDIN_EOF}
    if env_value is not None:
        env[cli.STOP_ON_STDIN_EOF] = env_value
    proc = subprocess.Popen([sys.executable, "-c", _BLOCKED_IN_A_READ], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout.readline() == "ready\n"
    return proc


def test_end_of_stdin_stops_the_tool_like_ctrl_c_when_asked():
    """The plugin's cancel on Windows: it closes our stdin; the tool stops cleanly (its KeyboardInterrupt path)."""
    proc = _blocked_tool("1")
    proc.stdin.close()
    assert proc.wait(timeout=20) == 130
    assert proc.stdout.read() == "stopped\n"


@pytest.mark.parametrize("env_value", [None, "0"])
def test_end_of_stdin_means_nothing_unless_asked(env_value):
    proc = _blocked_tool(env_value)
    proc.stdin.close()
    with pytest.raises(subprocess.TimeoutExpired):
        proc.wait(timeout=1.5)
    proc.kill()
    proc.wait()
