"""Analyzing sets of files: bad files kept apart, the union, its fingerprint, who needs what."""

from __future__ import annotations

import os
from pathlib import Path

import modelmaker as mm
from tflite_slim.analysis.analyzer import AnalyzeSettings, analyze, analyze_files
from tflite_slim.analysis.coverage import uncovered
from tflite_slim.analysis.opset import FlexOp, OpSet, opset_from_json


def test_bad_files_do_not_stop_the_others(models: Path) -> None:
    result = analyze(AnalyzeSettings((str(models),)))
    assert [os.path.relpath(m.path, models) for m in result.models] == [
        "conv.tflite",
        os.path.join("sub", "flex.tflite"),
    ]
    assert [(os.path.relpath(f.path, models), f.error) for f in result.failures] == [
        (os.path.join("sub", "broken.tflite"), "not a TFLite flatbuffer (no TFL3 identifier at bytes 4..8)")
    ]
    assert not result.ok
    union = result.union
    assert dict(union.builtin_ops) == {"ADD": (1,), "CONV_2D": (1, 3)}
    assert union.custom_ops == {"<b>Odd&Op</b>": (1,)}
    assert union.flex_ops == (FlexOp("AddV2", (("T", "DT_FLOAT"),)),)


def test_json_document_round_trips_the_union(models: Path) -> None:
    doc = analyze(AnalyzeSettings((str(models),))).to_json()
    assert set(doc) >= {"models", "errors", "union"}
    assert set(doc["models"][0]) >= {
        "path",
        "sha256",
        "size",
        "subgraphs",
        "builtin_ops",
        "custom_ops",
        "flex_ops",
        "unreferenced",
    }
    union = opset_from_json(doc["union"])
    assert union.fingerprint() == doc["union"]["fingerprint"]
    assert doc["union"]["flex_ops"] == ["AddV2"]


def test_fingerprint_ignores_weights_and_paths(tmp_path: Path) -> None:
    codes, graphs = [mm.builtin(mm.CONV_2D, 2)], [[mm.Op(0)]]
    (tmp_path / "a.tflite").write_bytes(mm.make_model(codes, graphs, buffers=[16]))
    (tmp_path / "b.tflite").write_bytes(mm.make_model(codes, graphs, buffers=[b"\x07" * 4096]))
    a = analyze_files([str(tmp_path / "a.tflite")])
    b = analyze_files([str(tmp_path / "b.tflite")])
    assert a.models[0].sha256 != b.models[0].sha256
    assert a.union.fingerprint() == b.union.fingerprint()
    (tmp_path / "c.tflite").write_bytes(mm.make_model([mm.builtin(mm.CONV_2D, 3)], graphs))
    assert analyze_files([str(tmp_path / "c.tflite")]).union.fingerprint() != a.union.fingerprint()


def test_every_need_traces_to_its_models_in_missing_from_spelling(models: Path) -> None:
    result = analyze(AnalyzeSettings((str(models),)))
    need = {k: [os.path.basename(p) for p in v] for k, v in uncovered(OpSet(), result.models).items()}
    assert need == {
        "ADD version 1": ["conv.tflite"],
        "CONV_2D version 1": ["flex.tflite"],
        "CONV_2D version 3": ["conv.tflite"],
        "custom op <b>Odd&Op</b>": ["flex.tflite"],
        "flex op AddV2 (T=DT_FLOAT)": ["flex.tflite"],
    }
