"""The settings phase: which backend builds when none is declared, and why (issue 25, item 1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modelmaker import ADD, Op, builtin, custom, flex_options, make_model
from standin.workspace import make_litert_workspace
from tflite_slim.cli import main
from tflite_slim.runtime.settings import BuildSettings, choose_backend


def _settings(**kw) -> BuildSettings:
    return BuildSettings(models=("m.tflite",), **{"litert_version": "1.4.1", "backend": None, **kw})


@pytest.mark.parametrize("kw, backend, said", [
    ({}, "cmake", "tflite-slim: backend cmake (no --backend given)"),
    ({"backend": "local"}, "local", None),
    ({"backend": "cmake"}, "cmake", None),
    ({"checkpoint": "v2.17.0"}, "docker", "tflite-slim: backend docker (--checkpoint"),
    ({"bazel_args": ("--jobs=8",)}, "local", "tflite-slim: backend local (Bazel): --bazel-arg only Bazel builds"),
    ({"custom_ops_deps": ("//x:y",)}, "local", "tflite-slim: backend local (Bazel): --custom-ops-deps only"),
    ({"bazel": "/opt/bazel"}, "local", "tflite-slim: backend local (Bazel): --bazel given; declare --backend local"),
    # What is installed or how the user's checkout is configured never chooses: only what the command says.
    ({"litert_version": None, "tensorflow_src": "/nonexistent"}, "cmake", "tflite-slim: backend cmake"),
])
def test_choose_backend(kw, backend, said) -> None:
    name, line = choose_backend(_settings(**kw))
    assert name == backend
    assert (line is None) if said is None else line.startswith(said)


def _plan_of(out: str) -> dict:
    """The plan of a ``build --dry-run --format json``."""
    return json.loads(out)["plan"]


def test_no_backend_builds_with_cmake_and_says_so_in_one_line(tmp_path: Path, capsys) -> None:
    ws = make_litert_workspace(tmp_path / "litert", configured=None)
    model = tmp_path / "m.tflite"
    model.write_bytes(make_model([builtin(ADD, 1)], [[Op(0)]]))
    main(["build", str(model), "--source", str(ws), "--dry-run", "--target-archs", "host", "--format", "json"])
    out, err = capsys.readouterr()
    assert err.splitlines()[0].startswith("tflite-slim: backend cmake (no --backend given)")
    assert _plan_of(out)["backend"] == {"backend": "cmake", "opt_level": "O2", "xnnpack": "on"}


def test_flex_models_choose_bazel_and_say_so(tmp_path: Path, capsys) -> None:
    ws = make_litert_workspace(tmp_path / "litert", configured=None)
    flex = tmp_path / "flex.tflite"
    flex.write_bytes(make_model([custom("FlexAddV2")], [[Op(0, custom_options=flex_options("AddV2"))]]))
    main(["build", str(flex), "--source", str(ws), "--dry-run", "--format", "json"])
    out, err = capsys.readouterr()
    assert err.splitlines()[0] == ("tflite-slim: backend local (Bazel): the models use Flex (select TensorFlow) ops, "
                                   "which TFLite's CMake build cannot build")
    assert "backend" not in _plan_of(out)  # Bazel's plans carry no backend entry
    assert any(" build " in c and c.split()[0].endswith("bazel") for c in json.loads(out)["commands"])


@pytest.mark.parametrize("args, entry", [
    ([], {"backend": "cmake", "opt_level": "O2", "xnnpack": "on"}),  # a default build's version as before --lto
    (["--no-lto"], {"backend": "cmake", "opt_level": "O2", "xnnpack": "on"}),
    (["--lto", "--opt-level", "Os"], {"backend": "cmake", "opt_level": "Os", "lto": "on", "xnnpack": "on"}),
])
def test_lto_is_declared_and_enters_the_plan_only_when_on(tmp_path: Path, capsys, args, entry) -> None:
    ws = make_litert_workspace(tmp_path / "litert", configured=None)
    model = tmp_path / "m.tflite"
    model.write_bytes(make_model([builtin(ADD, 1)], [[Op(0)]]))
    main(["build", str(model), "--source", str(ws), "--dry-run", "--target-archs", "host", "--format", "json", *args])
    out, _ = capsys.readouterr()
    assert _plan_of(out)["backend"] == entry
    configure = [c for c in json.loads(out)["commands"] if " -G Ninja " in c]
    assert configure and all(("-DCMAKE_INTERPROCEDURAL_OPTIMIZATION=ON" in c) == ("--lto" in args) for c in configure)
