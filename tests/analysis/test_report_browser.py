"""The HTML op report in a real browser (headless Chromium) at 1, 30 and 236 models.

The page is loaded with a probe script appended to a copy; the script
measures, types into the filter box, opens the matrix and scrolls it to its
far corner, and Chromium's ``--dump-dom`` hands the measurements back. What
must hold at every size: the page is no wider than the window; the summary and
the op table come first (the op table starts in the first screen); the custom
op advice is collapsed; no heading or model name is cut; the filter finds an
op's models and a model's ops; in the matrix the op column and the header row
stay in view when it is scrolled. 236 is the shared corpus of real models
(``../shared/models``: 226 models and 10 files that are not models).
Screenshots go to the test's directory, and to ``TFLITE_SLIM_SCREENSHOTS=DIR``
when set; page size and load time are printed (``pytest -s``) and written
beside them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Optional

import pytest

import modelmaker as mm
from tflite_slim.analysis.analyzer import Analysis, AnalyzeSettings, analyze
from tflite_slim.analysis.opset import ModelOps
from tflite_slim.analysis.html_page import render_html
from tflite_slim.analysis.report import distinguishing_names

WIDTH, HEIGHT = 1280, 900

_PROBE = """
<script>
(function () {
  var r = {};
  function clipped(el) { return el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1; }
  function visible(rows) { return rows.filter(function (x) { return !x.hidden; }).length; }
  r.pageWidth = document.documentElement.scrollWidth;
  r.windowWidth = window.innerWidth;
  r.windowHeight = window.innerHeight;
  var summary = document.querySelector('.summary').getBoundingClientRect();
  var ops = document.querySelector('table.ops').getBoundingClientRect();
  r.opTableInFirstScreen = ops.top > summary.bottom && ops.top < window.innerHeight;
  r.firstHeading = document.querySelector('h2').textContent;
  r.adviceOpen = [].slice.call(document.querySelectorAll('details.advice')).map(function (d) { return d.open; });
  r.clippedHeadings = [].slice.call(document.querySelectorAll('h1, h2')).filter(clipped).map(function (h) {
    return h.textContent; });
  var opRows = [].slice.call(document.querySelectorAll('table.ops tbody tr'));
  var modelRows = [].slice.call(document.querySelectorAll('table.index tbody tr'));
  r.opRows = opRows.length;
  r.modelRows = modelRows.length;
  r.indexPaths = modelRows.map(function (x) { return x.cells[1].textContent; });
  var box = document.getElementById('filter');
  function typed(q) {
    box.value = q; box.dispatchEvent(new Event('input'));
    return {ops: opRows.filter(function (x) { return !x.hidden; }).map(function (x) { return x.cells[0].textContent; }),
            models: visible(modelRows), said: document.getElementById('shown').textContent};
  }
  r.filters = JSON.parse(document.getElementById('queries').textContent).map(typed);
  typed('');
  r.allBack = visible(opRows) === opRows.length && visible(modelRows) === modelRows.length;
  var matrix = document.querySelector('details.matrixbox');
  matrix.open = true;
  var box2 = document.querySelector('.matrix');
  var heads = [].slice.call(document.querySelectorAll('th.model'));
  r.headings = heads.map(function (h) { return h.textContent; });
  r.clippedModelHeadings = heads.filter(function (h) { return clipped(h.firstElementChild); }).length;
  r.pageWidthWithMatrix = document.documentElement.scrollWidth;
  box2.scrollLeft = box2.scrollWidth;
  box2.scrollTop = box2.scrollHeight;
  var b = box2.getBoundingClientRect();
  var rows = box2.querySelectorAll('tbody tr');
  var lastOp = rows[rows.length - 1].querySelector('td.op').getBoundingClientRect();
  var corner = box2.querySelector('thead th.op').getBoundingClientRect();
  var lastHead = heads[heads.length - 1].getBoundingClientRect();
  r.opColumnStuck = Math.abs(lastOp.left - b.left) <= 2;
  r.headerStuck = Math.abs(corner.top - b.top) <= 2 && Math.abs(lastHead.top - b.top) <= 2;
  r.lastModelVisible = lastHead.right <= b.right + 1 && lastHead.left >= corner.right - 1;
  r.images = document.images.length;
  r.scripts = document.scripts.length;
  var pre = document.createElement('pre');
  pre.id = 'probe';
  pre.textContent = JSON.stringify(r);
  document.body.appendChild(pre);
})();
</script>
"""

#: Reports the load time (navigation start to the load event's end) once the page has loaded.
_TIMING = """
<script>
window.addEventListener('load', function () {
  setTimeout(function () {
    var t = performance.getEntriesByType('navigation')[0];
    var pre = document.createElement('pre');
    pre.id = 'timing';
    pre.textContent = JSON.stringify({load: t.loadEventEnd, dom: t.domContentLoadedEventEnd});
    document.body.appendChild(pre);
  }, 0);
});
</script>
"""


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is not installed; .ci/run installs Debian's chromium")
    pytest.skip("chromium is not installed (apt-get install chromium): the HTML report is not checked in a browser")


def _run(chromium: str, *args: str, budget: bool = True) -> subprocess.CompletedProcess:
    argv = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            f"--window-size={WIDTH},{HEIGHT}", *(["--virtual-time-budget=5000"] if budget else []), *args]
    return subprocess.run(argv, capture_output=True, text=True, timeout=180)


def _pre(dom: str, name: str, stderr: str) -> dict:
    marker = f'<pre id="{name}">'
    assert marker in dom, stderr[-2000:]
    text = dom.split(marker, 1)[1].split("</pre>", 1)[0]
    return json.loads(text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&"))


def _probe(chromium: str, page: str, queries: list, work: Path) -> dict:
    probed = work / "probed.html"
    data = f'<script type="application/json" id="queries">{json.dumps(queries)}</script>'
    probed.write_text(page.replace("</body>", data + _PROBE + "</body>"))
    done = _run(chromium, "--dump-dom", probed.as_uri())
    return _pre(done.stdout, "probe", done.stderr)


def _load_ms(chromium: str, page: str, work: Path) -> float:
    """The page's own load time in a real clock (no virtual time), as the navigation timing says."""
    timed = work / "timed.html"
    timed.write_text(page.replace("</body>", _TIMING + "</body>"))
    done = _run(chromium, "--dump-dom", timed.as_uri(), budget=False)
    return float(_pre(done.stdout, "timing", done.stderr)["load"])


def _screenshot(chromium: str, page: str, work: Path, name: str) -> list[Path]:
    plain = work / "page.html"
    plain.write_text(page)
    shots = [work / name]
    extra = os.environ.get("TFLITE_SLIM_SCREENSHOTS")
    if extra:
        shots.append(Path(extra) / name)
    for shot in shots:
        _run(chromium, f"--screenshot={shot}", plain.as_uri())
        assert shot.is_file() and shot.stat().st_size > 1000
    return shots


def _synthetic(root: Path, n: int) -> Path:
    """``n`` models; many share a file name in different folders, as app assets do."""
    ops = [mm.CONV_2D, mm.ADD, 25, 22, 9]  # + SOFTMAX, RESHAPE, FULLY_CONNECTED (schema.fbs codes)
    for i in range(n):
        folder = root / f"feature_{i % 9}" / f"variant_{i // 9}"
        folder.mkdir(parents=True, exist_ok=True)
        name = "selfie_segmentation.tflite" if i % 3 == 0 else f"model_with_a_long_descriptive_name_{i}.tflite"
        codes = [mm.builtin(ops[j], 1 + (i + j) % 3) for j in range(1 + i % len(ops))]
        codes.append(mm.custom(f"Custom{i % 4}"))
        (folder / name).write_bytes(mm.make_model([*codes, mm.custom("DISPATCH_OP")] if i == 0 else codes,
                                                  [[mm.Op(k) for k in range(len(codes))]]))
    return root


def _analysis(tmp_path: Path, corpus: Optional[Path], n: int) -> Analysis:
    if corpus is None:
        return analyze(AnalyzeSettings((str(_synthetic(tmp_path / "models", n)),)))
    return analyze(AnalyzeSettings((str(corpus),), ("*.tflite", "*.bin")))


def _ops_of(m: ModelOps) -> list[str]:
    """The op table's rows naming ``m`` (Flex ops once per type variant)."""
    return [*m.ops.builtin_ops, *m.ops.custom_ops, *(f.name for f in set(m.ops.flex_ops))]


def _filtered(analysis: Analysis, q: str) -> tuple[list[str], int]:
    """What the filter must show for ``q``: the op rows whose op or one of whose models' paths contains it,
    and how many models' path or one of whose ops does (case-insensitive)."""
    q = q.lower()
    hit = {m.path: q in m.path.lower() for m in analysis.models}
    rows: dict[tuple, bool] = {}
    for m in analysis.models:
        for op in [*(("b", o) for o in m.ops.builtin_ops), *(("c", o) for o in m.ops.custom_ops),
                   *(("f", f.name, f.attrs) for f in set(m.ops.flex_ops))]:
            rows[op] = rows.get(op, False) or q in op[1].lower() or hit[m.path]
    models = sum(hit[m.path] or any(q in o.lower() for o in _ops_of(m)) for m in analysis.models)
    return sorted(op[1] for op, on in rows.items() if on), models


@pytest.mark.parametrize("n", [1, 30, 236])
def test_report_works_in_a_browser(tmp_path: Path, n: int, request: pytest.FixtureRequest) -> None:
    chromium = _chromium()
    corpus = request.getfixturevalue("shared_models") if n == 236 else None
    analysis = _analysis(tmp_path, corpus, n)
    assert len(analysis.models) + len(analysis.failures) == n
    page = render_html(analysis, sizes=[("tensorflow-lite.aar", "arm64-v8a", 1 << 20, 3 << 20)])
    # A builtin op, a custom op, a model's distinguishing name (its own ops and itself are found).
    custom = "Convolution2DTransposeBias" if corpus else "DISPATCH_OP"
    model = analysis.models[-1]
    short = distinguishing_names([m.path for m in analysis.models])
    queries = ["conv_2d", custom.lower(), short[model.path], "no-such-op-or-model"]
    r = _probe(chromium, page, queries, tmp_path)

    assert r["pageWidth"] <= r["windowWidth"] and r["pageWidthWithMatrix"] <= r["windowWidth"], r
    assert r["opTableInFirstScreen"] and r["firstHeading"].startswith("Runtime size"), r
    assert r["adviceOpen"] and not any(r["adviceOpen"]), r  # there is advice, all of it collapsed
    assert r["clippedHeadings"] == [] and r["clippedModelHeadings"] == 0, r
    assert r["indexPaths"] == [m.path for m in analysis.models]
    assert r["opRows"] == len(analysis.union.builtin_ops) + len(analysis.union.custom_ops) + \
        len(set(analysis.union.flex_ops))
    for q, got in zip(queries, r["filters"]):
        ops, models = _filtered(analysis, q)
        assert (sorted(got["ops"]), got["models"]) == (ops, models), (q, got)
        said = f"{len(ops)} op{'s' if len(ops) != 1 else ''}, {models} model{'s' if models != 1 else ''} match"
        assert got["said"] == said
    conv, by_custom, by_model, nothing = r["filters"]
    assert "CONV_2D" in conv["ops"] and custom in by_custom["ops"]
    assert set(_ops_of(model)) <= set(by_model["ops"]) and by_model["models"] >= 1
    assert nothing == {"ops": [], "models": 0, "said": "0 ops, 0 models match"}
    assert r["allBack"], r
    # Every column heading is the model's number and whole distinguishing name.
    assert r["headings"] == [f"{i}. {short[m.path]}" for i, m in enumerate(analysis.models, 1)]
    assert r["headerStuck"] and r["lastModelVisible"] and r["opColumnStuck"], {k: r[k] for k in ("headerStuck", "lastModelVisible", "opColumnStuck")}
    assert r["images"] == 0 and r["scripts"] == 3  # the page's own, the queries and the probe

    _screenshot(chromium, page, tmp_path, f"report-{n}.png")
    load = _load_ms(chromium, page, tmp_path)
    figures = {"models": len(analysis.models), "files": n, "page_bytes": len(page.encode()), "load_ms": round(load)}
    (tmp_path / f"report-{n}.json").write_text(json.dumps(figures))
    print(f"report at {n} files: {figures}")
    assert load < 5000, figures


def test_hostile_file_names_stay_text_in_a_browser(tmp_path: Path) -> None:
    chromium = _chromium()
    hostile = tmp_path / "m" / '"><img src=x onerror=document.title=1>'
    hostile.mkdir(parents=True)
    (hostile / "<td><script>document.title=2;.tflite").write_bytes(
        mm.make_model([mm.custom("<img src=y onerror=document.title=3>")], [[mm.Op(0)]]))
    analysis = analyze(AnalyzeSettings((str(tmp_path / "m"),)))
    page = render_html(analysis)
    r = _probe(chromium, page, ["<img"], tmp_path)
    assert r["images"] == 0 and r["scripts"] == 3, r
    assert r["indexPaths"] == [analysis.models[0].path]
    assert r["filters"][0]["ops"] == ["<img src=y onerror=document.title=3>"]
