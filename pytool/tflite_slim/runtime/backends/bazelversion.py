"""Which Bazel a TensorFlow tree wants (``.bazelversion``) and which one ``--bazel`` is.

Every TensorFlow release pins its Bazel in ``.bazelversion``; bazelisk reads
it, a plain ``bazel`` does not, and a different version fails in ways that do
not say so (unknown flags, Starlark errors deep in TensorFlow's rules). So
before a local build we compare ``bazel --version`` (a client-only startup
option: no server starts) with the pin and say what the tree wants. A
mismatch is a warning, not an error: neighbouring versions usually work, and
the user may know better. A Bazel that cannot name its version (Debian's
``bazel-bootstrap`` prints ``bazel no_version``) cannot be checked: a warning
says so and the build goes on. The same note is added to a failed build's
error, where it is most likely the cause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from tflite_slim import process
from tflite_slim.errors import TfliteSlimError

BAZELVERSION = ".bazelversion"
#: More than any pin needs; a crafted file costs no more than this to read.
_MAX_PIN_BYTES = 256
#: ``bazel 6.5.0``, ``bazel 7.0.0rc2``, ``bazel 6.5.0-homebrew``; Debian's ``bazel no_version``.
_VERSION_LINE = re.compile(r"^bazel\s+(\S+)\s*$", re.M)
_RELEASE = re.compile(r"^\d+(\.\d+)*(rc\d+)?$")
_MAJOR_WILDCARD = re.compile(r"^(\d+)\.(\*|x)$")
#: What bazel-bootstrap's client prints instead of a version (it was built without one).
NO_VERSION = "no_version"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass(frozen=True)
class VersionCheck:
    """The tree's pin, what ``--bazel`` says it is, and whether they agree."""

    wanted: str
    #: None when the binary did not name a version (no_version, unparsable output, failed to run).
    actual: Optional[str]
    matches: Optional[bool]
    message: Optional[str]


def read_pin(root: Path) -> Optional[str]:
    """The version ``root/.bazelversion`` asks for (its first line), or None without a usable file."""
    try:
        with open(Path(root) / BAZELVERSION, "rb") as f:
            head = f.read(_MAX_PIN_BYTES)
    except OSError:
        return None
    lines = head.decode("utf-8", "replace").strip().splitlines()
    return lines[0].strip() if lines and lines[0].strip() else None


def parse_version(output: str) -> Optional[str]:
    """The version in ``bazel --version`` output (``bazel 6.5.0`` -> ``6.5.0``); None for no_version or other text."""
    m = _VERSION_LINE.search(output)
    if m is None or m.group(1) == NO_VERSION:
        return None
    return m.group(1)


def satisfies(actual: str, wanted: str) -> Optional[bool]:
    """Whether Bazel ``actual`` is what the pin ``wanted`` asks for; None when the pin is not a version we compare.

    Pins are what bazelisk accepts: a release (``6.5.0``), a release candidate
    (``7.0.0rc2``), ``6.x`` / ``6.*`` (any 6 release), or names such as
    ``latest``, ``last_green`` or ``fork/6.5.0`` that only bazelisk can resolve.
    A local suffix (``6.5.0-homebrew``) does not change the version.
    """
    base = actual.split("-", 1)[0]
    wildcard = _MAJOR_WILDCARD.match(wanted)
    if wildcard:
        return base.split(".", 1)[0] == wildcard.group(1)
    if _RELEASE.match(wanted):
        return base == wanted
    return None


def _first_line(text: str) -> str:
    """The first non-empty line, without terminal colours, short enough for one message."""
    for line in _ANSI.sub("", text).splitlines():
        if line.strip():
            return line.strip()[:160]
    return "nothing"


def describe(wanted: str, actual: Optional[str], bazel: str, output: str, returncode: int = 0) -> Optional[str]:
    """The warning for this pair (None when they agree or the pin cannot be compared)."""
    fix = f"use bazelisk (it reads {BAZELVERSION}) or --bazel PATH to Bazel {wanted}"
    if returncode != 0:
        # e.g. Bazel's own /usr/bin/bazel wrapper (Debian, Bazel's apt repository) when the
        # pinned version is not installed next to it: it refuses to run at all.
        return (f"'{bazel} --version' failed with exit status {returncode} ({_first_line(output)}); "
                f"this tree's {BAZELVERSION} wants Bazel {wanted}: {fix}")
    if actual is None:
        return (f"cannot tell which Bazel '{bazel}' is (its --version printed '{_first_line(output)}'; "
                f"Debian's bazel-bootstrap prints 'bazel no_version'); this tree's {BAZELVERSION} wants "
                f"Bazel {wanted}. If the build fails, {fix}")
    if satisfies(actual, wanted) is False:
        return (f"'{bazel}' is Bazel {actual} but this tree's {BAZELVERSION} wants Bazel {wanted}; "
                f"the build may fail: {fix}")
    return None


def check(bazel: str, root: Path) -> Optional[VersionCheck]:
    """Compare ``bazel --version`` with ``root/.bazelversion``; None when the tree pins nothing.

    Runs in ``root`` so that bazelisk resolves the tree's pin as it will for the build.
    A Bazel that cannot run is left for the build to report.
    """
    wanted = read_pin(root)
    if wanted is None:
        return None
    try:
        done = process.run([bazel, "--version"], cwd=str(root), check=False, what="bazel --version")
    except TfliteSlimError:
        return None  # missing or not executable: the build step says so, with the fix
    output = done.stdout if done.returncode == 0 else (done.stderr + done.stdout)
    actual = parse_version(output) if done.returncode == 0 else None
    message = describe(wanted, actual, bazel, output, done.returncode)
    matches = None if actual is None else satisfies(actual, wanted)
    return VersionCheck(wanted, actual, matches, message)
