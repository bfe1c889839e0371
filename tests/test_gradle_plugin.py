"""Run the Gradle plugin's JUnit + TestKit suite, so the one pytest command covers it.

``gradle check`` builds the plugin with the system's Gradle (Debian's 4.4 in
CI), validates its task annotations, unit-tests its pure helpers (also with
ProjectBuilder) and runs fixture projects with TestKit against this
interpreter's ``tflite_slim``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def _gradle() -> str:
    gradle = shutil.which("gradle")
    if gradle is None:
        if os.environ.get("CI") == "true":
            pytest.fail("gradle is not installed; .ci/run installs Debian's gradle and junit4")
        pytest.skip("gradle is not installed (apt-get install gradle junit4)")
    return gradle


def _failed_test_output(results: Path) -> str:
    """The XML reports of failed test classes, which hold the messages and the builds' output."""
    parts = []
    for report in sorted(results.glob("*.xml")):
        text = report.read_text(errors="replace")
        if "<failure" in text or "<error" in text:
            parts.append(f"--- {report.name}\n{text}")
    return "\n".join(parts)


def test_gradle_plugin_suite(repo_root: Path) -> None:
    gradle = _gradle()
    project = repo_root / "gradle-plugin"
    proc = subprocess.run(
        [gradle, "-p", str(project), "check", "--offline", "--console=plain", f"-PtfliteSlimPython={sys.executable}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=900,
    )
    if proc.returncode != 0:
        details = _failed_test_output(project / "build" / "test-results" / "test")
        pytest.fail(f"gradle test failed (exit {proc.returncode}):\n{proc.stdout[-20000:]}\n{details[-40000:]}")
    # A build that ran no test would also exit 0.
    reports = list((project / "build" / "test-results" / "test").glob("TEST-*.xml"))
    assert reports, "gradle test ran no test class"
