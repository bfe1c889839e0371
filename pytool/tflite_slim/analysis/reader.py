"""Read one ``.tflite`` file into the operators it needs (:class:`ModelOps`).

Only four things are read: the ``operator_codes`` table, the subgraphs, their
operators, and the custom options of Flex ops. Tensors and buffers (the
weights) are never touched, so parse time does not grow with weight size; the
file is read page by page as the parse asks (:class:`flatbuf.FileSource`), so
untouched pages are never read from disk either. It is not memory-mapped: a
file truncated while mapped and read kills the process with SIGBUS, where a
short read is one error for that file.

What the runtime must register is the *whole* operator_codes table: the
TFLite interpreter resolves every entry when it loads the model, referenced or
not (TensorFlow's own registration generator does the same). Entries no
operator references are also reported, for the user's information.

The file's sha256 is computed separately (:func:`file_sha256`, a streaming
read): hashing is I/O linear in file size, and keeping it apart lets the
benchmark show that the parse itself is independent of the weights.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Optional

from tflite_slim import files
from tflite_slim.analysis import schema
from tflite_slim.errors import ModelError
from tflite_slim.analysis.flatbuf import Buffer, FileSource, FlatbufferError, Source, Table, as_source, root
from tflite_slim.analysis.flex import FlexDecodeError, decode_flex_options
from tflite_slim.analysis.opset import FlexOp, ModelOps, OpSet, shorten, tf_op_name_problem


@dataclass(frozen=True)
class OpCodeEntry:
    """One resolved ``operator_codes`` entry."""

    kind: str  # "builtin", "custom" or "flex"
    name: str  # op name, custom code, or TensorFlow op name for flex
    version: int
    custom_code: Optional[str] = None

    @property
    def label(self) -> str:
        """How the report names the entry (``CONV_2D``, the custom code)."""
        return self.name if self.kind == "builtin" else str(self.custom_code)


@dataclass(frozen=True)
class ParsedModel:
    """The pure result of parsing a model buffer."""

    subgraphs: int
    ops: OpSet
    unreferenced: tuple[str, ...]
    #: Size of the operator_codes table and how many entries operators use.
    opcodes: int = 0
    referenced_opcodes: int = 0


#: Most bytes of custom codes and Flex options one model may make us decode.
#: Real models need a few KB at most (the shared corpus of 236 models: 158
#: bytes of custom codes and 1,141 bytes of custom options at the most), so
#: this is far above anything real, and it bounds what a crafted file whose
#: fields all point at one long string, or at overlapping ones, can cost.
MAX_DECODED_BYTES = 16 << 20


class _Decoder:
    """Decodes each custom code and Flex options vector once, within a byte budget.

    Flatbuffer fields are offsets, so any number of opcode entries or operators
    may point at the same string or vector. Results are cached by where the
    bytes start, and only first decodes count against the budget: the walk
    stays linear in the file size whatever the offsets say. Distinct strings
    and vectors of a well-formed model do not overlap, so together they never
    exceed the file; past that (or :data:`MAX_DECODED_BYTES`) the file is
    crafted and refused.
    """

    def __init__(self, buf: Source) -> None:
        self.buf = buf
        self.left = min(len(buf), MAX_DECODED_BYTES)
        self.limit = self.left
        self.codes: dict[int, tuple[str, str, str]] = {}
        self.flex: dict[tuple[int, int], tuple[str, tuple[tuple[str, str], ...]]] = {}

    def spend(self, n: int, what: str) -> None:
        self.left -= n
        if self.left < 0:
            raise FlatbufferError(
                f"{what}: the model's custom codes and Flex options add up to more than {self.limit} bytes "
                "(fields point at overlapping or repeated data: a crafted or corrupt file)"
            )

    def custom_code(self, table: Table) -> tuple[str, str, str]:
        """``(kind, name, custom_code)`` of a CUSTOM entry: ``custom`` or ``flex``."""
        span = table.byte_span(schema.OPCODE_CUSTOM_CODE)
        if span is None or span[1] == 0:
            raise FlatbufferError(f"{table.what}: CUSTOM operator code without a custom_code")
        start, n = span
        cached = self.codes.get(start)
        if cached is None:
            self.spend(n, table.what)
            try:
                code = self.buf[start : start + n].decode("utf-8")
            except UnicodeDecodeError as e:
                raise FlatbufferError(f"{table.what}: custom_code is not UTF-8") from e
            cached = _classify_custom_code(code, table.what)
            self.codes[start] = cached
        return cached

    def flex_attrs(self, op: Table, entry: "OpCodeEntry") -> tuple[tuple[str, str], ...]:
        """The type attributes of a Flex operator's NodeDef."""
        span = _custom_options_span(self.buf, op)
        cached = self.flex.get(span)
        if cached is None:
            start, n = span
            self.spend(n, op.what)
            try:
                flex = decode_flex_options(self.buf[start : start + n])
            except FlexDecodeError as e:
                raise FlatbufferError(f"{op.what} ({entry.custom_code}): custom options: {e}") from e
            cached = (flex.name, flex.attrs)
            self.flex[span] = cached
        node_op, attrs = cached
        if node_op != entry.name:
            # list_flex_ops registers the op by its custom code but the kernel by NodeDef.op, which the
            # delegate runs: the record would name one op and the runtime get another's kernel.
            raise FlatbufferError(f"{op.what} ({entry.custom_code}): its NodeDef runs the TensorFlow op "
                                  f"{shorten(node_op)}, not {entry.name!r}; a converter writes both alike")
        return attrs


def _classify_custom_code(code: str, what: str) -> tuple[str, str, str]:
    prefix = schema.FLEX_PREFIX
    # TensorFlow Lite treats every custom code starting with "Flex" as a Select
    # TF op (IsFlexOp in tensorflow/lite/util.h) and asks TensorFlow for the
    # rest of the name, so a rest that no TensorFlow op can have is refused
    # here, before it reaches a report, a POM or a build.
    if code.startswith(prefix) and len(code) > len(prefix):
        name = code[len(prefix) :]
        bad = tf_op_name_problem(name)
        if bad:
            raise FlatbufferError(f"{what}: custom code {code[:60]!r} marks a Flex op, but {bad}")
        return "flex", name, code
    # Any other custom code goes verbatim into the text report (a terminal),
    # verify's messages and ops.json, whose reader refuses control characters
    # (opset._custom_from_json): an escape sequence here would restyle the
    # user's terminal, and the analyze JSON would not be readable by verify.
    # No kernel can be registered under such a name anyway.
    if not code.isprintable():
        raise FlatbufferError(
            f"{what}: custom code {shorten(code)} has control or invisible characters; "
            "no op can be registered under it (a crafted or corrupt file)"
        )
    return "custom", code, code


def resolve_opcode(table: Table, decoder: Optional[_Decoder] = None) -> OpCodeEntry:
    """Classify one OperatorCode table from its raw fields.

    The builtin code is ``max(deprecated_builtin_code, builtin_code)``: old
    writers leave ``builtin_code`` out (0), new ones put 127 in the byte-wide
    deprecated field for codes that do not fit, and LiteRT NPU models write
    deprecated 0 with builtin_code CUSTOM; the max is right for all three,
    as in TensorFlow's ``GetBuiltinCode``.
    """
    deprecated = table.int8(schema.OPCODE_DEPRECATED_BUILTIN_CODE, 0)
    extended = table.int32(schema.OPCODE_BUILTIN_CODE, 0)
    code = max(deprecated, extended)
    version = table.int32(schema.OPCODE_VERSION, 1)
    if code < 0:
        raise FlatbufferError(f"{table.what}: negative builtin code {code}")
    problem = schema.version_problem(version)
    if problem is not None:
        # One rule at analysis: a build would register it (or loop), and install/verify refuse its ops.json.
        raise FlatbufferError(f"{table.what}: {problem}")
    if code != schema.CUSTOM:
        return OpCodeEntry("builtin", schema.builtin_name(code), version)
    kind, name, custom_code = (decoder or _Decoder(table.buf)).custom_code(table)
    return OpCodeEntry(kind, name, version, custom_code)


def parse_model(buf: Buffer) -> ParsedModel:
    """Parse a whole model file's bytes (raises :class:`FlatbufferError`).

    ``buf`` is the whole file: large custom options are addressed by file
    offset, outside the flatbuffer proper. Time and memory are linear in the
    file size, for crafted files too (see :class:`_Decoder`).
    """
    buf = as_source(buf)
    model = root(buf, schema.FILE_IDENTIFIER)
    decoder = _Decoder(buf)
    # Entries are resolved once per table: crafted vectors may repeat one.
    resolved: dict[int, OpCodeEntry] = {}
    entries: list[OpCodeEntry] = []
    for i, pos in enumerate(model.positions(schema.MODEL_OPERATOR_CODES)):
        entry = resolved.get(pos)
        if entry is None:
            entry = resolved[pos] = resolve_opcode(Table(buf, pos, f"operator code {i}"), decoder)
        entries.append(entry)
    referenced = [False] * len(entries)
    flex_seen: set[FlexOp] = set()
    # A well-formed model holds each operator once, in one subgraph. Crafted
    # offsets can point many subgraphs at one operator vector and many
    # elements at one operator table: each vector and each table is read
    # once (what it adds is already recorded), and the elements walked stay
    # bounded by the file size whatever the offsets say.
    walked_vectors: set[int] = set()
    read_ops: dict[int, tuple[int, Optional[FlexOp]]] = {}
    budget_ops = len(buf) // 4
    subgraphs = 0
    for sg in model.tables(schema.MODEL_SUBGRAPHS, "subgraph"):
        subgraphs += 1
        vec = sg.table_vector(schema.SUBGRAPH_OPERATORS)
        if vec is None or vec[0] in walked_vectors:
            continue
        walked_vectors.add(vec[0])
        budget_ops -= vec[1]
        if budget_ops < 0:
            raise FlatbufferError("operator vectors overlap (more operators than the file can hold)")
        for i, pos in enumerate(sg.positions(schema.SUBGRAPH_OPERATORS)):
            known = read_ops.get(pos)
            if known is None:
                known = _read_operator(Table(buf, pos, f"{sg.what} operator {i}"), entries, decoder)
                read_ops[pos] = known
            index, flex = known
            referenced[index] = True
            if flex is not None:
                flex_seen.add(flex)
    builtins: dict[str, set[int]] = {}
    custom: dict[str, set[int]] = {}
    flex_names = {f.name for f in flex_seen}
    for entry in entries:
        if entry.kind == "builtin":
            builtins.setdefault(entry.name, set()).add(entry.version)
        elif entry.kind == "custom":
            custom.setdefault(entry.name, set()).add(entry.version)
        elif entry.name not in flex_names:
            # A Flex entry no operator uses: the runtime still resolves it, but
            # there is no NodeDef to tell its type attributes.
            flex_names.add(entry.name)
            flex_seen.add(FlexOp(entry.name))
    ops = OpSet(
        {k: tuple(sorted(v)) for k, v in sorted(builtins.items())},
        {k: tuple(sorted(v)) for k, v in sorted(custom.items())},
        tuple(sorted(flex_seen)),
    )
    unreferenced = tuple(sorted({e.label for e, used in zip(entries, referenced) if not used}))
    return ParsedModel(subgraphs, ops, unreferenced, len(entries), sum(referenced))


def _read_operator(op: Table, entries: list[OpCodeEntry], decoder: _Decoder) -> tuple[int, Optional[FlexOp]]:
    """The operator's opcode index, and the Flex op it runs (``None`` for other ops)."""
    index = op.uint32(schema.OPERATOR_OPCODE_INDEX, 0)
    if index >= len(entries):
        raise FlatbufferError(f"{op.what}: opcode_index {index} outside the {len(entries)}-entry operator_codes table")
    entry = entries[index]
    if entry.kind != "flex":
        return index, None
    return index, FlexOp(entry.name, decoder.flex_attrs(op, entry))


def _custom_options_span(buf: Source, op: Table) -> tuple[int, int]:
    """Where the operator's custom options lie: inline, or (models > 2 GB) after the flatbuffer."""
    offset = op.uint64(schema.OPERATOR_LARGE_CUSTOM_OPTIONS_OFFSET, 0)
    # schema.fbs: "the offset is ... only valid if > 1".
    if offset > 1:
        size = op.uint64(schema.OPERATOR_LARGE_CUSTOM_OPTIONS_SIZE, 0)
        if offset + size > len(buf):
            raise FlatbufferError(
                f"{op.what}: large custom options at {offset}+{size} lie outside the {len(buf)}-byte file"
            )
        return offset, size
    return op.byte_span(schema.OPERATOR_CUSTOM_OPTIONS) or (0, 0)


def read_model(path: str, sha256: Optional[str] = None) -> ModelOps:
    """Analyze the model file at ``path`` (read as the parse asks, see :class:`flatbuf.FileSource`).

    ``sha256`` may be passed when already known; otherwise the file is hashed
    with :func:`file_sha256`. Raises :class:`ModelError` for anything that is
    not a readable model, and only that.
    """
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size < 8:
                raise ModelError(path, f"file too short ({size} bytes) to be a TFLite model")
            parsed = parse_model(FileSource(f.fileno(), size))
    except FlatbufferError as e:
        raise ModelError(path, str(e)) from e
    except (OSError, ValueError) as e:
        raise ModelError(path, f"cannot read the file: {e}") from e
    return ModelOps(
        path=path,
        sha256=sha256 or file_sha256(path),
        size=size,
        subgraphs=parsed.subgraphs,
        ops=parsed.ops,
        unreferenced=parsed.unreferenced,
    )


def file_sha256(path: str) -> str:
    """The file's sha256, read in 1 MiB chunks."""
    try:
        return files.sha256_file(path)
    except OSError as e:
        raise ModelError(path, f"cannot read the file: {e}") from e
