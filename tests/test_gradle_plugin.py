"""Run the Gradle plugin's JUnit + TestKit suite, so the one pytest command covers it.

``gradle check`` builds the plugin with the system's Gradle (Debian's 4.4 in
CI), validates its task annotations, unit-tests its pure helpers (also with
ProjectBuilder) and runs fixture projects with TestKit against this
interpreter's ``tflite_slim``.
"""

from __future__ import annotations

import re

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import pytest


@dataclass(frozen=True)
class JUnitResult:
    """One JUnit test case from Gradle's XML results."""

    name: str  # Class.method
    outcome: str  # passed | failed | skipped
    message: str = ""


def read_junit_results(results: Path) -> list[JUnitResult]:
    """Every test case in ``TEST-*.xml`` under ``results`` (Gradle's JUnit XML reports)."""
    cases = []
    for report in sorted(results.glob("TEST-*.xml")):
        for case in ElementTree.parse(report).getroot().iter("testcase"):
            name = f"{case.get('classname', '').rsplit('.', 1)[-1]}.{case.get('name')}"
            problem = case.find("failure")
            if problem is None:
                problem = case.find("error")
            if problem is not None:
                # The assertion message, else the exception's first line.
                message = problem.get("message") or next(iter((problem.text or "").strip().splitlines()), "")
                cases.append(JUnitResult(name, "failed", message))
            elif case.find("skipped") is not None:
                cases.append(JUnitResult(name, "skipped"))
            else:
                cases.append(JUnitResult(name, "passed"))
    return cases


def summarize(cases: list[JUnitResult]) -> str:
    """``FAILED Class.method: message`` per failed test, then ``N passed, N failed, N skipped``."""
    lines = [f"FAILED {c.name}: {c.message[:500]}" for c in cases if c.outcome == "failed"]
    counts = {o: sum(1 for c in cases if c.outcome == o) for o in ("passed", "failed", "skipped")}
    lines.append(f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
    return "\n".join(lines)


def test_gradle_plugin_suite(repo_root: Path, gradle: str, request: pytest.FixtureRequest) -> None:
    project = repo_root / "gradle-plugin"
    results = project / "build" / "test-results" / "test"
    proc = subprocess.run(
        [gradle, "-p", str(project), "check", "--offline", "--console=plain", f"-PtfliteSlimPython={sys.executable}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=900,
    )
    # The ProjectBuilder tests on the real Gradle 8 runtime (gradle8Test) report beside the main suite;
    # skipped (no Gradle 8 API jars here; an error under CI=true), the reason joins the summary.
    gradle8_skipped = [line for line in proc.stdout.splitlines() if line.startswith("SKIPPED compileGradle8Java")]
    cases = read_junit_results(results) + ([] if gradle8_skipped else read_junit_results(results.parent / "gradle8Test"))
    summary = "\n".join([*gradle8_skipped, summarize(cases)])
    # Shown in pytest's closing summary (tests/conftest.py), so a green run still says what ran.
    request.config.junit_summaries = [*getattr(request.config, "junit_summaries", []), f"gradle-plugin JUnit: {summary}"]
    if proc.returncode != 0:
        pytest.fail(f"gradle check failed (exit {proc.returncode}):\n{summary}\n\n{proc.stdout[-20000:]}")
    # A build that ran no test would also exit 0.
    assert cases, "gradle test ran no test"
    assert all(c.outcome != "failed" for c in cases), summary


JUNIT_XML = """<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="io.tfliteslim.gradle.FooTest" tests="4" skipped="1" failures="1" errors="1">
  <testcase name="ok" classname="io.tfliteslim.gradle.FooTest" time="0.1"/>
  <testcase name="broken" classname="io.tfliteslim.gradle.FooTest" time="0.1">
    <failure message="expected:&lt;1&gt; but was:&lt;2&gt;" type="java.lang.AssertionError">stack</failure>
  </testcase>
  <testcase name="crashed" classname="io.tfliteslim.gradle.FooTest" time="0.1">
    <error type="java.lang.IllegalStateException">java.lang.IllegalStateException
	at x</error>
  </testcase>
  <testcase name="later" classname="io.tfliteslim.gradle.FooTest" time="0"><skipped/></testcase>
</testsuite>
"""


def test_junit_results_name_each_failed_test(tmp_path: Path) -> None:
    (tmp_path / "TEST-io.tfliteslim.gradle.FooTest.xml").write_text(JUNIT_XML)
    (tmp_path / "binary").mkdir()  # Gradle's other output there is ignored
    cases = read_junit_results(tmp_path)
    assert [(c.name, c.outcome) for c in cases] == [
        ("FooTest.ok", "passed"), ("FooTest.broken", "failed"), ("FooTest.crashed", "failed"), ("FooTest.later", "skipped")]
    assert summarize(cases) == (
        "FAILED FooTest.broken: expected:<1> but was:<2>\n"
        "FAILED FooTest.crashed: java.lang.IllegalStateException\n"
        "1 passed, 2 failed, 1 skipped"
    )


def test_plugin_build_script_does_not_need_gradle_4_conventions(repo_root: Path) -> None:
    """`gradle -p gradle-plugin publishToMavenLocal` must run on the user's Gradle 8/9 too.

    Gradle 9 removed the project-level `sourceCompatibility`/`targetCompatibility` (JavaPluginConvention);
    only Gradle 4.4 runs here, so the script is checked to set them through the `java` extension where
    Gradle has it, and at the top level only in the Gradle 4.x branch.
    """
    script = (repo_root / "gradle-plugin/build.gradle").read_text()
    top_level = [line for line in script.splitlines() if line.startswith(("sourceCompatibility", "targetCompatibility"))]
    assert top_level == [], top_level
    assert "if (project.extensions.findByName('java') != null) {" in script
    assert "sourceCompatibility = JavaVersion.VERSION_1_8" in script


def test_plugin_build_script_uses_no_api_gradle_9_deprecates(repo_root: Path) -> None:
    """Gradle 8.3+ deprecates `Project.buildDir`; `layout.buildDirectory` is there from Gradle 4.1 on."""
    script = (repo_root / "gradle-plugin/build.gradle").read_text()
    code = "\n".join(line.split("//")[0] for line in script.splitlines())
    assert re.findall(r"\bbuildDir\b", code) == []
    assert "layout.buildDirectory" in code
    # Gradle 8 removed AbstractExecTask.getExecResult(): only as the Gradle 4.x fallback of getExecutionResult().
    uses = [line.strip() for line in code.splitlines() if re.search(r"\bexecResult\b", line)]
    assert uses == ["def result = task.metaClass.respondsTo(task, 'getExecutionResult') ? task.executionResult.get() : task.execResult"], uses
    # JavaCompile.destinationDir (removed in Gradle 9) only in the block that runs on the Gradle 4.x testing this project.
    gradle4_only = code[code.index("if (gradle.gradleVersion.startsWith('4.')) {"):]
    assert "destinationDir" not in code.replace(gradle4_only, "")
