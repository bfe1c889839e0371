"""The package's stages only look upstream: analysis <- runtime <- maven, primitives below all."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "pytool" / "tflite_slim"
#: What each stage may import from the package (besides itself); primitives are top-level modules.
ALLOWED = {
    "analysis": {"analysis"},
    "runtime": {"analysis", "runtime"},
    "maven": {"analysis", "runtime", "maven"},
}
PRIMITIVES = {"errors", "files", "process", "http", "__version__"}


def _imported(path: Path) -> set[str]:
    """The tflite_slim top-level names a module imports (``tflite_slim.runtime.plan`` -> ``runtime``)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "tflite_slim":
            parts = node.module.split(".")
            names |= {parts[1]} if len(parts) > 1 else {a.name for a in node.names}
        elif isinstance(node, ast.Import):
            names |= {a.name.split(".")[1] for a in node.names if a.name.startswith("tflite_slim.")}
    return names


@pytest.mark.parametrize("stage", sorted(ALLOWED))
def test_stage_imports_only_upstream_stages_and_primitives(stage: str) -> None:
    modules = sorted((PACKAGE / stage).glob("*.py"))
    assert len(modules) > 3
    for module in modules:
        wrong = _imported(module) - ALLOWED[stage] - PRIMITIVES
        assert not wrong, f"{module.relative_to(PACKAGE)} imports {sorted(wrong)}: stages only look upstream"


def test_primitives_import_no_stage() -> None:
    for name in PRIMITIVES - {"__version__"}:
        assert not _imported(PACKAGE / f"{name}.py") & set(ALLOWED), name
