"""The HTML op report in a real browser (headless Chromium) at 1 and at 300 models.

The page is loaded with a probe script appended to a copy; the script scrolls
the ops x models matrix to its far corner and measures, and Chromium's
``--dump-dom`` hands the measurements back. What must hold at both sizes: the
page is no wider than the window (the matrix scrolls in its own box), the
summary line is not overprinted by model names, the op column and the header
row stay in view when the matrix is scrolled, and every column heading names a
different model. ``TFLITE_SLIM_SCREENSHOTS=DIR`` also saves screenshots there
to look at.
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
from tflite_slim.analysis.analyzer import AnalyzeSettings, analyze
from tflite_slim.analysis.report import render_html

WIDTH, HEIGHT = 1280, 900

_PROBE = """
<script>
(function () {
  var box = document.querySelector('.matrix');
  var r = {};
  r.pageWidth = document.documentElement.scrollWidth;
  r.windowWidth = window.innerWidth;
  var summary = document.querySelector('.summary').getBoundingClientRect();
  var heads = Array.prototype.slice.call(document.querySelectorAll('th.model'));
  r.headsBelowSummary = heads.every(function (h) { return h.getBoundingClientRect().top >= summary.bottom; });
  r.headTextInside = heads.every(function (h) {
    var d = h.firstElementChild.getBoundingClientRect(), c = h.getBoundingClientRect();
    return d.top >= c.top - 1 && d.bottom <= c.bottom + 1;
  });
  r.headings = heads.map(function (h) { return h.textContent; });
  r.scrollable = box.scrollWidth > box.clientWidth;
  box.scrollLeft = box.scrollWidth;
  box.scrollTop = box.scrollHeight;
  var b = box.getBoundingClientRect();
  var rows = box.querySelectorAll('tbody tr');
  var lastOp = rows[rows.length - 1].querySelector('td.op').getBoundingClientRect();
  var corner = box.querySelector('thead th.op').getBoundingClientRect();
  var lastHead = heads[heads.length - 1].getBoundingClientRect();
  r.opColumnStuck = Math.abs(lastOp.left - b.left) <= 2;
  r.headerStuck = Math.abs(corner.top - b.top) <= 2 && Math.abs(lastHead.top - b.top) <= 2;
  r.lastModelVisible = lastHead.right <= b.right + 1 && lastHead.left >= corner.right - 1;
  var pre = document.createElement('pre');
  pre.id = 'probe';
  pre.textContent = JSON.stringify(r);
  document.body.appendChild(pre);
})();
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


def _run(chromium: str, *args: str) -> subprocess.CompletedProcess:
    argv = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            f"--window-size={WIDTH},{HEIGHT}", "--virtual-time-budget=5000", *args]
    return subprocess.run(argv, capture_output=True, text=True, timeout=180)


def _probe(chromium: str, page: str, work: Path, shot: Optional[Path]) -> dict:
    probed = work / "probed.html"
    probed.write_text(page.replace("</body>", _PROBE + "</body>"))
    done = _run(chromium, "--dump-dom", probed.as_uri())
    assert '<pre id="probe">' in done.stdout, done.stderr[-2000:]
    if shot is not None:
        plain = work / "page.html"
        plain.write_text(page)
        _run(chromium, f"--screenshot={shot}", plain.as_uri())
    return json.loads(done.stdout.split('<pre id="probe">', 1)[1].split("</pre>", 1)[0].replace("&amp;", "&")
                      .replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"'))


def _models(root: Path, n: int) -> Path:
    """``n`` models; many share a file name in different folders, as app assets do."""
    ops = [mm.CONV_2D, mm.ADD, 25, 22, 9]  # + SOFTMAX, RESHAPE, FULLY_CONNECTED (schema.fbs codes)
    for i in range(n):
        folder = root / f"feature_{i % 9}" / f"variant_{i // 9}"
        folder.mkdir(parents=True, exist_ok=True)
        name = "selfie_segmentation.tflite" if i % 3 == 0 else f"model_with_a_long_descriptive_name_{i}.tflite"
        codes = [mm.builtin(ops[j], 1 + (i + j) % 3) for j in range(1 + i % len(ops))]
        codes.append(mm.custom(f"Custom{i % 4}"))
        (folder / name).write_bytes(mm.make_model(codes, [[mm.Op(k) for k in range(len(codes))]]))
    return root


@pytest.mark.parametrize("n", [1, 300])
def test_report_works_in_a_browser(tmp_path: Path, n: int) -> None:
    chromium = _chromium()
    analysis = analyze(AnalyzeSettings((str(_models(tmp_path / "models", n)),)))
    assert len(analysis.models) == n
    page = render_html(analysis, sizes=[("tensorflow-lite.aar", "arm64-v8a", 1 << 20, 3 << 20)])
    shots = os.environ.get("TFLITE_SLIM_SCREENSHOTS")
    shot = Path(shots) / f"report-{n}.png" if shots else None
    r = _probe(chromium, page, tmp_path, shot)
    assert r["pageWidth"] <= r["windowWidth"], r
    assert r["headsBelowSummary"] and r["headTextInside"], r
    assert r["headerStuck"] and r["lastModelVisible"], r
    assert r["opColumnStuck"], r
    assert len(set(r["headings"])) == n
    if n == 300:
        assert r["scrollable"]
        assert "1. feature_0/variant_0/selfie_segmentation.tflite" in r["headings"]
