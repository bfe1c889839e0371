"""``tflite-slim verify``: the op-set loader, the coverage check, and the command end to end."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

import modelmaker as mm
from fake_build import WITH_FLEX, make_build_out
from tflite_slim.analysis.coverage import load_runtime, uncovered
from tflite_slim.errors import UsageError
from tflite_slim.analysis.opset import FlexOp, ModelOps, OpSet, dumps, opset_to_json

RUNTIME = OpSet({"ADD": (1, 2), "CONV_2D": (1, 2, 3)}, ("Foo",), (FlexOp("AddV2", (("T", "DT_FLOAT"),)),))


def _model(path: str, builtins=None, custom=(), flex=()) -> ModelOps:
    ops = tuple(f if isinstance(f, FlexOp) else FlexOp(f) for f in flex)
    return ModelOps(path, "0" * 64, 1, 1, OpSet(builtins or {}, tuple(custom), ops))


ADD_F32 = FlexOp("AddV2", (("T", "DT_FLOAT"),))
ADD_I64 = FlexOp("AddV2", (("T", "DT_INT64"),))


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
        # Select TF ops register kernels per op and type: T=DT_INT64 is not the DT_FLOAT kernel.
        ([_model("a", flex=[ADD_F32])], {}),
        (
            [_model("a", flex=[ADD_I64]), _model("b", flex=[ADD_I64, ADD_F32])],
            {"flex op AddV2 (T=DT_INT64)": ["a", "b"]},
        ),
        # An entry without a NodeDef (no operator uses it) needs no particular kernel.
        ([_model("a", flex=["AddV2"])], {}),
        ([], {}),
    ],
)
def test_uncovered(models, want) -> None:
    assert uncovered(RUNTIME, models) == want


def test_uncovered_by_name_for_old_records() -> None:
    models = [_model("a", flex=[ADD_I64, FlexOp("Erf", (("T", "DT_FLOAT"),))])]
    assert uncovered(RUNTIME, models, flex_by_name=True) == {"flex op Erf": ["a"]}


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
def test_load_runtime_forms(tmp_path: Path, wrap) -> None:
    assert load_runtime(_write(tmp_path, wrap(opset_to_json(RUNTIME)))).ops == RUNTIME
    assert load_runtime(_write(tmp_path, wrap(opset_to_json(RUNTIME)))).warning == ""


def test_old_record_without_flex_details_compares_names_and_warns(tmp_path: Path) -> None:
    doc = opset_to_json(RUNTIME)
    del doc["flex_details"]
    runtime = load_runtime(_write(tmp_path, {"format_version": 1, "op_set": doc}))
    assert runtime.flex_by_name and runtime.ops.flex_ops == (FlexOp("AddV2"),)
    assert "records Flex ops by name only" in runtime.warning and runtime.path in runtime.warning


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "cannot read"),
        ("{not json", "not JSON"),
        ('["a"]', "no op set found"),
        ('{"models": []}', "no op set found"),
        ('{"builtin_ops": {"ADD": ["x"]}}', "malformed op set"),
        ('{"builtin_ops": {"ADD": [Infinity]}}', "Infinity is not a JSON number"),
        ('{"builtin_ops": {"ADD": [NaN]}}', "NaN is not a JSON number"),
        ('{"builtin_ops": {"ADD": [1e400]}}', "out of range"),
        ("[" * 100000 + "]" * 100000, "nested too deeply"),
        ('{"flex_ops": ["Add\\u0007V2"]}', "not a TensorFlow op name"),
        (
            '{"flex_ops": ["AddV2"], "flex_details": [{"op": "AddV2", "attrs": {"T": "DT_FLOAT\\n"}}]}',
            "is not a DataType",
        ),
    ],
)
def test_load_runtime_errors(tmp_path: Path, content, message: str) -> None:
    path = str(tmp_path / "ops.json") if content is None else _write(tmp_path, content)
    with pytest.raises(UsageError, match=message) as e:
        load_runtime(path)
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
        "error: the runtime in ops.json lacks 3 ops that the models need;"
        " rebuild it from these models (tflite-slim build):",
        "  CONV_2D version 4: needed by assets/c.tflite",
        "  CUMSUM version 1: needed by assets/c.tflite, assets/d.tflite",
        "  flex op Softplus: needed by assets/c.tflite",
    ]


def test_verify_compares_flex_type_attributes(app: Path) -> None:
    (app / "assets" / "c.tflite").write_bytes(
        mm.make_model([mm.custom("FlexAddV2")], [[mm.Op(0, mm.flex_options("AddV2", {"T": mm.DT_INT64}))]])
    )
    r = cli("verify", "--ops", "ops.json", "assets", cwd=app)
    assert r.returncode == 1
    assert r.stderr.splitlines()[1:] == ["  flex op AddV2 (T=DT_INT64): needed by assets/c.tflite"]


def test_verify_old_record_compares_flex_names_with_a_warning(app: Path) -> None:
    doc = opset_to_json(RUNTIME)
    del doc["flex_details"]
    (app / "ops.json").write_text(dumps({"format_version": 1, "op_set": doc}))
    (app / "assets" / "c.tflite").write_bytes(
        mm.make_model([mm.custom("FlexAddV2")], [[mm.Op(0, mm.flex_options("AddV2", {"T": mm.DT_INT64}))]])
    )
    r = cli("verify", "--ops", "ops.json", "assets", cwd=app)
    assert r.returncode == 0
    assert r.stderr.startswith("warning: ops.json records Flex ops by name only") and r.stderr.count("\n") == 1


@pytest.mark.parametrize(
    "text",
    ['{"builtin_ops": {"ADD": [Infinity]}}', '{"builtin_ops": {"ADD": [1e400]}}', "[" * 100000 + "]" * 100000],
)
def test_verify_bad_ops_json_is_one_usage_error_line(app: Path, text: str) -> None:
    (app / "ops.json").write_text(text)
    r = cli("verify", "--ops", "ops.json", "assets", cwd=app)
    assert r.returncode == 2
    assert r.stderr.startswith("error: ops.json: ") and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr


@pytest.mark.parametrize(
    "op_set",
    [
        '{"builtin_ops": {"ADD": [Infinity]}}',
        '{"builtin_ops": {"ADD": [1e400]}}',
        "[" * 100000 + "]" * 100000,
        '{"flex_ops": ["Add\\u0000V2"], "flex_details": [{"op": "Add\\u0000V2", "attrs": {}}]}',
    ],
)
def test_install_bad_build_record_is_one_usage_error_line(tmp_path: Path, op_set: str) -> None:
    out = make_build_out(tmp_path / "out", WITH_FLEX)
    record = (out / "ops.json").read_text()
    start = record.index('"op_set": ') + len('"op_set": ')
    end = record.index('"plan_fingerprint"')
    (out / "ops.json").write_text(record[:start] + op_set + ",\n  " + record[end:])
    r = cli("install", str(out), "--repo", str(tmp_path / "repo"), cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith(f"error: {out / 'ops.json'}: ") and r.stderr.count("\n") == 1
    assert not (tmp_path / "repo").exists()


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
        # --ops is optional with --url or with --run --runtime DIR (it is then DIR/ops.json).
        (("verify", "assets"),
         "error: give --ops OPS_JSON (the build's ops.json), --url URL --coordinates G:A:V, or --run --runtime DIR"),
        (("verify", "--runtime", "out", "assets"), "error: --runtime DIR runs the models through that build: add --run"),
        (("verify", "--ops", "a.json", "--url", "http://127.0.0.1:1/", "assets"), "not allowed with argument"),
        (("verify", "--ops", "missing.json", "assets"), "error: missing.json: cannot read the op set"),
        (("verify", "--ops", "ops.json"), "error: no model path given"),
    ],
)
def test_verify_usage_errors(app: Path, args, message: str) -> None:
    r = cli(*args, cwd=app)
    assert r.returncode == 2
    assert message in r.stderr and "Traceback" not in r.stderr


def test_uncovered_is_linear_in_flex_ops() -> None:
    # Each Flex op was looked up in the runtime's tuple (and its names re-sorted per
    # lookup): 10,000 Flex ops took minutes, and a crafted model has more.
    plain = tuple(FlexOp(f"Op{i}") for i in range(10_000))
    typed = tuple(FlexOp(f"Typed{i}", (("T", "DT_FLOAT"),)) for i in range(10_000))
    runtime = OpSet({}, {}, plain + typed)
    model = ModelOps("m.tflite", "0" * 64, 1, 1, OpSet({}, {}, plain + typed + (FlexOp("Extra", (("T", "DT_INT8"),)),)))
    started = time.monotonic()
    assert uncovered(runtime, [model]) == {"flex op Extra (T=DT_INT8)": ["m.tflite"]}
    assert uncovered(runtime, [model], flex_by_name=True) == {"flex op Extra": ["m.tflite"]}
    assert time.monotonic() - started < 5
