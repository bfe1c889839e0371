"""The HTML op report: one self-contained page for an :class:`Analysis` (pure: data in, text out).

For 200+ models: a summary line and the op table first (each op's models, version range and where its
kernel comes from), a filter by op or model, the custom-op advice grouped and collapsed, the model index,
and last, collapsed, the ops x models matrix. Every text from a file is escaped; the page fetches nothing.
"""

from __future__ import annotations

import html
from typing import Mapping, Optional, Sequence

from tflite_slim.analysis.advice import custom_op_advice, grouped
from tflite_slim.analysis.analyzer import Analysis
from tflite_slim.analysis.ecosystem import known_custom_op
from tflite_slim.analysis.opset import ModelOps, OpSet
from tflite_slim.analysis.report import (
    distinguishing_names,
    human_size,
    model_keys,
    op_rows,
    plural,
    row_key,
    versions_text,
)
from tflite_slim.analysis.schema import TFLITE_PROVIDED_CUSTOM_OPS

# The summary, the op table and the filter come first: at 200+ models a matrix is not where to start. The matrix
# (ops x models) is last, collapsed; it scrolls inside its own box, header row and op column sticky.
_CSS = """
body{font-family:system-ui,sans-serif;margin:2em;color:#222}
h1,h2,h3{overflow-wrap:anywhere}
table{border-collapse:separate;border-spacing:0;margin:1em 0}
th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;font-size:.9em;vertical-align:top}
.ops td.name{white-space:nowrap} .ops td.long{white-space:normal;overflow-wrap:anywhere;min-width:20em}
.index td.path{overflow-wrap:anywhere} .index td.size{white-space:nowrap}
.ops td.n{text-align:right}
.users a{margin-right:.6em;overflow-wrap:anywhere}
.filter{position:sticky;top:0;background:#fff;padding:.5em 0;z-index:5}
.filter input{font-size:1em;padding:.3em;width:24em;max-width:90%}
.matrix{overflow:auto;max-height:80vh;width:fit-content;max-width:100%;border:1px solid #999}
.matrix table{margin:0}
.matrix thead th{position:sticky;top:0;background:#f4f4f4;z-index:2;vertical-align:bottom}
.matrix .op{position:sticky;left:0;background:#fff;z-index:1;white-space:nowrap;max-width:22em;
 overflow:hidden;text-overflow:ellipsis}
.matrix thead th.op{z-index:3;background:#f4f4f4}
th.model{padding:.3em .15em;min-width:1.6em;font-size:.8em;font-weight:normal}
th.model div{writing-mode:vertical-rl;transform:rotate(180deg);max-height:20em;overflow-wrap:anywhere;margin:0 auto}
tr.custom td.op,tr.custom td.name{background:#fff3cd} tr.flex td.op,tr.flex td.name{background:#f8d7da}
td.have{background:#d1e7dd;text-align:center;white-space:nowrap}
td.none{color:#b00020}
.legend span{padding:.1em .5em;margin-right:1em} .err{color:#b00020}
details.advice{background:#fff3cd;padding:.3em .6em;margin:.4em 0} details.advice li{margin:.3em 0}
.bars td{border:none;padding:.1em .4em} .bar{height:.9em;display:inline-block;vertical-align:middle}
.bar.slim{background:#2e7d32} .bar.stock{background:#9e9e9e}
code{font-size:.9em}
""".strip()

# Filters the op table and the model index by what is typed: an op row stays when its op or one of its
# models matches, a model row when its path or one of its ops does. Reads the page's own text only.
_SCRIPT = """
(function () {
  var box = document.getElementById('filter');
  var opRows = [].slice.call(document.querySelectorAll('table.ops tbody tr'));
  var modelRows = [].slice.call(document.querySelectorAll('table.index tbody tr'));
  var modelName = modelRows.map(function (r) { return r.cells[1].textContent.toLowerCase(); });
  var opsOf = modelRows.map(function () { return []; });
  var opName = opRows.map(function (r, i) {
    var name = r.cells[0].textContent.toLowerCase();
    (r.getAttribute('data-m') || '').split(' ').forEach(function (m) { if (m) { opsOf[m - 1].push(i); } });
    return name;
  });
  function apply() {
    var q = box.value.trim().toLowerCase(), opHit = opName.map(function (n) { return n.indexOf(q) >= 0; });
    var modelHit = modelName.map(function (n) { return n.indexOf(q) >= 0; }), shown = [0, 0];
    opRows.forEach(function (r, i) {
      var ms = (r.getAttribute('data-m') || '').split(' '), on = !q || opHit[i];
      for (var k = 0; !on && k < ms.length; k++) { on = ms[k] !== '' && modelHit[ms[k] - 1]; }
      r.hidden = !on; shown[0] += on ? 1 : 0;
    });
    modelRows.forEach(function (r, m) {
      var on = !q || modelHit[m];
      for (var k = 0; !on && k < opsOf[m].length; k++) { on = opHit[opsOf[m][k]]; }
      r.hidden = !on; shown[1] += on ? 1 : 0;
    });
    document.getElementById('shown').textContent = q ? n(shown[0], 'op') + ', ' + n(shown[1], 'model') + ' match' : '';
  }
  function n(count, word) { return count + ' ' + word + (count === 1 ? '' : 's'); }
  box.addEventListener('input', apply);
  apply();
})();
""".strip()

#: Longest op name kept on one line; a longer one (crafted) wraps anywhere.
_NOWRAP = 48

#: Models an op row names before the rest go into a collapsed list.
_NAMED_IN_ROW = 4


def render_html(analysis: Analysis, title: str = "tflite-slim operator report",
                sizes: Sequence[tuple[str, str, int, Optional[int]]] = ()) -> str:
    """A self-contained page: summary, op table (users, versions, kernel), advice, model index, matrix.

    ``sizes`` are ``(AAR file, ABI, slim .so bytes, stock .so bytes or None)``
    bars from a build. Every text that comes from a file (paths, custom codes,
    attrs) is escaped; the inline script only reads the page's text. Models
    are numbered and named by their shortest distinguishing path
    (:func:`distinguishing_names`), never cut; the full path is in the index.
    Linear in models x ops: each op row lists its users once.
    """
    e = html.escape
    models = analysis.models
    union = analysis.union
    short = distinguishing_names([m.path for m in models])
    number = {m.path: i for i, m in enumerate(models, 1)}
    needs = [(m, model_keys(m)) for m in models]
    rows = op_rows(union)
    advice = custom_op_advice(union.custom_ops)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        f'<p class="summary">{plural(len(models), "model")}: {plural(len(union.builtin_ops), "builtin op")}, '
        f"{plural(len(set(union.custom_ops)), 'custom op')}, {plural(len(union.flex_op_names), 'Flex op')}"
        + (f" ({plural(len(advice), 'custom op')} TensorFlow Lite has no kernel for: see below)" if advice else "")
        + (f"; {plural(len(analysis.failures), 'file')} not read" if analysis.failures else "")
        + f". Op-set fingerprint <code>{e(union.fingerprint())}</code></p>",
    ]
    if sizes:
        parts += _size_chart(sizes)
    parts += [
        '<div class="filter"><input id="filter" type="search" placeholder="filter by op or model name" '
        'aria-label="filter by op or model name"> <span id="shown"></span></div>',
        "<h2>Operators</h2>",
        '<table class="ops"><thead><tr><th>op</th><th>kind</th><th>models</th><th>versions / types</th>'
        "<th>kernel</th><th>used by</th></tr></thead><tbody>",
    ]
    for kind, name, detail in rows:
        key = row_key(kind, name, detail)
        users = [m for m, n in needs if key in n]
        links = [f'<a href="#m{number[m.path]}">{e(short[m.path])}</a>' for m in users]
        shown = " ".join(links[:_NAMED_IN_ROW])
        if len(links) > _NAMED_IN_ROW:
            shown += (f"<details><summary>and {len(links) - _NAMED_IN_ROW} more</summary>"
                      f"{' '.join(links[_NAMED_IN_ROW:])}</details>")
        kernel, css = _kernel(kind, name)
        parts.append(
            f'<tr class="{kind}" data-m="{" ".join(str(number[m.path]) for m in users)}">'
            f'<td class="{"name" if len(name) <= _NOWRAP else "name long"}">{e(name)}</td><td>{kind}</td><td class="n">{len(users)}</td>'
            f"<td>{e(_range(union, kind, name, detail))}</td><td{css}>{e(kernel)}</td>"
            f'<td class="users">{shown}</td></tr>')
    parts.append("</tbody></table>")
    if advice:
        parts.append(f"<h2>Custom ops without a TensorFlow Lite kernel ({len(advice)})</h2>")
        for group, items in grouped(advice):
            parts.append(f'<details class="advice"><summary>{e(group)}: {e(", ".join(a.op for a in items))}'
                         f"</summary><ul>{''.join(f'<li>{e(a.text)}</li>' for a in items)}</ul></details>")
    parts.append(
        "<h2>Models</h2><table class=\"index\"><thead><tr><th>#</th><th>path</th><th>ops</th><th>size</th>"
        "<th>subgraphs</th><th>sha256</th><th>unreferenced opcode entries</th></tr></thead><tbody>"
    )
    for i, (m, n) in enumerate(needs, 1):
        parts.append(
            f'<tr id="m{i}"><td>{i}</td><td class="path">{e(m.path)}</td><td>{len(n)}</td>'
            f'<td class="size">{e(human_size(m.size))}</td><td>{m.subgraphs}</td>'
            f"<td><code>{e(m.sha256[:16])}</code></td><td>{e(', '.join(m.unreferenced))}</td></tr>"
        )
    parts.append("</tbody></table>")
    if analysis.failures:
        parts.append(f'<h2 class="err">Errors ({len(analysis.failures)})</h2><ul>')
        parts += [f'<li class="err"><code>{e(f.path)}</code>: {e(f.error)}</li>' for f in analysis.failures]
        parts.append("</ul>")
    parts += _matrix(models, needs, rows, short)
    parts.append(f"<script>{_SCRIPT}</script>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _range(union: OpSet, kind: str, name: str, detail: str) -> str:
    """``1`` or ``1–3`` (the union's lowest and highest version); a Flex row's type attributes."""
    if kind == "flex":
        return detail
    versions = sorted((union.builtin_ops if kind == "builtin" else union.custom_ops)[name])
    return str(versions[0]) if len(versions) == 1 else f"{versions[0]}\u2013{versions[-1]}"


def _kernel(kind: str, name: str) -> tuple[str, str]:
    """Where the op's kernel comes from, and the cell's class attribute (flagged when there is none)."""
    if kind == "flex":
        return "Select TF ops (TensorFlow kernel)", ""
    if kind == "builtin":
        if name.startswith("BUILTIN_"):
            return "unknown op code (newer than TensorFlow 2.21's schema)", ' class="none"'
        return "TensorFlow Lite builtin", ""
    if name in TFLITE_PROVIDED_CUSTOM_OPS:
        return "TensorFlow Lite (custom)", ""
    known = known_custom_op(name)
    if known is not None:
        return f"none in TensorFlow Lite: {known.project}", ' class="none"'
    return "none: give your own", ' class="none"'


def _matrix(models: Sequence[ModelOps], needs: Sequence[tuple[ModelOps, frozenset]],
            rows: Sequence[tuple[str, str, str]], short: Mapping[str, str]) -> list[str]:
    """The ops x models matrix, collapsed: every cell shows the versions a model uses."""
    e = html.escape
    parts = [
        '<details class="matrixbox"><summary><h2 style="display:inline">Operators x models (matrix)</h2>'
        "</summary>",
        '<p class="legend"><span style="background:#fff3cd">custom op</span>'
        '<span style="background:#f8d7da">flex (Select TF) op</span>'
        '<span style="background:#d1e7dd">used by the model (versions)</span></p>',
        '<div class="matrix"><table><thead><tr><th class="op">op</th><th>versions / types</th>',
    ]
    parts += [f'<th class="model" title="{e(m.path)}"><div>{i}. {e(short[m.path])}</div></th>'
              for i, m in enumerate(models, 1)]
    parts.append("</tr></thead><tbody>")
    for kind, name, detail in rows:
        cells = []
        key = row_key(kind, name, detail)
        for m, n in needs:
            if key not in n:
                cells.append("<td></td>")
            elif kind in ("builtin", "custom"):
                versions = (m.ops.builtin_ops if kind == "builtin" else m.ops.custom_ops)[name]
                cells.append(f'<td class="have">v{e(versions_text(versions))}</td>')
            else:
                cells.append('<td class="have">yes</td>')
        parts.append(
            f'<tr class="{kind}"><td class="op" title="{kind} {e(name)}">{e(name)}</td>'
            f"<td>{e(detail)}</td>{''.join(cells)}</tr>"
        )
    parts.append("</tbody></table></div></details>")
    return parts


def _size_chart(bars: Sequence[tuple[str, str, int, Optional[int]]]) -> list[str]:
    """Slim vs stock native library per AAR and ABI, as bars scaled to the largest (plain HTML, no script)."""
    e = html.escape
    top = max([n for _, _, slim, stock in bars for n in (slim, stock or 0)] or [1]) or 1
    out = ['<h2>Runtime size: slim vs stock</h2><table class="bars"><tbody>']
    for file_name, abi, slim, stock in bars:
        stock_cell = (f'<span class="bar stock" style="width:{300 * stock // top}px"></span> '
                      f"stock {e(human_size(stock))}" if stock is not None else "stock: not compared")
        out.append(
            f"<tr><td>{e(file_name)}</td><td>{e(abi)}</td>"
            f'<td><span class="bar slim" style="width:{max(1, 300 * slim // top)}px"></span> '
            f"slim {e(human_size(slim))}<br>{stock_cell}</td></tr>"
        )
    out.append("</tbody></table>")
    return out
