"""Fixtures shared by every test module."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
#: The corpus of real models written by others; absent on a user's clone.
SHARED_MODELS = REPO_ROOT.parent / "shared" / "models"
SHARED_SCHEMAS = REPO_ROOT.parent / "shared" / "schemas"


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
def pom_xsd() -> Path:
    path = SHARED_SCHEMAS / "maven-4.0.0.xsd"
    if not path.is_file():
        pytest.skip("../shared/schemas is not present (only in the project's workplace)")
    return path
