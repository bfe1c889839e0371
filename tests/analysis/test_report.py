"""Rendering an analysis for people (text, HTML) and writing reports atomically."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

import hostile
import modelmaker as mm
from tflite_slim.analysis.analyzer import Analysis, AnalyzeSettings, analyze, analyze_files
from tflite_slim.errors import UsageError
from tflite_slim.analysis.opset import ModelFailure
from tflite_slim.analysis.html_page import render_html
from tflite_slim.analysis.report import human_size, render_text, write_text_atomic


def test_text_report(models: Path) -> None:
    text = render_text(analyze(AnalyzeSettings((str(models),))))
    assert "conv.tflite" in text and "CONV_2D" in text
    assert "union of 2 models" in text
    union_part = text.split("union of 2 models")[1]
    conv_row = next(line for line in union_part.splitlines() if " CONV_2D " in line)
    assert "1, 3" in conv_row and "2: conv.tflite, flex.tflite" in conv_row
    flex_row = next(line for line in union_part.splitlines() if line.strip().startswith("flex"))
    assert "AddV2" in flex_row and "T=DT_FLOAT" in flex_row
    custom_row = next(line for line in union_part.splitlines() if line.strip().startswith("custom"))
    assert custom_row.split()[:3] == ["custom", "<b>Odd&Op</b>", "1"]
    assert "errors (1):" in text and "broken.tflite: not a TFLite flatbuffer" in text


@pytest.mark.parametrize(
    "n, text", [(0, "0 B"), (532, "532 B"), (2048, "2.0 KiB"), (105 * 1024 * 1024, "105.0 MiB"), (3 << 30, "3.0 GiB")]
)
def test_human_size(n: int, text: str) -> None:
    assert human_size(n) == text


def test_empty_analysis_renders() -> None:
    empty = Analysis((), (ModelFailure("x.tflite", "bad"),))
    assert "union of 0 models" in render_text(empty)
    assert "x.tflite" in render_html(empty)


def test_write_text_atomic_replaces_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")
    write_text_atomic(str(target), "new\n")
    assert target.read_text() == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]
    assert target.stat().st_mode & 0o444 == 0o444 & ~_umask()


def _umask() -> int:
    m = os.umask(0)
    os.umask(m)
    return m


@pytest.mark.parametrize("target", ["missing-dir/out.json", "is-a-dir"])
def test_write_text_atomic_unwritable_is_a_usage_error(tmp_path: Path, target: str) -> None:
    (tmp_path / "is-a-dir").mkdir()
    with pytest.raises(UsageError, match="cannot write the report"):
        write_text_atomic(str(tmp_path / target), "x")
    # Nothing left behind: no temp file beside the target, nothing inside the directory.
    assert [p.name for p in tmp_path.rglob("*")] == ["is-a-dir"]


def test_flex_type_variants_are_separate_rows(tmp_path: Path) -> None:
    for name, dtype in (("f32.tflite", mm.DT_FLOAT), ("i64.tflite", mm.DT_INT64)):
        (tmp_path / name).write_bytes(
            mm.make_model([mm.custom("FlexAddV2")], [[mm.Op(0, mm.flex_options("AddV2", {"T": dtype}))]])
        )
    result = analyze(AnalyzeSettings((str(tmp_path),)))
    union_rows = [line.split() for line in render_text(result).split("union of 2 models")[1].splitlines()]
    flex_rows = [row for row in union_rows if row and row[0] == "flex"]
    assert flex_rows == [
        ["flex", "AddV2", "T=DT_FLOAT", "1:", "f32.tflite"],
        ["flex", "AddV2", "T=DT_INT64", "1:", "i64.tflite"],
    ]
    page = render_html(result)
    assert page.count('<tr class="flex">') == 2
    assert page.count('<td class="have">yes</td>') == 2  # one cell per variant, not four


def test_reports_of_a_model_with_many_flex_ops_render_in_linear_time(tmp_path: Path) -> None:
    # Each union row scanned every Flex op of every model: this 1 MB crafted model
    # (about 40,000 distinct Flex entries) took 24 s to render, quadratic in its size.
    path = tmp_path / "many.tflite"
    path.write_bytes(hostile.distinct_unused_flex(1 << 20))
    analysis = analyze_files([str(path)])
    assert len(analysis.union.flex_ops) > 10_000
    started = time.monotonic()
    text, page = render_text(analysis), render_html(analysis)
    assert time.monotonic() - started < 6
    assert text.count("\n  flex ") == 2 * len(analysis.union.flex_ops)  # the model's table and the union's
    assert page.count('<td class="have">yes</td>') == len(analysis.union.flex_ops)


def test_one_long_name_does_not_pad_every_row(tmp_path: Path) -> None:
    # Columns were as wide as their longest cell: a 520 KB crafted model (a 200,000-character
    # custom code among 20,000 entries) gave an 8 GB text report. Here 80 MB before, now linear.
    long_name = "A" * 20_000
    path = tmp_path / "wide.tflite"
    path.write_bytes(mm.make_model([mm.custom(long_name)] + [mm.builtin(n) for n in range(300, 2300)], [[mm.Op(0)]]))
    text = render_text(analyze_files([str(path)]))
    assert len(text) < 50 * path.stat().st_size
    assert "  builtin  BUILTIN_300 " in text and f"  custom   {long_name}  1" in text


@pytest.mark.parametrize("paths,expected", [
    (["a.tflite"], ["a.tflite"]),
    (["x/a.tflite", "y/b.tflite"], ["a.tflite", "b.tflite"]),
    (["m/face/selfie_segmentation.tflite", "m/body/selfie_segmentation.tflite"],
     ["face/selfie_segmentation.tflite", "body/selfie_segmentation.tflite"]),
    (["p/q/a/m.tflite", "r/q/a/m.tflite", "s/b/m.tflite"], ["p/q/a/m.tflite", "r/q/a/m.tflite", "b/m.tflite"]),
    # One path is a suffix of the other: it has no shorter name of its own, so it keeps all of it.
    (["a/m.tflite", "x/a/m.tflite"], ["a/m.tflite", "x/a/m.tflite"]),
    (["/abs/one/m.tflite", "/abs/two/m.tflite"], ["one/m.tflite", "two/m.tflite"]),
])
def test_distinguishing_names(paths: list, expected: list) -> None:
    from tflite_slim.analysis.report import distinguishing_names

    names = distinguishing_names(paths)
    assert [names[p] for p in paths] == expected


def test_two_models_with_one_file_name_are_told_apart(tmp_path: Path) -> None:
    for folder in ("face", "body"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "selfie_segmentation.tflite").write_bytes(
            mm.make_model([mm.builtin(mm.ADD)], [[mm.Op(0)]]))
    analysis = analyze(AnalyzeSettings((str(tmp_path),)))
    text, page = render_text(analysis), render_html(analysis)
    assert "2: body/selfie_segmentation.tflite, face/selfie_segmentation.tflite" in text
    assert "<div>1. body/selfie_segmentation.tflite</div>" in page
    assert "<div>2. face/selfie_segmentation.tflite</div>" in page


@pytest.mark.parametrize("code,advice", [
    ("MyOp", "custom op MyOp needs a kernel: give a source defining tflite::ops::custom::Register_MY_OP() "
             "(tfliteSlim.customOpsSrcs / --custom-ops-srcs)"),
    ("ethos-u", "custom op 'ethos-u' cannot get a kernel from a selective build: the build registers a custom op "
                "by calling the C++ function Register_<NAME>(), and this name has characters no C++ name can have "
                "(only letters, digits, '_'); rename the op when converting the model (the converter's custom op "
                "name) and give that kernel, or leave the model out (ethos-u is the op Arm's Vela compiler puts in "
                "models for the Ethos-U NPU of microcontrollers, run by TensorFlow Lite Micro, not by the Android "
                "runtime: ship the model as it was before Vela)"),
    ("my.op", "custom op 'my.op' cannot get a kernel from a selective build: the build registers a custom op "
              "by calling the C++ function Register_<NAME>(), and this name has characters no C++ name can have "
              "(only letters, digits, '_'); rename the op when converting the model (the converter's custom op "
              "name) and give that kernel, or leave the model out"),
])
def test_custom_op_advice_in_text_and_html(tmp_path: Path, code: str, advice: str) -> None:
    import html

    (tmp_path / "m.tflite").write_bytes(mm.make_model([mm.custom(code)], [[mm.Op(0)]]))
    analysis = analyze(AnalyzeSettings((str(tmp_path),)))
    assert f"  * {advice}\n" in render_text(analysis)
    assert "Register_ETHOS-U" not in render_text(analysis)
    page = render_html(analysis)
    assert f"<li>{html.escape(advice)}</li>" in page.split('<details class="advice">', 1)[1].split("</details>", 1)[0]
