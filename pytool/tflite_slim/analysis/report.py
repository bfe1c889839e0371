"""Render an :class:`Analysis` for people (text table, HTML page) and write outputs.

Rendering is pure (data in, text out, no clock, sorted), so the same models
always give the same bytes. :func:`write_text_atomic` is the one place this
stream writes files: temp file in the same directory, then rename, so a failed
run never leaves half a report behind.
"""

from __future__ import annotations

import html
import os
import stat
import sys
from typing import Iterable, Mapping, Optional, Sequence

from tflite_slim import files
from tflite_slim.analysis.analyzer import Analysis
from tflite_slim.errors import UsageError
from tflite_slim.analysis.opset import FlexOp, ModelOps, OpSet
from tflite_slim.analysis.schema import TFLITE_PROVIDED_CUSTOM_OPS, can_be_registered, registration_function


def human_size(n: int) -> str:
    """``532 B``, ``12.3 KiB``, ``101.0 MiB``."""
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{n} B" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def _versions(vs: Iterable[int]) -> str:
    return ", ".join(str(v) for v in vs)


def _rows(ops: OpSet) -> list[tuple[str, str, str]]:
    """``(kind, op, detail)`` rows: builtin and custom ops with versions, flex ops with attrs."""
    rows = [("builtin", name, _versions(vs)) for name, vs in sorted(ops.builtin_ops.items())]
    rows += [("custom", name, _versions(vs)) for name, vs in sorted(ops.custom_ops.items())]
    rows += [("flex", f.name, _attrs(f)) for f in sorted(set(ops.flex_ops))]
    return rows


def _attrs(f: FlexOp) -> str:
    return ", ".join(f"{k}={v}" for k, v in f.attrs)


def _needs(m: ModelOps) -> frozenset[tuple[str, str, str]]:
    """The union rows ``(kind, op, detail)`` model ``m`` needs; builtin and custom rows keyed without versions.

    Built once per model so that placing a model in each row is a set lookup:
    scanning the model's Flex ops for every row made a report of a model with
    many Flex ops quadratic (a 1 MB crafted model took 24 s to render).
    """
    rows = [("builtin", name, "") for name in m.ops.builtin_ops]
    rows += [("custom", name, "") for name in m.ops.custom_ops]
    rows += [("flex", f.name, _attrs(f)) for f in m.ops.flex_ops]
    return frozenset(rows)


def _key(kind: str, name: str, detail: str) -> tuple[str, str, str]:
    """A union row as :func:`_needs` keys it."""
    return (kind, name, detail if kind == "flex" else "")


#: Widest cell that still sets its column's width; a longer one overflows its own line only.
_MAX_ALIGNED = 64


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "  ") -> list[str]:
    # Padding every row to the longest cell made the text quadratic: one crafted
    # 200,000-character custom code among 20,000 entries gave an 8 GB report.
    widths = [
        max([len(str(r[i])) for r in [header, *rows] if len(str(r[i])) <= _MAX_ALIGNED] or [_MAX_ALIGNED])
        for i in range(len(header))
    ]
    fmt = lambda r: indent + "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    return [fmt(header), fmt(["-" * w for w in widths])] + [fmt(r) for r in rows]


#: How many model names a union row lists before "+N more" (the HTML page has them all).
_MAX_NAMED = 4


def distinguishing_names(paths: Sequence[str]) -> dict[str, str]:
    """Each path's shortest trailing run of components that no other path ends with.

    ``a/selfie_segmentation.tflite`` and ``b/selfie_segmentation.tflite`` stay
    apart where a bare file name would list the same name twice; a path whose
    every suffix is shared (it is a suffix of another path) keeps all of it.
    """
    split = {p: [c for c in p.replace(os.sep, "/").split("/") if c] or [p] for p in set(paths)}
    names: dict[str, str] = {}
    pending = sorted(split)
    depth = 1
    while pending:
        counts: dict[tuple[str, ...], int] = {}
        for parts in split.values():
            if len(parts) >= depth:
                key = tuple(parts[-depth:])
                counts[key] = counts.get(key, 0) + 1
        left = []
        for p in pending:
            parts = split[p]
            if counts.get(tuple(parts[-depth:]), 0) == 1 or len(parts) <= depth:
                names[p] = "/".join(parts[-depth:]) if counts.get(tuple(parts[-depth:]), 0) == 1 else p
            else:
                left.append(p)
        pending = left
        depth += 1
    return names


def custom_op_advice(union: OpSet) -> list[str]:
    """What to do about each custom op TensorFlow Lite has no kernel for (one line each, text and HTML)."""
    advice = []
    for name in sorted(union.custom_ops):
        if name in TFLITE_PROVIDED_CUSTOM_OPS:
            continue
        if can_be_registered(name):
            advice.append(f"custom op {name} needs a kernel: give a source defining tflite::ops::custom::"
                          f"{registration_function(name)}() (tfliteSlim.customOpsSrcs / --custom-ops-srcs)")
            continue
        hint = KNOWN_UNREGISTRABLE.get(name.lower(), "")
        advice.append(
            f"custom op {name!r} cannot get a kernel from a selective build: the build registers a custom op by "
            "calling the C++ function Register_<NAME>(), and this name has characters no C++ name can have "
            "(only letters, digits, '_'); rename the op when converting the model (the converter's custom op "
            f"name) and give that kernel, or leave the model out{hint}")
    return advice


#: Custom ops whose names cannot be registered, with what they are (from their projects' documentation).
KNOWN_UNREGISTRABLE = {
    "ethos-u": " (ethos-u is the op Arm's Vela compiler puts in models for the Ethos-U NPU of microcontrollers, "
               "run by TensorFlow Lite Micro, not by the Android runtime: ship the model as it was before Vela)",
}


def render_text(analysis: Analysis) -> str:
    """One table per model, then the union with the models needing each op, then errors."""
    out: list[str] = []
    for m in analysis.models:
        sub = "subgraph" if m.subgraphs == 1 else "subgraphs"
        out.append(f"{m.path}  ({human_size(m.size)}, {m.subgraphs} {sub}, sha256 {m.sha256[:12]})")
        model_rows = _rows(m.ops)
        out += _table(("KIND", "OP", "VERSIONS / TYPES"), model_rows) if model_rows else ["  (no operators)"]
        if m.unreferenced:
            out.append("  unreferenced opcode entries (still registered): " + ", ".join(m.unreferenced))
        out.append("")
    union = analysis.union
    n = len(analysis.models)
    out.append(f"union of {n} model{'s' if n != 1 else ''}  (fingerprint {union.fingerprint()[:16]})")
    rows = []
    needs = [(m, _needs(m)) for m in analysis.models]
    short = distinguishing_names([m.path for m in analysis.models])
    for kind, name, detail in _rows(union):
        key = _key(kind, name, detail)
        users = [m.path for m, n in needs if key in n]
        shown = [short[u] for u in users[:_MAX_NAMED]]
        more = f" +{len(users) - _MAX_NAMED} more" if len(users) > _MAX_NAMED else ""
        rows.append((kind, name, detail, f"{len(users)}: " + ", ".join(shown) + more))
    out += _table(("KIND", "OP", "VERSIONS / TYPES", "MODELS"), rows) if rows else ["  (no operators)"]
    # TFLite ships no kernel for these: the build stops unless the app gives one, so say so up front.
    out += [f"  * {line}" for line in custom_op_advice(union)]
    if analysis.failures:
        out.append("")
        out.append(f"errors ({len(analysis.failures)}):")
        out += [f"  {f.path}: {f.error}" for f in analysis.failures]
    return "\n".join(out) + "\n"


# The matrix scrolls inside its own box, with the header row and the op column sticky, so at
# 300 models the page stays as wide as the window and every cell can be matched to its op and model.
_CSS = """
body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:separate;border-spacing:0;margin:1em 0}
th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;font-size:.9em}
.matrix{overflow:auto;max-height:80vh;width:fit-content;max-width:100%;border:1px solid #999}
.matrix table{margin:0}
.matrix thead th{position:sticky;top:0;background:#f4f4f4;z-index:2;vertical-align:bottom}
.matrix .op{position:sticky;left:0;background:#fff;z-index:1;white-space:nowrap;max-width:22em;
 overflow:hidden;text-overflow:ellipsis}
.matrix thead th.op{z-index:3;background:#f4f4f4}
th.model{padding:.3em .15em;min-width:1.6em;font-size:.8em;font-weight:normal}
th.model div{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;max-height:27em;
 overflow:hidden;text-overflow:ellipsis;margin:0 auto}
tr.custom td.op{background:#fff3cd} tr.flex td.op{background:#f8d7da}
td.have{background:#d1e7dd;text-align:center;white-space:nowrap}
td.path{overflow-wrap:anywhere}
.legend span{padding:.1em .5em;margin-right:1em} .err{color:#b00020} .advice{background:#fff3cd;padding:.3em .6em}
.bars td{border:none;padding:.1em .4em} .bar{height:.9em;display:inline-block;vertical-align:middle}
.bar.slim{background:#2e7d32} .bar.stock{background:#9e9e9e}
code{font-size:.9em}
""".strip()


def render_html(analysis: Analysis, title: str = "tflite-slim operator report",
                sizes: Sequence[tuple[str, str, int, Optional[int]]] = ()) -> str:
    """A self-contained page: an ops x models matrix, model sizes, errors; with ``sizes`` a size chart.

    ``sizes`` are ``(AAR file, ABI, slim .so bytes, stock .so bytes or None)``
    bars from a build. Every text that comes from a file (paths, custom codes,
    attrs) is escaped. Columns are numbered, and headed by each model's
    shortest distinguishing path (:func:`distinguishing_names`); the full path
    is in the tooltip and the models table.
    """
    e = html.escape
    models = analysis.models
    union = analysis.union
    short = distinguishing_names([m.path for m in models])
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        f'<p class="summary">{len(models)} model(s), {len(union.builtin_ops)} builtin op(s), '
        f"{len(set(union.custom_ops))} custom, {len(union.flex_op_names)} flex; op-set fingerprint "
        f"<code>{e(union.fingerprint())}</code></p>",
    ]
    if sizes:
        parts += _size_chart(sizes)
    parts += [f'<p class="advice">{e(line)}</p>' for line in custom_op_advice(union)]
    parts += [
        '<p class="legend"><span style="background:#fff3cd">custom op</span>'
        '<span style="background:#f8d7da">flex (Select TF) op</span>'
        '<span style="background:#d1e7dd">used by the model (versions)</span></p>',
        "<h2>Operators x models</h2>",
        '<div class="matrix"><table><thead><tr><th class="op">op</th><th>versions / types</th>',
    ]
    parts += [f'<th class="model" title="{e(m.path)}"><div>{i}. {e(_heading(short[m.path]))}</div></th>'
              for i, m in enumerate(models, 1)]
    parts.append("</tr></thead><tbody>")
    needs = [(m, _needs(m)) for m in models]
    for kind, name, detail in _rows(union):
        cells = []
        key = _key(kind, name, detail)
        for m, n in needs:
            if key not in n:
                cells.append("<td></td>")
            elif kind in ("builtin", "custom"):
                versions = (m.ops.builtin_ops if kind == "builtin" else m.ops.custom_ops)[name]
                cells.append(f'<td class="have">v{e(_versions(versions))}</td>')
            else:
                cells.append('<td class="have">yes</td>')
        parts.append(
            f'<tr class="{kind}"><td class="op" title="{kind} {e(name)}">{e(name)}</td>'
            f"<td>{e(detail)}</td>{''.join(cells)}</tr>"
        )
    parts.append("</tbody></table></div>")
    parts.append(
        "<h2>Models</h2><table><thead><tr><th>#</th><th>path</th><th>size</th><th>subgraphs</th>"
        "<th>sha256</th><th>unreferenced opcode entries</th></tr></thead><tbody>"
    )
    for i, m in enumerate(models, 1):
        parts.append(
            f'<tr><td>{i}</td><td class="path">{e(m.path)}</td><td>{e(human_size(m.size))}</td><td>{m.subgraphs}</td>'
            f"<td><code>{e(m.sha256[:16])}</code></td><td>{e(', '.join(m.unreferenced))}</td></tr>"
        )
    parts.append("</tbody></table>")
    if analysis.failures:
        parts.append(f'<h2 class="err">Errors ({len(analysis.failures)})</h2><ul>')
        parts += [f'<li class="err"><code>{e(f.path)}</code>: {e(f.error)}</li>' for f in analysis.failures]
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


#: Longest column heading; a longer distinguishing path keeps its end (the file name), after an ellipsis.
_MAX_HEADING = 48


def _heading(name: str) -> str:
    return name if len(name) <= _MAX_HEADING else "\u2026" + name[-(_MAX_HEADING - 1):]


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


def write_text_atomic(path: str, text: str) -> None:
    """Write ``text`` to ``path`` via a temp file and a rename (never half-written).

    A FIFO or character device is written through; a symlink, directory or
    other special file is refused (:func:`files.write_output`). Raises :class:`UsageError` when the file cannot be written there.
    """
    directory = os.path.dirname(os.path.abspath(path))
    try:
        files.write_output(path, encode(text))
    except OSError as e:
        hint = "" if os.path.isdir(directory) else f"; check that {directory} exists and is writable"
        raise UsageError(f"{path}: cannot write the report ({e.strerror or e}){hint}") from e


def check_outputs(outputs: Mapping[str, Optional[str]], inputs: Iterable[str]) -> None:
    """A :class:`UsageError` when an output (option -> path) is one of the ``inputs`` or another output.

    Checked before anything is written: ``analyze m.tflite -o m.tflite``
    replaced the model with its report.
    """
    # A FIFO or character device (-o /dev/null) is written through, replaces nothing, and can take both.
    given = [(option, path) for option, path in outputs.items() if path and not _special(path)]
    inputs = list(inputs)
    for i, (option, path) in enumerate(given):
        hit = files.same_file(path, inputs)
        if hit is not None:
            raise UsageError(f"{option} {path}: is the input {hit}, which writing there would replace; "
                             "choose another output file")
        for other_option, other in given[i + 1:]:
            if files.same_file(path, [other]) or os.path.abspath(path) == os.path.abspath(other):
                raise UsageError(f"{option} and {other_option} name the same file {path}; choose two files")


def _special(path: str) -> bool:
    """An existing file that is not a regular file (a device, a FIFO): ``files.write_output`` writes through it."""
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def write_stdout(text: str) -> None:
    """Write ``text`` to standard output as the same bytes ``-o FILE`` would get (:func:`encode`).

    ``sys.stdout`` itself may be strict (``PYTHONIOENCODING=utf-8``) or not
    UTF-8 at all, and would then stop on a file name that is not UTF-8.
    """
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # replaced by a text-only stream (embedding, some test harnesses)
        sys.stdout.write(text)
        return
    sys.stdout.flush()
    buffer.write(encode(text))
    buffer.flush()


def encode(text: str) -> bytes:
    """A report's bytes: UTF-8, with file names that are not UTF-8 written back as their own bytes.

    Python decodes such names with ``surrogateescape`` (``b"m\\xff.tflite"`` is
    ``"m\\udcff.tflite"``), which plain UTF-8 cannot encode; the report names
    the file as it is on disk instead of failing with a traceback.
    """
    return text.encode("utf-8", "surrogateescape")
