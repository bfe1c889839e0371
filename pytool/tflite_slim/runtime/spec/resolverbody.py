"""The all-ops resolvers of a LiteRT 2.x tree, rewritten to register only the selected ops.

Every route into LiteRT 2.x's kernels (CompiledModel's CPU path, ``tflite::CreateOpResolver()`` of the C++
and JNI APIs) constructs ``BuiltinOpResolver`` (``tflite/core/kernels/register.cc``), and the reference-kernel
mode ``BuiltinRefOpResolver`` (``tflite/kernels/register_ref.cc``) (see
:mod:`tflite_slim.runtime.trees.litert2`). So the 2.x runtime is trimmed by replacing those two constructors'
bodies, not by adding a resolver: :func:`select_ops` takes the tree's own file and returns it with only the
selected ``AddBuiltin``/``AddCustom`` statements kept, everything else byte for byte as it was.

What is checked before anything is written (a file that fails is refused with the reason, never "fixed"):

* the constructor's first line (``BuiltinOpResolver::BuiltinOpResolver() {``) is there exactly once, at the
  start of a line, and its body ends at the first line that is ``}``;
* each statement of the body is an ``AddBuiltin(BuiltinOperator_<OP>, [tflite::ops::builtin::]Register_<...>()
  [, min, max]);``, an
  ``AddCustom("<name>", [tflite::ops::custom::]Register_<...>()[, min, max]);`` or, byte for byte, one of the
  statements that file is known to hold besides those (:data:`KNOWN_OTHER_STATEMENTS`: the XNNPACK delegate
  creator, which must stay: XNNPACK is CompiledModel's CPU accelerator); comments and blank lines may sit
  between them;
* the known statements are all there (a tree that dropped or changed one is not the file we read).

Facts read at LiteRT tags v2.0.2 to v2.2.0 (``register.cc`` has 5 blobs over those tags, ``register_ref.cc``
5; the structure above holds for all of them: ``tests/runtime/spec/test_resolverbody.py`` checks every tag
when ``TFLITE_SLIM_REAL_LITERT`` names the repository). A kept statement keeps the tree's version range
(the kernel's own), so the trimmed resolver answers exactly as the stock one for every selected op.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional, Union

from tflite_slim.analysis.opset import OpSet
from tflite_slim.errors import UsageError
from tflite_slim.runtime.trees.tfscripts import read_text


@dataclass(frozen=True)
class ResolverFile:
    """One all-ops resolver source of the tree: where it is and what its constructor looks like."""

    #: The path in the tree (LiteRT's ``tflite/`` layout).
    path: str
    #: The constructor's first line, as the file spells it.
    constructor: str
    #: Statements besides the registrations, byte for byte (each with its leading indentation).
    other_statements: tuple[str, ...]


REGISTER_CC = ResolverFile(
    path="tflite/core/kernels/register.cc",
    constructor="BuiltinOpResolver::BuiltinOpResolver() {",
    other_statements=(
        "  may_directly_contain_user_defined_ops_ = false;",
        "  delegate_creators_.push_back([](TfLiteContext* context) {\n"
        "    return tflite::MaybeCreateXNNPACKDelegate(context,\n"
        "                                              XNNPackQS8Options::default_value);\n"
        "  });",
    ),
)
REGISTER_REF_CC = ResolverFile(
    path="tflite/kernels/register_ref.cc",
    constructor="BuiltinRefOpResolver::BuiltinRefOpResolver() {",
    other_statements=(),
)
RESOLVER_FILES = (REGISTER_CC, REGISTER_REF_CC)
#: For the module docstring's readers and the tests.
KNOWN_OTHER_STATEMENTS = {f.path: f.other_statements for f in RESOLVER_FILES}

_VERSIONS = r"(?:\s*,\s*(?:/\*[^*]*\*/\s*)?\d+){0,2}"
_ADD_BUILTIN = re.compile(
    r"\s*AddBuiltin\(\s*BuiltinOperator_([A-Z0-9_]+)\s*,\s*(?:tflite::ops::builtin::)?Register_[A-Za-z0-9_]+\(\)" + _VERSIONS + r"\s*\);\Z")
_ADD_CUSTOM = re.compile(
    r'\s*AddCustom\(\s*"([A-Za-z0-9_.]+)"\s*,\s*(?:tflite::ops::custom::)?Register_[A-Za-z0-9_]+\(\)'
    + _VERSIONS + r"\s*\);\Z")


@dataclass(frozen=True)
class Registration:
    """One ``AddBuiltin``/``AddCustom`` statement: ``kind`` is ``builtin`` or ``custom``."""

    kind: str
    name: str
    #: The statement's text with the comment lines and blank lines before it, ending in a newline.
    text: str


@dataclass(frozen=True)
class Other:
    """Anything else in the body (a known statement, or trailing comments), kept as it is."""

    text: str


Item = Union[Registration, Other]


@dataclass(frozen=True)
class ParsedResolver:
    """The file in three parts: before the body (through the constructor's line), the body, the rest."""

    head: str
    items: tuple[Item, ...]
    tail: str

    def registered(self, kind: str) -> tuple[str, ...]:
        return tuple(i.name for i in self.items if isinstance(i, Registration) and i.kind == kind)


@dataclass(frozen=True)
class SelectedResolver:
    """The rewritten file and what it keeps; ``absent`` are selected ops the tree's file never registered."""

    path: str
    text: str
    kept_builtins: tuple[str, ...]
    kept_customs: tuple[str, ...]
    absent_builtins: tuple[str, ...]
    absent_customs: tuple[str, ...]


class ResolverMismatch(UsageError):
    """The tree's resolver source is not shaped as the LiteRT releases we read."""


def parse(text: str, spec: ResolverFile) -> ParsedResolver:
    """Split ``text`` (the tree's file ``spec.path``) into head, checked body items and tail."""
    where = spec.path
    starts = [m.start() for m in re.finditer("^" + re.escape(spec.constructor) + "\n", text, re.M)]
    if len(starts) != 1:
        raise ResolverMismatch(f"{where}: expected the line {spec.constructor!r} once, found it {len(starts)} "
                               "times; this tree's resolver is not one tflite-slim knows (LiteRT v2.0.2 to "
                               "v2.2.0), so it cannot be trimmed")
    body_start = starts[0] + len(spec.constructor) + 1
    end = re.compile(r"^\}\n", re.M).search(text, body_start)
    if end is None:
        raise ResolverMismatch(f"{where}: {spec.constructor!r} has no closing '}}' line")
    items = tuple(_items(text[body_start:end.start()], spec))
    others = [i.text.strip("\n") for i in items if isinstance(i, Other)]
    statements = [_without_comments(o) for o in others if _without_comments(o)]
    if sorted(statements) != sorted(spec.other_statements):
        missing = [s.strip().splitlines()[0] for s in spec.other_statements if s not in statements]
        raise ResolverMismatch(f"{where}: {spec.constructor[:-2]} does not hold "
                               + (f"{missing[0]!r}" if missing else "the statements LiteRT's does")
                               + " as LiteRT v2.0.2 to v2.2.0 do; tflite-slim does not trim a resolver it "
                               "has not read")
    return ParsedResolver(text[:body_start], items, text[end.start():])


def _items(body: str, spec: ResolverFile) -> Iterable[Item]:
    """The body's statements, each with the comment and blank lines before it."""
    pending: list[str] = []  # a list: crafted runs of comment lines cost linear time
    for chunk, is_statement in _chunks(body, spec.path):
        if not is_statement:
            pending.append(chunk)
            continue
        before = "".join(pending)
        statement = chunk.strip("\n")
        lead = chunk[: len(chunk) - len(chunk.lstrip("\n"))]
        m = _ADD_BUILTIN.match(statement)
        c = None if m else _ADD_CUSTOM.match(statement)
        if m or c:
            yield Registration("builtin" if m else "custom", (m or c).group(1), before + lead + statement + "\n")
        elif statement in spec.other_statements:
            yield Other(before + lead + statement + "\n")
        else:
            line = statement.strip().splitlines()[0]
            raise ResolverMismatch(f"{spec.path}: {spec.constructor[:-2]} holds a statement tflite-slim does "
                                   f"not know ({line!r}); only AddBuiltin/AddCustom and the XNNPACK delegate "
                                   "creator are expected, so the tree is not trimmed")
        pending = []
    if pending:
        yield Other("".join(pending))


def _chunks(body: str, where: str) -> Iterable[tuple[str, bool]]:
    """Comment/blank lines (False) and whole statements (True: through the ``;`` at depth 0), in order."""
    i, n = 0, len(body)
    while i < n:
        line_end = body.find("\n", i)
        line_end = n if line_end < 0 else line_end + 1
        line = body[i:line_end]
        if not line.strip() or line.lstrip().startswith("//"):
            yield line, False
            i = line_end
            continue
        j = _statement_end(body, i)
        if j is None:
            raise ResolverMismatch(f"{where}: unterminated statement in the resolver's body: {line.strip()!r}")
        if j < n and body[j] != "\n":
            raise ResolverMismatch(f"{where}: a statement in the resolver's body is followed by more on its line: "
                                   f"{line.strip()!r}")
        yield body[i:j], True
        i = j + 1


def _statement_end(body: str, i: int) -> Optional[int]:
    """The index just past the ``;`` that ends the statement starting at ``i`` (strings/comments skipped)."""
    depth = 0
    n = len(body)
    while i < n:
        ch = body[i]
        if body.startswith("//", i):
            i = body.find("\n", i)
            if i < 0:
                return None
            continue
        if body.startswith("/*", i):
            close = body.find("*/", i + 2)
            if close < 0:
                return None
            i = close + 2
            continue
        if ch == '"':
            close = body.find('"', i + 1)
            if close < 0 or "\n" in body[i:close]:
                return None
            i = close + 1
            continue
        if ch in "({[":
            depth += 1
        elif ch in ")}]":
            depth -= 1
        elif ch == ";" and depth == 0:
            return i + 1
        i += 1
    return None


def _without_comments(text: str) -> str:
    """``text`` without its whole-line ``//`` comments and blank lines (a statement's own lines kept)."""
    return "\n".join(l for l in text.split("\n") if l.strip() and not l.lstrip().startswith("//"))


def select_ops(text: str, spec: ResolverFile, builtins: Iterable[str], customs: Iterable[str]) -> SelectedResolver:
    """``text`` (the tree's ``spec.path``) with only the registrations of ``builtins``/``customs`` kept.

    ``builtins`` are ``BuiltinOperator_`` names without the prefix (``CONV_2D``); ``customs`` custom codes
    (``TFLite_Detection_PostProcess``). A selected op the file never registers is reported in ``absent_*``
    (the caller decides: a user's custom op is registered elsewhere; the reference resolver lacks some
    builtins in the stock runtime too). Comments before a dropped statement go with it.
    """
    parsed = parse(text, spec)
    want_b, want_c = set(builtins), set(customs)
    out = [parsed.head]
    kept_b: list[str] = []
    kept_c: list[str] = []
    for item in parsed.items:
        if isinstance(item, Other):
            out.append(item.text)
        elif (item.name in want_b) if item.kind == "builtin" else (item.name in want_c):
            out.append(item.text)
            (kept_b if item.kind == "builtin" else kept_c).append(item.name)
    out.append(parsed.tail)
    return SelectedResolver(
        path=spec.path,
        text="".join(out),
        kept_builtins=tuple(sorted(set(kept_b))),
        kept_customs=tuple(sorted(set(kept_c))),
        absent_builtins=tuple(sorted(want_b - set(parsed.registered("builtin")))),
        absent_customs=tuple(sorted(want_c - set(parsed.registered("custom")))),
    )


def select_opset(text: str, spec: ResolverFile, ops: OpSet) -> SelectedResolver:
    """:func:`select_ops` for an op set: its builtins and custom codes (Flex ops are never in these files)."""
    return select_ops(text, spec, ops.builtin_ops, ops.custom_ops)


#: register_ref.cc is 25 KB at v2.2.0: a file far larger is not the one we read (and is not read whole).
MAX_BYTES = 1 << 20


def select_in_tree(root: Path, ops: OpSet) -> tuple[SelectedResolver, SelectedResolver]:
    """Both resolvers of the LiteRT tree at ``root`` with only ``ops`` registered (register.cc, register_ref.cc).

    Refused, one line naming the tree's file: a file missing or over :data:`MAX_BYTES`, not shaped as read
    (:func:`parse`), a selected builtin the optimized resolver does not register (the tree is older than
    the op), custom ops of the app's own or Flex ops (the 2.x path registers only what the tree's resolvers
    do). The reference resolver may lack builtins, as the stock one does: its ``absent_builtins`` say which.
    """
    root = Path(root)
    if ops.has_flex:
        raise UsageError(f"{root}: the models use Flex ops ({', '.join(ops.flex_op_names)}); a trimmed LiteRT 2.x "
                         "runtime registers only what the tree's register.cc does, and Select TF ops are not built "
                         "for it")
    out = []
    for spec in RESOLVER_FILES:
        text = read_text(root, spec.path, max_bytes=MAX_BYTES)
        if text is None:
            raise ResolverMismatch(f"{root / spec.path}: missing, unreadable or over {MAX_BYTES >> 20} MiB; "
                                   "a LiteRT 2.x tree has it (v2.0.2 to v2.2.0)")
        try:
            out.append(select_opset(text, spec, ops))
        except ResolverMismatch as e:
            raise ResolverMismatch(f"{root}/{e}") from e
    selected, reference = out
    if selected.absent_builtins:
        raise ResolverMismatch(f"{root / REGISTER_CC.path}: registers no {', '.join(selected.absent_builtins)}, "
                               "which the models use: this LiteRT is older than those ops; use a newer release")
    if selected.absent_customs:
        raise ResolverMismatch(f"{root / REGISTER_CC.path}: registers no custom op "
                               f"{', '.join(selected.absent_customs)}; custom ops of your own are not built into "
                               "a trimmed LiteRT 2.x runtime yet")
    return selected, reference
