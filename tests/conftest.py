"""Fixtures shared by every test module."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

import modelmaker as mm

REPO_ROOT = Path(__file__).resolve().parent.parent
#: The corpus of real models written by others; absent on a user's clone.
SHARED_MODELS = REPO_ROOT.parent / "shared" / "models"
SHARED_SCHEMAS = REPO_ROOT.parent / "shared" / "schemas"


@pytest.fixture(autouse=True)
def offline_stock_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    """Builds compare sizes with a stock runtime: never the real Maven Central from a test.

    Port 9 (discard) on 127.0.0.1 refuses at once, which is how the tool sees being offline; the
    size tests serve a stock AAR from their own server.
    """
    monkeypatch.setenv("TFLITE_SLIM_STOCK_MAVEN_URL", "http://127.0.0.1:9/offline")


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def shared_models() -> Path:
    """``../shared/models`` (skips the test when it is absent)."""
    if not (SHARED_MODELS / "expected.json").is_file():
        pytest.skip("../shared/models is not present (only in the project's workplace)")
    return SHARED_MODELS


@pytest.fixture(scope="session")
def expected(shared_models: Path) -> dict:
    """Ground truth for the shared corpus, computed with TensorFlow's own schema module."""
    return json.loads((shared_models / "expected.json").read_text())


@pytest.fixture(scope="session")
def gradle() -> str:
    """Debian's ``gradle`` executable: skipped when absent, except under CI, which must run these tests."""
    exe = shutil.which("gradle")
    if exe is None:
        if os.environ.get("CI") == "true":
            pytest.fail("gradle is not installed; .ci/run installs Debian's gradle and junit4")
        pytest.skip("gradle is not installed (apt-get install gradle junit4)")
    return exe


@pytest.fixture(scope="session")
def pom_xsd() -> Path:
    path = SHARED_SCHEMAS / "maven-4.0.0.xsd"
    if not path.is_file():
        pytest.skip("../shared/schemas is not present (only in the project's workplace)")
    return path


@pytest.fixture()
def models(tmp_path: Path) -> Path:
    """A small model tree: a builtin-only model, a Flex + custom model in a subfolder, and a broken file."""
    (tmp_path / "conv.tflite").write_bytes(
        mm.make_model([mm.builtin(mm.CONV_2D, 3), mm.builtin(mm.ADD)], [[mm.Op(0), mm.Op(1)]])
    )
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "flex.tflite").write_bytes(
        mm.make_model(
            [mm.builtin(mm.CONV_2D, 1), mm.custom("FlexAddV2"), mm.custom("<b>Odd&Op</b>")],
            [[mm.Op(0), mm.Op(1, mm.flex_options("AddV2", {"T": mm.DT_FLOAT})), mm.Op(2)]],
        )
    )
    (tmp_path / "sub" / "broken.tflite").write_bytes(b"\x00" * 40)
    return tmp_path


def pytest_terminal_summary(terminalreporter) -> None:
    """The Gradle plugin's JUnit counts (one pytest test runs the whole suite), before pytest's own line."""
    for line in getattr(terminalreporter.config, "junit_summaries", []):
        terminalreporter.write_line(line)
