"""Read one ``.tflite`` file into the operators it needs (:class:`ModelOps`).

Only four things are read: the ``operator_codes`` table, the subgraphs, their
operators, and the custom options of Flex ops. Tensors and buffers (the
weights) are never touched, so parse time does not grow with weight size; the
file is memory-mapped so untouched pages are never read from disk either.

What the runtime must register is the *whole* operator_codes table: the
TFLite interpreter resolves every entry when it loads the model, referenced or
not (TensorFlow's own registration generator does the same). Entries no
operator references are also reported, for the user's information.

The file's sha256 is computed separately (:func:`file_sha256`, a streaming
read): hashing is I/O linear in file size, and keeping it apart lets the
benchmark show that the parse itself is independent of the weights.
"""

from __future__ import annotations

import mmap
import os
from dataclasses import dataclass
from typing import Optional

from tflite_slim import files, schema
from tflite_slim.errors import ModelError
from tflite_slim.flatbuf import Buffer, FlatbufferError, Table, root
from tflite_slim.flex import FlexDecodeError, decode_flex_options
from tflite_slim.opset import FlexOp, ModelOps, OpSet


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


def resolve_opcode(table: Table) -> OpCodeEntry:
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
    if code != schema.CUSTOM:
        return OpCodeEntry("builtin", schema.builtin_name(code), version)
    custom_code = table.string(schema.OPCODE_CUSTOM_CODE)
    if not custom_code:
        raise FlatbufferError(f"{table.what}: CUSTOM operator code without a custom_code")
    prefix = schema.FLEX_PREFIX
    if custom_code.startswith(prefix) and len(custom_code) > len(prefix):
        return OpCodeEntry("flex", custom_code[len(prefix) :], version, custom_code)
    return OpCodeEntry("custom", custom_code, version, custom_code)


def parse_model(buf: Buffer) -> ParsedModel:
    """Parse a whole model file's bytes (raises :class:`FlatbufferError`).

    ``buf`` is the whole file: large custom options are addressed by file
    offset, outside the flatbuffer proper.
    """
    model = root(buf, schema.FILE_IDENTIFIER)
    entries = [resolve_opcode(t) for t in model.tables(schema.MODEL_OPERATOR_CODES, "operator code")]
    referenced = [False] * len(entries)
    flex_seen: set[FlexOp] = set()
    # A well-formed model holds each operator once, so the operator entries and
    # custom-option bytes we visit are bounded by the file size. Crafted
    # offsets can make vectors share elements; these budgets keep the walk
    # linear in the file size whatever the offsets say.
    budget_ops = len(buf) // 4
    budget_bytes = len(buf)
    subgraphs = 0
    for sg in model.tables(schema.MODEL_SUBGRAPHS, "subgraph"):
        subgraphs += 1
        for op in sg.tables(schema.SUBGRAPH_OPERATORS, f"{sg.what} operator"):
            budget_ops -= 1
            if budget_ops < 0:
                raise FlatbufferError("operator vectors overlap (more operators than the file can hold)")
            index = op.uint32(schema.OPERATOR_OPCODE_INDEX, 0)
            if index >= len(entries):
                raise FlatbufferError(
                    f"{op.what}: opcode_index {index} outside the {len(entries)}-entry operator_codes table"
                )
            referenced[index] = True
            entry = entries[index]
            if entry.kind != "flex":
                continue
            options = _custom_options(buf, op)
            budget_bytes -= len(options)
            if budget_bytes < 0:
                raise FlatbufferError("custom options overlap (more option bytes than the file holds)")
            try:
                flex = decode_flex_options(options)
            except FlexDecodeError as e:
                raise FlatbufferError(f"{op.what} ({entry.custom_code}): custom options: {e}") from e
            flex_seen.add(FlexOp(entry.name, flex.attrs))
    builtins: dict[str, set[int]] = {}
    custom: dict[str, set[int]] = {}
    for entry in entries:
        if entry.kind == "builtin":
            builtins.setdefault(entry.name, set()).add(entry.version)
        elif entry.kind == "custom":
            custom.setdefault(entry.name, set()).add(entry.version)
        elif not any(f.name == entry.name for f in flex_seen):
            # A Flex entry no operator uses: the runtime still resolves it, but
            # there is no NodeDef to tell its type attributes.
            flex_seen.add(FlexOp(entry.name))
    ops = OpSet(
        {k: tuple(sorted(v)) for k, v in sorted(builtins.items())},
        {k: tuple(sorted(v)) for k, v in sorted(custom.items())},
        tuple(sorted(flex_seen)),
    )
    unreferenced = tuple(sorted({e.label for e, used in zip(entries, referenced) if not used}))
    return ParsedModel(subgraphs, ops, unreferenced, len(entries), sum(referenced))


def _custom_options(buf: Buffer, op: Table) -> bytes:
    """The operator's custom options, inline or (models > 2 GB) after the flatbuffer."""
    offset = op.uint64(schema.OPERATOR_LARGE_CUSTOM_OPTIONS_OFFSET, 0)
    # schema.fbs: "the offset is ... only valid if > 1".
    if offset > 1:
        size = op.uint64(schema.OPERATOR_LARGE_CUSTOM_OPTIONS_SIZE, 0)
        if offset + size > len(buf):
            raise FlatbufferError(
                f"{op.what}: large custom options at {offset}+{size} lie outside the {len(buf)}-byte file"
            )
        return bytes(buf[offset : offset + size])
    return op.bytes_(schema.OPERATOR_CUSTOM_OPTIONS) or b""


def read_model(path: str, sha256: Optional[str] = None) -> ModelOps:
    """Analyze the model file at ``path`` (memory-mapped).

    ``sha256`` may be passed when already known; otherwise the file is hashed
    with :func:`file_sha256`. Raises :class:`ModelError` for anything that is
    not a readable model, and only that.
    """
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size < 8:
                raise ModelError(path, f"file too short ({size} bytes) to be a TFLite model")
            with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
                parsed = parse_model(mm)
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
