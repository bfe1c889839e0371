"""Render an :class:`Analysis` for people as text (the HTML page is :mod:`.html_page`) and write outputs.

Rendering is pure (data in, text out, no clock, sorted), so the same models
always give the same bytes. :func:`write_text_atomic` is the one place this
stream writes files: temp file in the same directory, then rename, so a failed
run never leaves half a report behind.
"""

from __future__ import annotations

import os
import stat
import sys
from typing import Iterable, Mapping, Optional, Sequence

from tflite_slim import files
from tflite_slim.analysis.analyzer import Analysis
from tflite_slim.errors import UsageError
from tflite_slim.analysis.opset import FlexOp, ModelOps, OpSet
from tflite_slim.analysis.advice import custom_op_advice


def human_size(n: int) -> str:
    """``532 B``, ``12.3 KiB``, ``101.0 MiB``."""
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{n} B" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def plural(n: int, word: str) -> str:
    """``1 model``, ``2 models``, ``0 models``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def versions_text(vs: Iterable[int]) -> str:
    return ", ".join(str(v) for v in vs)


def op_rows(ops: OpSet) -> list[tuple[str, str, str]]:
    """``(kind, op, detail)`` rows: builtin and custom ops with versions, flex ops with attrs."""
    rows = [("builtin", name, versions_text(vs)) for name, vs in sorted(ops.builtin_ops.items())]
    rows += [("custom", name, versions_text(vs)) for name, vs in sorted(ops.custom_ops.items())]
    rows += [("flex", f.name, _attrs(f)) for f in sorted(set(ops.flex_ops))]
    return rows


def _attrs(f: FlexOp) -> str:
    return ", ".join(f"{k}={v}" for k, v in f.attrs)


def model_keys(m: ModelOps) -> frozenset[tuple[str, str, str]]:
    """The union rows ``(kind, op, detail)`` model ``m`` needs; builtin and custom rows keyed without versions.

    Built once per model so that placing a model in each row is a set lookup:
    scanning the model's Flex ops for every row made a report of a model with
    many Flex ops quadratic (a 1 MB crafted model took 24 s to render).
    """
    rows = [("builtin", name, "") for name in m.ops.builtin_ops]
    rows += [("custom", name, "") for name in m.ops.custom_ops]
    rows += [("flex", f.name, _attrs(f)) for f in m.ops.flex_ops]
    return frozenset(rows)


def row_key(kind: str, name: str, detail: str) -> tuple[str, str, str]:
    """A union row as :func:`model_keys` keys it."""
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


def render_text(analysis: Analysis) -> str:
    """One table per model, then the union with the models needing each op, then errors."""
    out: list[str] = []
    for m in analysis.models:
        sub = "subgraph" if m.subgraphs == 1 else "subgraphs"
        out.append(f"{m.path}  ({human_size(m.size)}, {m.subgraphs} {sub}, sha256 {m.sha256[:12]})")
        model_rows = op_rows(m.ops)
        out += _table(("KIND", "OP", "VERSIONS / TYPES"), model_rows) if model_rows else ["  (no operators)"]
        if m.unreferenced:
            out.append("  unreferenced opcode entries (still registered): " + ", ".join(m.unreferenced))
        out.append("")
    union = analysis.union
    n = len(analysis.models)
    out.append(f"union of {plural(n, 'model')}  (fingerprint {union.fingerprint()[:16]})")
    rows = []
    needs = [(m, model_keys(m)) for m in analysis.models]
    short = distinguishing_names([m.path for m in analysis.models])
    for kind, name, detail in op_rows(union):
        key = row_key(kind, name, detail)
        users = [m.path for m, n in needs if key in n]
        shown = [short[u] for u in users[:_MAX_NAMED]]
        more = f" +{len(users) - _MAX_NAMED} more" if len(users) > _MAX_NAMED else ""
        rows.append((kind, name, detail, f"{len(users)}: " + ", ".join(shown) + more))
    out += _table(("KIND", "OP", "VERSIONS / TYPES", "MODELS"), rows) if rows else ["  (no operators)"]
    # TFLite ships no kernel for these: the build stops unless the app gives one, so say so up front.
    out += [f"  * {a.text}" for a in custom_op_advice(union.custom_ops)]
    if analysis.failures:
        out.append("")
        out.append(f"errors ({len(analysis.failures)}):")
        out += [f"  {f.path}: {f.error}" for f in analysis.failures]
    return "\n".join(out) + "\n"


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
