"""The subprocess seam, against real processes."""

from __future__ import annotations

import sys
import threading
import time

import pytest

from tflite_slim import process
from tflite_slim.errors import CommandFailed, ToolchainError
from tflite_slim.process import format_argv, run


def test_captures_output():
    done = run([sys.executable, "-c", "import sys; print('out'); print('err', file=sys.stderr)"])
    assert done.returncode == 0
    assert done.stdout == "out\n"
    assert done.stderr == "err\n"


def test_failure_carries_exit_status_and_stderr_tail():
    code = "import sys; print('\\n'.join(f'line {i}' for i in range(100)), file=sys.stderr); sys.exit(3)"
    with pytest.raises(CommandFailed) as info:
        run([sys.executable, "-c", code], what="bazel build")
    message = str(info.value)
    assert message.startswith("bazel build failed with exit status 3: ")
    assert "line 99" in message and "line 10\n" not in message
    assert info.value.returncode == 3


def test_check_false_returns_failure():
    assert run([sys.executable, "-c", "raise SystemExit(4)"], check=False).returncode == 4


def test_missing_executable_is_a_toolchain_error():
    with pytest.raises(ToolchainError, match="'/nonexistent/bazel' was not found"):
        run(["/nonexistent/bazel", "version"], what="bazel")


def test_stream_passes_lines_as_they_come():
    seen = []
    done = run(
        [sys.executable, "-c", "import sys; print('a'); print('b', file=sys.stderr); print('c')"],
        stream=True,
        on_line=seen.append,
    )
    assert sorted(seen) == ["a", "b", "c"]
    assert done.returncode == 0


def test_env_and_cwd(tmp_path):
    done = run(
        [sys.executable, "-c", "import os; print(os.getcwd()); print(os.environ['TFS_X'])"],
        cwd=str(tmp_path),
        env={"TFS_X": "42"},
    )
    assert done.stdout.split() == [str(tmp_path), "42"]


@pytest.mark.parametrize(
    "argv, text",
    [(["bazel", "build", "//a:b"], "bazel build //a:b"), (["echo", "a b", "it's"], "echo 'a b' 'it'\"'\"'s'")],
)
def test_format_argv(argv, text):
    assert format_argv(argv) == text


# A child that reports how it was stopped: SIGINT is handled (written to a file, exit 8, as
# Bazel's client does); with "ignore" it ignores SIGINT, so only a kill stops it.
_CHILD = """
import signal, sys, time
mode, report = sys.argv[1], sys.argv[2]
def on_int(*_):
    open(report, "w").write("SIGINT")
    sys.exit(8)
signal.signal(signal.SIGINT, signal.SIG_IGN if mode == "ignore" else on_int)
print("started", flush=True)
time.sleep(60)
"""


def _interrupt_on_first_line(line):
    raise KeyboardInterrupt


def test_interrupt_sends_sigint_and_waits(tmp_path):
    report = tmp_path / "report"
    argv = [sys.executable, "-c", _CHILD, "handle", str(report)]
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        run(argv, stream=True, on_line=_interrupt_on_first_line)
    # It got the chance to stop cleanly (a Bazel client cancels the server's build), not a kill.
    assert report.read_text() == "SIGINT"
    assert time.monotonic() - start < 30


def test_interrupt_kills_a_child_that_does_not_stop(tmp_path, monkeypatch):
    monkeypatch.setattr(process, "INTERRUPT_GRACE_SECONDS", 0.5)
    report = tmp_path / "report"
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        run([sys.executable, "-c", _CHILD, "ignore", str(report)], stream=True, on_line=_interrupt_on_first_line)
    assert time.monotonic() - start < 10  # not the child's 60 s sleep
    assert not report.exists()


def test_timeout_kills_the_command_and_keeps_what_it_wrote():
    script = "import sys, time; print('partial', flush=True); print('err', file=sys.stderr, flush=True); time.sleep(60)"
    started = time.monotonic()
    with pytest.raises(process.TimedOut, match=r"slow did not finish within 0.5 s and was killed") as e:
        run([sys.executable, "-c", script], what="slow", timeout=0.5)
    assert time.monotonic() - started < 20
    assert e.value.stdout == "partial\n" and e.value.stderr == "err\n"
    assert isinstance(e.value, CommandFailed)


def test_a_stopper_stops_the_running_command_from_another_thread(tmp_path):
    """A backend's stop(): the command gets one SIGINT (as from Ctrl-C) and the run fails saying so."""
    report = tmp_path / "report"
    stopper = process.Stopper()
    started = threading.Event()

    def on_line(line):
        started.set()

    def stop_when_started():
        started.wait(30)
        stopper.stop()

    threading.Thread(target=stop_when_started).start()
    start = time.monotonic()
    with pytest.raises(CommandFailed, match=r"^child was stopped: ") as info:
        run([sys.executable, "-c", _CHILD, "handle", str(report)], stream=True, on_line=on_line, what="child",
            stopper=stopper)
    assert time.monotonic() - start < 30  # not the child's 60 s sleep
    assert report.read_text() == "SIGINT" and info.value.returncode == 8


def test_a_stopped_stopper_starts_nothing(tmp_path):
    stopper = process.Stopper()
    stopper.stop()  # before anything ran: nothing to interrupt
    with pytest.raises(CommandFailed, match="was not started: the build was stopped"):
        run([sys.executable, "-c", f"open({str(tmp_path / 'ran')!r}, 'w')"], stream=True, stopper=stopper)
    assert not (tmp_path / "ran").exists()


def test_a_stopper_kills_a_command_that_ignores_sigint(tmp_path, monkeypatch):
    monkeypatch.setattr(process, "INTERRUPT_GRACE_SECONDS", 0.5)
    stopper = process.Stopper()
    started = threading.Event()
    threading.Thread(target=lambda: (started.wait(30), stopper.stop())).start()
    start = time.monotonic()
    with pytest.raises(CommandFailed, match="was stopped"):
        run([sys.executable, "-c", _CHILD, "ignore", str(tmp_path / "r")], stream=True,
            on_line=lambda line: started.set(), stopper=stopper)
    assert time.monotonic() - start < 10
