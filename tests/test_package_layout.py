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
    """The tflite_slim top-level names a module imports (``tflite_slim.runtime.spec.plan`` -> ``runtime``)."""
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
    modules = sorted((PACKAGE / stage).rglob("*.py"))
    assert len(modules) > 3
    for module in modules:
        wrong = _imported(module) - ALLOWED[stage] - PRIMITIVES
        assert not wrong, f"{module.relative_to(PACKAGE)} imports {sorted(wrong)}: stages only look upstream"


def test_primitives_import_no_stage() -> None:
    for name in PRIMITIVES - {"__version__"}:
        assert not _imported(PACKAGE / f"{name}.py") & set(ALLOWED), name


#: The runtime stage's rooms, lowest first: a room imports only rooms before it (and itself); the
#: phases (modules at the top of ``runtime/``) import any room, and no room imports a phase.
ROOMS = ("artifacts", "toolchains", "trees", "spec", "backends", "litert2", "estimates")
RUNTIME = PACKAGE / "runtime"


def _runtime_imports(path: Path) -> set[str]:
    """The ``tflite_slim.runtime`` modules ``path`` imports, as paths below ``runtime`` (``trees.layout``)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tflite_slim.runtime"):
            rest = node.module[len("tflite_slim.runtime"):].lstrip(".")
            names |= {f"{rest}.{a.name}".lstrip(".") for a in node.names}
        elif isinstance(node, ast.Import):
            names |= {a.name[len("tflite_slim.runtime."):] for a in node.names if a.name.startswith("tflite_slim.runtime.")}
    return names


def _room_of(name: str) -> str:
    """``trees.layout`` -> ``trees``; ``settings`` (a phase module) -> ``phases``."""
    first = name.split(".")[0]
    return first if first in ROOMS else "phases"


def test_runtime_rooms_import_only_lower_rooms() -> None:
    rooms = sorted(d.name for d in RUNTIME.iterdir() if (d / "__init__.py").is_file())
    assert rooms == sorted(ROOMS), "a new room under runtime/ belongs in ROOMS, in its place"
    for room in ROOMS:
        allowed = set(ROOMS[: ROOMS.index(room) + 1])
        modules = sorted((RUNTIME / room).glob("*.py"))
        assert 2 <= len(modules) <= 13, f"runtime/{room} has {len(modules)} modules: one concern, about a dozen at most"
        for part in sorted(d for d in (RUNTIME / room).iterdir() if (d / "__init__.py").is_file()):
            inner = sorted(part.glob("*.py"))  # a room's own part (backends/cmake): the same bound
            assert 2 <= len(inner) <= 13, f"runtime/{room}/{part.name} has {len(inner)} modules"
        for module in sorted((RUNTIME / room).rglob("*.py")):
            wrong = {n for n in _runtime_imports(module) if _room_of(n) not in allowed}
            assert not wrong, f"runtime/{room}/{module.name} imports {sorted(wrong)}: rooms only import lower rooms"


def test_backends_depend_on_the_interface_not_on_the_settings() -> None:
    for module in sorted((RUNTIME / "backends").rglob("*.py")):
        assert "settings" not in _runtime_imports(module), module.name


def test_runtime_phases_stay_at_the_top() -> None:
    phases = sorted(p.stem for p in RUNTIME.glob("*.py") if p.stem != "__init__")
    assert phases == sorted(["settings", "inputs", "resolve", "planner", "generate", "checks", "produce", "sizes",
                             "output", "builder", "litert2build"])
