"""The HTML op report (html_page.render_html): structure, escaping, linear size."""

from __future__ import annotations

import html
from pathlib import Path

import modelmaker as mm
from tflite_slim.analysis.analyzer import AnalyzeSettings, analyze
from tflite_slim.analysis.html_page import render_html


def test_html_report_escapes_and_highlights(models: Path) -> None:
    result = analyze(AnalyzeSettings((str(models),)))
    page = render_html(result)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<b>Odd&Op</b>" not in page and "&lt;b&gt;Odd&amp;Op&lt;/b&gt;" in page
    assert '<tr class="flex">' in page and '<tr class="custom">' in page
    assert "http" not in page.replace("http-equiv", "")  # self-contained: nothing fetched
    assert page.count('<th class="model"') == 2
    assert render_html(result) == page  # byte-stable


def test_html_cells_show_each_models_custom_op_versions(tmp_path: Path) -> None:
    (tmp_path / "a.tflite").write_bytes(mm.make_model([mm.custom("Foo", 2)], [[mm.Op(0)]]))
    (tmp_path / "b.tflite").write_bytes(mm.make_model([mm.custom("Foo")], [[mm.Op(0)]]))
    page = render_html(analyze(AnalyzeSettings((str(tmp_path),))))
    row = page.split('<tr class="custom">', 1)[1].split("</tr>", 1)[0]
    assert '<td class="op" title="custom Foo">Foo</td><td>1, 2</td>' in row
    assert row.count('<td class="have">') == 2
    assert '<td class="have">v2</td><td class="have">v1</td>' in row


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
