"""Rendering an analysis for people (text, HTML) and writing reports atomically."""

from __future__ import annotations

import html
import os
import time
from pathlib import Path

import pytest

import hostile
import modelmaker as mm
from tflite_slim.analysis.analyzer import Analysis, AnalyzeSettings, analyze, analyze_files
from tflite_slim.errors import UsageError
from tflite_slim.analysis.opset import ModelFailure
from tflite_slim.analysis.report import human_size, render_html, render_text, write_text_atomic


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


def test_html_report_escapes_and_highlights(models: Path) -> None:
    result = analyze(AnalyzeSettings((str(models),)))
    page = render_html(result)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<b>Odd&Op</b>" not in page and "&lt;b&gt;Odd&amp;Op&lt;/b&gt;" in page
    assert '<tr class="flex">' in page and '<tr class="custom">' in page
    assert "http" not in page.replace("http-equiv", "")  # self-contained: nothing fetched
    assert page.count('<th class="model"') == 2
    assert render_html(result) == page  # byte-stable


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


def test_html_cells_show_each_models_custom_op_versions(tmp_path: Path) -> None:
    (tmp_path / "a.tflite").write_bytes(mm.make_model([mm.custom("Foo", 2)], [[mm.Op(0)]]))
    (tmp_path / "b.tflite").write_bytes(mm.make_model([mm.custom("Foo")], [[mm.Op(0)]]))
    page = render_html(analyze(AnalyzeSettings((str(tmp_path),))))
    row = page.split('<tr class="custom">', 1)[1].split("</tr>", 1)[0]
    assert '<td class="op" title="custom Foo">Foo</td><td>1, 2</td>' in row
    assert row.count('<td class="have">') == 2
    assert '<td class="have">v2</td><td class="have">v1</td>' in row


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


def test_size_chart_in_html(models: Path) -> None:
    analysis = analyze(AnalyzeSettings((str(models),)))
    page = render_html(analysis, sizes=[("tensorflow-lite.aar", "arm64-v8a", 1 << 20, 4 << 20),
                                        ("tensorflow-lite.aar", "x86", 512 << 10, None)])
    chart = page.split("<h2>Runtime size: slim vs stock</h2>", 1)[1].split("</table>", 1)[0]
    assert '<span class="bar slim" style="width:75px"></span> slim 1.0 MiB' in chart
    assert '<span class="bar stock" style="width:300px"></span> stock 4.0 MiB' in chart
    assert "<td>x86</td>" in chart and "stock: not compared" in chart
    assert "Runtime size" not in render_html(analysis)


def _op_row(page: str, op: str) -> str:
    table = page.split('<table class="ops">', 1)[1].split("</table>", 1)[0]
    return next(r for r in table.split("<tr ")[1:] if f'">{op}</td>' in r)


def test_html_op_table_says_users_versions_and_kernel(tmp_path: Path) -> None:
    for i in range(7):
        codes = [mm.builtin(mm.ADD, 1 + i % 3)] + ([mm.custom("MaxUnpooling2D")] if i == 0 else [])
        (tmp_path / f"m{i}.tflite").write_bytes(mm.make_model(codes, [[mm.Op(k) for k in range(len(codes))]]))
    page = render_html(analyze(AnalyzeSettings((str(tmp_path),))))
    # The summary and the op table come before the advice, the index and the matrix.
    assert page.index('class="summary"') < page.index('<table class="ops">') < page.index('<details class="advice">') \
        < page.index('<table class="index">') < page.index('<details class="matrixbox">')
    add = _op_row(page, "ADD")
    assert add.startswith('class="builtin" data-m="1 2 3 4 5 6 7">')
    assert '<td class="n">7</td><td>1\u20133</td><td>TensorFlow Lite builtin</td>' in add
    assert add.count('<a href="#m') == 7 and "<summary>and 3 more</summary>" in add
    unpool = _op_row(page, "MaxUnpooling2D")
    assert '<td class="n">1</td><td>1</td><td class="none">none in TensorFlow Lite: MediaPipe</td>' in unpool
    assert '<a href="#m1">m0.tflite</a>' in unpool and '<tr id="m1"><td>1</td>' in page
    assert "7 models: 1 builtin op, 1 custom op, 0 Flex ops (1 custom op TensorFlow Lite has no kernel for" in page
    assert '<details class="advice"><summary>MediaPipe: MaxUnpooling2D</summary>' in page  # collapsed: no "open"


def test_html_summary_grammar_for_one_model(tmp_path: Path) -> None:
    (tmp_path / "a.tflite").write_bytes(mm.make_model([mm.builtin(mm.ADD)], [[mm.Op(0)]]))
    page = render_html(analyze(AnalyzeSettings((str(tmp_path),))))
    assert '<p class="summary">1 model: 1 builtin op, 0 custom ops, 0 Flex ops. ' in page
    assert "(s)" not in page.replace("(s) match", "")


def test_hostile_model_and_op_names_are_escaped_everywhere(tmp_path: Path) -> None:
    folder = tmp_path / '"><img src=x onerror=alert(1)>'
    folder.mkdir()
    name = "<td><script>alert(2)<!--'.tflite"
    op = "</summary><script>alert(3)</script>"
    (folder / name).write_bytes(mm.make_model([mm.custom(op)], [[mm.Op(0)]]))
    analysis = analyze(AnalyzeSettings((str(tmp_path),)))
    page = render_html(analysis)
    assert "<img" not in page and "<script>alert" not in page and "alert(1)>" not in page
    assert page.count("<script>") == 1  # the page's own filter
    assert "&lt;td&gt;&lt;script&gt;alert(2)&lt;!--&#x27;.tflite" in page
    assert "&lt;/summary&gt;&lt;script&gt;alert(3)&lt;/script&gt;" in page
    assert '<td class="path">' + html.escape(analysis.models[0].path) + "</td>" in page


def test_html_report_is_linear_in_models_times_ops(tmp_path: Path) -> None:
    def page_for(n: int) -> int:
        root = tmp_path / str(n)
        root.mkdir()
        for i in range(n):
            codes = [mm.builtin(c) for c in range(20)]
            (root / f"model_{i}.tflite").write_bytes(mm.make_model(codes, [[mm.Op(k) for k in range(20)]]))
        return len(render_html(analyze(AnalyzeSettings((str(root),)))))

    small, large = page_for(20), page_for(200)
    assert large < 12 * small  # ten times the models: about ten times the page, not a hundred
