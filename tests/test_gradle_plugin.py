"""Run the Gradle plugin's JUnit + TestKit suite, so the one pytest command covers it.

``gradle check`` builds the plugin with the system's Gradle (Debian's 4.4 in
CI), validates its task annotations, unit-tests its pure helpers (also with
ProjectBuilder) and runs fixture projects with TestKit against this
interpreter's ``tflite_slim``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def _failed_test_output(results: Path) -> str:
    """The XML reports of failed test classes, which hold the messages and the builds' output."""
    parts = []
    for report in sorted(results.glob("*.xml")):
        text = report.read_text(errors="replace")
        if "<failure" in text or "<error" in text:
            parts.append(f"--- {report.name}\n{text}")
    return "\n".join(parts)


def test_gradle_plugin_suite(repo_root: Path, gradle: str) -> None:
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


# --- sample-android-app: what can be checked without the Android SDK -------------------------

SAMPLE_GRADLE_FILES = ("settings.gradle", "build.gradle", "app/build.gradle", "gradle.properties",
                       "gradle/wrapper/gradle-wrapper.properties")


@pytest.mark.parametrize("name", SAMPLE_GRADLE_FILES)
def test_sample_gradle_files_are_not_machine_specific(repo_root: Path, name: str) -> None:
    text = (repo_root / "sample-android-app" / name).read_text()
    for needle in ("/work/", "/usr/", "/tmp/", "/home/", "/root/", "C:\\", ".venv"):
        assert needle not in text, f"{name} mentions {needle!r}"


def test_sample_uses_agp8_gradle8_and_the_plugin(repo_root: Path) -> None:
    sample = repo_root / "sample-android-app"
    root_build = (sample / "build.gradle").read_text()
    assert "id 'com.android.application' version '8." in root_build
    assert "id 'io.tfliteslim' version '0.1.0'" in root_build
    wrapper = (sample / "gradle/wrapper/gradle-wrapper.properties").read_text()
    assert "distributions/gradle-8." in wrapper
    assert not (sample / "gradle/wrapper/gradle-wrapper.jar").exists()
    assert "mavenLocal()" in (sample / "settings.gradle").read_text()
    app = (sample / "app/build.gradle").read_text()
    assert "id 'io.tfliteslim'" in app
    assert "implementation 'org.tensorflow:tensorflow-lite:" in app


def test_sample_model_is_what_the_app_runs(repo_root: Path) -> None:
    """The asset the activity loads exists, and has the ops, shapes and types its code assumes."""
    tflite = pytest.importorskip("tflite")
    sample = repo_root / "sample-android-app/app/src/main"
    activity = (sample / "java/io/tfliteslim/sample/MainActivity.java").read_text()
    assert 'MODEL = "add.tflite"' in activity
    assert "new float[1][8][8][3]" in activity
    model = tflite.Model.GetRootAsModel((sample / "assets/add.tflite").read_bytes(), 0)
    graph = model.Subgraphs(0)
    for tensor_index in (graph.Inputs(0), graph.Outputs(0)):
        tensor = graph.Tensors(tensor_index)
        assert list(tensor.ShapeAsNumpy()) == [1, 8, 8, 3]
        assert tensor.Type() == tflite.TensorType.FLOAT32
    ops = [model.OperatorCodes(graph.Operators(i).OpcodeIndex()) for i in range(graph.OperatorsLength())]
    assert [(max(o.BuiltinCode(), o.DeprecatedBuiltinCode()), o.Version()) for o in ops] == [
        (tflite.BuiltinOperator.ADD, 1),
        (tflite.BuiltinOperator.ADD, 1),
    ]


def test_sample_model_matches_the_shared_corpus_copy(repo_root: Path, shared_models: Path, expected: dict) -> None:
    """Its origin, as the asset README says: TensorFlow's Java test model, byte for byte."""
    import hashlib

    data = (repo_root / "sample-android-app/app/src/main/assets/add.tflite").read_bytes()
    assert hashlib.sha256(data).hexdigest() == expected["litert-repo/tflite__java__src__testdata__add.bin"]["sha256"]
