"""The one place tflite-slim runs other programs.

Every subprocess goes through :func:`run`: it logs the command line, streams or
captures the output, and turns a failure into :class:`CommandFailed` carrying
the tail of the tool's stderr. Tests replace this seam, not the callers.
"""

from __future__ import annotations

import logging
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from typing import Callable, Mapping, Optional, Sequence

from tflite_slim.errors import CommandFailed, ToolchainError, ToolMissing

log = logging.getLogger(__name__)

#: How many trailing lines of a failed command's output go into the error.
ERROR_TAIL_LINES = 25
#: How long an interrupted command may take to stop before it is killed (the Gradle plugin waits longer for
#: us: ToolRunner.STOP_GRACE_SECONDS).
INTERRUPT_GRACE_SECONDS = 30.0


@dataclass(frozen=True)
class Completed:
    """What a finished command left behind."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


class TimedOut(CommandFailed):
    """A command ran past its ``timeout`` and was killed; ``stdout``/``stderr`` hold what it wrote before."""

    def __init__(self, message: str, stdout: str, stderr: str) -> None:
        super().__init__(message, -signal.SIGKILL, stderr)
        self.stdout = stdout


def _text(data: "bytes | str | None") -> str:
    """Output a :class:`subprocess.TimeoutExpired` carries: bytes even in text mode, or None."""
    if data is None:
        return ""
    return data if isinstance(data, str) else data.decode("utf-8", "replace")


def program_path(value: str) -> str:
    """A program named on the command line (``--bazel``), as the user meant it.

    A path with a directory part (``tools/bazel``, ``./bazelisk``) is made
    absolute against the working directory now: the program later runs with
    the TensorFlow checkout as its working directory, where the relative path
    would name something else or nothing. A bare name (``bazel``) stays a PATH
    lookup, as in a shell.
    """
    value = os.path.expanduser(value)
    separators = [s for s in (os.sep, os.altsep) if s]
    return os.path.abspath(value) if any(s in value for s in separators) else value


def _interrupt(proc: subprocess.Popen) -> None:
    """Stop ``proc`` the way Ctrl-C would, then wait for it; kill it if it does not stop in time.

    Killing a Bazel client outright leaves its server running the build (the
    actions go on writing into bazel-out); SIGINT makes the client cancel the
    command in the server and exit once the actions are stopped.
    """
    if proc.poll() is None:
        try:
            proc.send_signal(signal.SIGINT)
            proc.communicate(timeout=INTERRUPT_GRACE_SECONDS)  # drain, or a full pipe blocks it
        except BaseException:  # too slow, or interrupted again: stop waiting
            proc.kill()
    if proc.stdout is not None:
        proc.stdout.close()
    proc.wait()


class Stopper:
    """Stops, from another thread, the streamed commands run with it (a backend's ``stop()``).

    :meth:`stop` interrupts the running command the way Ctrl-C does (one
    SIGINT, a kill after :data:`INTERRUPT_GRACE_SECONDS`), and every later
    :func:`run` with this stopper fails at once, so a build stops at its
    current step instead of starting the next.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: Optional[subprocess.Popen] = None
        self.stopped = False

    def stop(self) -> None:
        with self._lock:
            self.stopped = True
            proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=INTERRUPT_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                proc.kill()

    def _attach(self, proc: Optional[subprocess.Popen]) -> bool:
        """Track ``proc`` (None: forget it); False if :meth:`stop` was already called."""
        with self._lock:
            self._proc = proc
            return not self.stopped


def format_argv(argv: Sequence[str]) -> str:
    """Render a command line the way a person would paste it into a shell (to run: it keeps every secret)."""
    return " ".join(shlex.quote(a) for a in argv)


#: ``scheme://userinfo@`` anywhere in a text (a ``--remote_cache=https://u:TOKEN@host`` argument).
_USERINFO_ANYWHERE = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.\-]*://)([^/?#@\s]*(?:@[^/?#@\s]*)*)@")


def redact_urls(text: str) -> str:
    """``text`` with the ``user:password@`` of every URL in it replaced by ``***@``.

    For command lines and plans, whose arguments can carry URLs anywhere
    (``--bazel-arg=--remote_cache=https://u:TOKEN@cache/``); ``http.redact_url``
    handles one string that is a URL. Here, not in ``http``: analysis runs
    commands too and never imports requests.
    """
    return _USERINFO_ANYWHERE.sub(r"\1***@", text)


def display_argv(argv: Sequence[str]) -> str:
    """:func:`format_argv` for logs and messages: the user-info of every URL in it redacted."""
    return redact_urls(format_argv(argv))


def _rlimits(limits: Mapping[int, int]) -> Optional[Callable[[], None]]:
    """What the child runs before ``exec``: lower its soft limits to ``limits`` (the hard ones stay)."""
    try:
        import resource
    except ImportError:  # not POSIX: nothing to bound with
        return None

    def apply() -> None:
        for which, value in limits.items():
            _, hard = resource.getrlimit(which)
            soft = value if hard == resource.RLIM_INFINITY or value < hard else hard
            resource.setrlimit(which, (soft, hard))

    return apply


def run(
    argv: Sequence[str],
    *,
    cwd: Optional[str] = None,
    env: Optional[Mapping[str, str]] = None,
    stream: bool = False,
    on_line: Optional[Callable[[str], None]] = None,
    check: bool = True,
    what: Optional[str] = None,
    timeout: Optional[float] = None,
    stopper: Optional[Stopper] = None,
    limits: Optional[Mapping[int, int]] = None,
    unset: Sequence[str] = (),
) -> Completed:
    """Run ``argv`` and return its result.

    ``stream=True`` passes each output line (stdout and stderr merged) to
    ``on_line`` (default: echo to stderr) as it arrives, for long builds; the
    merged text is also kept for the error message. ``what`` names the step in
    errors ("bazel build"). A missing executable is a :class:`ToolchainError`.
    ``timeout`` (seconds, captured output only) kills a command that runs
    longer and raises :class:`TimedOut` with the output it wrote until then.
    ``stopper`` (streamed commands) lets another thread stop the command; a
    stopped command is a :class:`CommandFailed` saying so. ``limits`` maps
    ``resource.RLIMIT_*`` to the soft limit the command runs under (never above
    the hard limit; ignored where ``resource`` does not exist). ``unset`` names environment
    variables the command runs without (before ``env`` is applied).
    """
    if timeout is not None and stream:
        raise ValueError("timeout is only supported with captured output")
    if stopper is not None and not stream:
        raise ValueError("a stopper is only supported with streamed output")
    argv = [str(a) for a in argv]
    label = what or os.path.basename(argv[0])
    if stopper is not None and stopper.stopped:
        raise CommandFailed(f"{label} was not started: the build was stopped", -signal.SIGINT)
    log.info("running: %s%s", display_argv(argv), f" (in {cwd})" if cwd else "")
    preexec = _rlimits(limits) if limits else None
    full_env = None
    if env is not None or unset:
        full_env = {k: v for k, v in os.environ.items() if k not in set(unset)}
        full_env.update(env or {})
    try:
        if stream:
            proc = subprocess.Popen(
                argv,
                cwd=cwd,
                env=full_env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                text=True,
                errors="replace",
                bufsize=1,
                # Its own session: a terminal's Ctrl-C reaches only us, and _interrupt()
                # sends the child exactly one SIGINT (Bazel's client kills its server
                # on the third).
                start_new_session=True,
                preexec_fn=preexec,
            )
            if stopper is not None and not stopper._attach(proc):
                _interrupt(proc)  # stopped between the check above and the start
            sink = on_line or (lambda line: print(line, file=sys.stderr, flush=True))
            lines: list[str] = []
            assert proc.stdout is not None
            try:
                for raw in proc.stdout:
                    line = raw.rstrip("\n")
                    lines.append(line)
                    sink(line)
                returncode = proc.wait()
            except BaseException:
                # Ctrl-C or a failing callback: do not leave the tool running behind us.
                _interrupt(proc)
                raise
            finally:
                if stopper is not None:
                    stopper._attach(None)
            if stopper is not None and stopper.stopped:
                raise CommandFailed(f"{label} was stopped: {display_argv(argv)}", returncode, "\n".join(lines))
            out, err = "\n".join(lines), "\n".join(lines)
        else:
            try:
                done = subprocess.run(
                    argv,
                    cwd=cwd,
                    env=full_env,
                    capture_output=True,
                    stdin=subprocess.DEVNULL,
                    text=True,
                    errors="replace",
                    timeout=timeout,
                    preexec_fn=preexec,
                )
            except subprocess.TimeoutExpired as e:  # subprocess.run has killed and reaped it
                raise TimedOut(
                    f"{label} did not finish within {timeout:g} s and was killed: {display_argv(argv)}",
                    _text(e.stdout), _text(e.stderr),
                ) from e
            returncode, out, err = done.returncode, done.stdout, done.stderr
    except FileNotFoundError as e:
        raise ToolMissing(
            f"{label}: '{argv[0]}' was not found; install it or give its path"
        ) from e
    except PermissionError as e:
        raise ToolchainError(f"{label}: '{argv[0]}' is not executable: {e.strerror}") from e
    result = Completed(tuple(argv), returncode, out, err)
    if check and returncode != 0:
        tail = redact_urls("\n".join((err or out).strip().splitlines()[-ERROR_TAIL_LINES:]))
        message = f"{label} failed with exit status {returncode}: {display_argv(argv)}"
        if tail:
            message += "\n" + tail
        raise CommandFailed(message, returncode, err)
    return result
