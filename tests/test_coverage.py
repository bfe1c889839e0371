"""``tflite-slim verify``: the op-set loader, the coverage check, and the command end to end."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import modelmaker as mm
from tflite_slim.coverage import load_runtime_ops, uncovered
from tflite_slim.errors import UsageError
from tflite_slim.opset import FlexOp, ModelOps, OpSet, dumps, opset_to_json

RUNTIME = OpSet({"ADD": (1, 2), "CONV_2D": (1, 2, 3)}, ("Foo",), (FlexOp("AddV2", (("T", "DT_FLOAT"),)),))


def _model(path: str, builtins=None, custom=(), flex=()) -> ModelOps:
    return ModelOps(path, "0" * 64, 1, 1, OpSet(builtins or {}, tuple(custom), tuple(FlexOp(f) for f in flex)))


@pytest.mark.parametrize(
    "models, want",
    [
        ([_model("a", {"ADD": (1,)})], {}),
        ([_model("a", {"CONV_2D": (3,)}, ["Foo"], ["AddV2"])], {}),
        ([_model("a", {"ADD": (3,)})], {"ADD version 3": ["a"]}),
        ([_model("a", {"MUL": (1,)}), _model("b", {"MUL": (1,), "ADD": (1,)})], {"MUL version 1": ["a", "b"]}),
        (
            [_model("a", custom=["Bar"]), _model("b", flex=["Softplus"])],
            {"custom op Bar": ["a"], "flex op Softplus": ["b"]},
        ),
        # Flex ops are covered by name: the Select TF runtime registers kernels per op.
        ([_model("a", flex=["AddV2"])], {}),
        ([], {}),
    ],
)
def test_uncovered(models, want) -> None:
    assert uncovered(RUNTIME, models) == want


def _write(tmp_path: Path, doc) -> str:
    path = tmp_path / "ops.json"
    path.write_text(doc if isinstance(doc, str) else dumps(doc))
    return str(path)


@pytest.mark.parametrize(
    "wrap",
    [
        lambda s: {"format_version": 1, "op_set": s, "abis": ["arm64-v8a"]},  # a build's ops.json
        lambda s: {"models": [], "errors": [], "union": s},  # analyze --format json
        lambda s: s,  # a bare op set
    ],
)
def test_load_runtime_ops_forms(tmp_path: Path, wrap) -> None:
    assert load_runtime_ops(_write(tmp_path, wrap(opset_to_json(RUNTIME)))) == RUNTIME


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "cannot read"),
        ("{not json", "not JSON"),
        ('["a"]', "no op set found"),
        ('{"models": []}', "no op set found"),
        ('{"builtin_ops": {"ADD": ["x"]}}', "malformed op set"),
    ],
)
def test_load_runtime_ops_errors(tmp_path: Path, content, message: str) -> None:
    path = str(tmp_path / "ops.json") if content is None else _write(tmp_path, content)
    with pytest.raises(UsageError, match=message) as e:
        load_runtime_ops(path)
    assert path in str(e.value)


# --- end to end -------------------------------------------------------------


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tflite_slim", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


@pytest.fixture()
def app(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "a.tflite").write_bytes(
        mm.make_model([mm.builtin(mm.ADD, 2), mm.custom("Foo")], [[mm.Op(0), mm.Op(1)]])
    )
    (tmp_path / "assets" / "b.tflite").write_bytes(
        mm.make_model(
            [mm.builtin(mm.CONV_2D, 3), mm.custom("FlexAddV2")],
            [[mm.Op(0), mm.Op(1, mm.flex_options("AddV2", {"T": mm.DT_FLOAT}))]],
        )
    )
    (tmp_path / "ops.json").write_text(dumps({"format_version": 1, "op_set": opset_to_json(RUNTIME)}))
    return tmp_path


def test_verify_covered(app: Path) -> None:
    r = cli("verify", "--ops", "ops.json", "assets", cwd=app)
    assert (r.returncode, r.stderr) == (0, "")
    assert r.stdout == "ok: the runtime in ops.json covers all 2 models\n"


def test_verify_lists_every_missing_op_and_its_models(app: Path) -> None:
    (app / "assets" / "c.tflite").write_bytes(
        mm.make_model(
            [mm.builtin(mm.CONV_2D, 4), mm.builtin(mm.CUMSUM), mm.custom("FlexSoftplus")],
            [[mm.Op(0), mm.Op(1), mm.Op(2, mm.flex_options("Softplus"))]],
        )
    )
    (app / "assets" / "d.tflite").write_bytes(mm.make_model([mm.builtin(mm.CUMSUM)], [[mm.Op(0)]]))
    r = cli("verify", "--ops", "ops.json", "assets", cwd=app)
    assert r.returncode == 1
    assert r.stderr.splitlines() == [
        "error: the runtime in ops.json lacks 3 op(s) that the models need;"
        " rebuild it from these models (tflite-slim build):",
        "  CONV_2D version 4: needed by assets/c.tflite",
        "  CUMSUM version 1: needed by assets/c.tflite, assets/d.tflite",
        "  flex op Softplus: needed by assets/c.tflite",
    ]


def test_verify_against_analyze_output(app: Path) -> None:
    r = cli("analyze", "assets", "--format", "json", "-o", "union.json", cwd=app)
    assert r.returncode == 0, r.stderr
    assert cli("verify", "--ops", "union.json", "assets", cwd=app).returncode == 0


def test_verify_unreadable_model_fails(app: Path) -> None:
    (app / "assets" / "bad.tflite").write_bytes(b"nope" * 4)
    r = cli("verify", "--ops", "ops.json", "assets", cwd=app)
    assert r.returncode == 1
    assert r.stderr.startswith("error: assets/bad.tflite: not a TFLite flatbuffer")


@pytest.mark.parametrize(
    "args, message",
    [
        (("verify", "assets"), "the following arguments are required: --ops"),
        (("verify", "--ops", "missing.json", "assets"), "error: missing.json: cannot read the op set"),
        (("verify", "--ops", "ops.json"), "error: no model path given"),
    ],
)
def test_verify_usage_errors(app: Path, args, message: str) -> None:
    r = cli(*args, cwd=app)
    assert r.returncode == 2
    assert message in r.stderr and "Traceback" not in r.stderr
