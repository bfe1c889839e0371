"""Fuzz-style robustness: mutated and truncated models give a result or a clean error.

Seeded and bounded (a few thousand parses, well under a few seconds), so a
failure reproduces exactly. The property: :func:`parse_model` returns or
raises :class:`FlatbufferError` (which :func:`read_model` turns into
``ModelError``), never any other exception, and every parse is fast (no hang,
no quadratic walk over crafted offsets).
"""

from __future__ import annotations

import json
import random
import struct
import subprocess
import sys
import time
from pathlib import Path

import flatbuffers
import pytest

import hostile
import modelmaker as mm
from tflite_slim.errors import ModelError
from tflite_slim.analysis.flatbuf import FlatbufferError
from tflite_slim.analysis.opset import FlexOp
from tflite_slim.analysis.reader import parse_model, read_model

#: Real models with Flex ops, several subgraphs, custom ops, old writers.
CORPUS_SEEDS = [
    "litert-repo/tflite__testdata__multi_add_flex.bin",
    "litert-repo/tflite__testdata__double_flex.bin",
    "litert-repo/tflite__python__optimize__test_data__string_input_flex_model.bin",
    "litert-repo/tflite__testdata__nested_while.bin",
    "litert-repo/tflite__testdata__test_model.bin",
    "litert-repo/litert__test__testdata__shared_input_cpu_npu_google_tensor_precompiled.tflite",
    "mediapipe-0.10.14/selfie_segmentation.tflite",
]
MUTATIONS_PER_SEED = 1000
MAX_SECONDS_PER_PARSE = 1.0


def _made_seeds() -> list[bytes]:
    flex = mm.flex_options("AddV2", {"T": mm.DT_FLOAT, "Tidx": (mm.DT_INT32, mm.DT_INT64)})
    return [
        mm.make_model(
            [
                mm.builtin(mm.WHILE),
                mm.builtin(mm.STABLEHLO_CASE, old_writer=False),
                mm.custom("FlexAddV2"),
                mm.custom("Foo"),
            ],
            [[mm.Op(0)], [mm.Op(1), mm.Op(2, flex)], [mm.Op(3, b"\x01\x02")]],
            buffers=[32],
        ),
        mm.make_model([mm.custom("FlexAddV2")], [[mm.Op(0, large_custom_options=flex)]]),
    ]


def _mutate(data: bytes, rng: random.Random) -> bytes:
    buf = bytearray(data)
    kind = rng.randrange(5)
    if kind == 0:  # truncate
        return bytes(buf[: rng.randrange(len(buf))])
    if kind == 1:  # flip a few bytes
        for _ in range(rng.randint(1, 8)):
            buf[rng.randrange(len(buf))] = rng.randrange(256)
    elif kind == 2:  # overwrite an aligned word with an extreme or random offset
        at = rng.randrange(0, max(1, len(buf) - 4)) & ~3
        value = rng.choice([0, 1, 0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, len(buf), rng.randrange(1 << 32)])
        buf[at : at + 4] = struct.pack("<I", value)
    elif kind == 3:  # small nudge of a word (a plausible-but-wrong offset)
        at = rng.randrange(0, max(1, len(buf) - 4)) & ~3
        (v,) = struct.unpack_from("<I", buf, at)
        buf[at : at + 4] = struct.pack("<I", (v + rng.choice([-8, -4, 4, 8, 64])) & 0xFFFFFFFF)
    else:  # splice a chunk of the file over another place
        a, b = rng.randrange(len(buf)), rng.randrange(len(buf))
        n = rng.randint(1, 64)
        buf[b : b + n] = buf[a : a + n]
    return bytes(buf)


def _fuzz(seed_bytes: bytes, seed: int) -> tuple[int, int]:
    rng = random.Random(seed)
    ok = errors = 0
    for _ in range(MUTATIONS_PER_SEED):
        data = _mutate(seed_bytes, rng)
        start = time.perf_counter()
        try:
            parse_model(data)
            ok += 1
        except FlatbufferError:
            errors += 1
        elapsed = time.perf_counter() - start
        assert elapsed < MAX_SECONDS_PER_PARSE, f"parse took {elapsed:.2f}s (seed {seed})"
    return ok, errors


@pytest.mark.parametrize("index", range(len(_made_seeds())))
def test_fuzz_made_models(index: int) -> None:
    ok, errors = _fuzz(_made_seeds()[index], seed=1000 + index)
    assert errors > 0  # the mutations do reach the checks


@pytest.mark.parametrize("rel", CORPUS_SEEDS)
def test_fuzz_real_models(rel: str, shared_models: Path) -> None:
    ok, errors = _fuzz((shared_models / rel).read_bytes(), seed=sum(rel.encode()))
    assert ok + errors == MUTATIONS_PER_SEED and errors > 0


def test_crafted_shared_tables_stay_linear() -> None:
    # Flatbuffers let vectors share elements: 20k subgraph entries aiming at one
    # subgraph whose 20k operator entries aim at one operator is a 160 KB file
    # that would take 4e8 operator visits if each subgraph were walked again.
    n = 20000
    b = flatbuffers.Builder(1024)
    b.StartObject(13)
    op = b.EndObject()
    ops = _repeat(b, op, n)
    b.StartObject(5)
    b.PrependUOffsetTRelativeSlot(3, ops, 0)
    subgraph = b.EndObject()
    subgraphs = _repeat(b, subgraph, n)
    name = b.CreateString("ADD")
    b.StartObject(4)
    b.PrependUOffsetTRelativeSlot(1, name, 0)
    code = b.EndObject()
    codes = _repeat(b, code, 1)
    b.StartObject(8)
    b.PrependUOffsetTRelativeSlot(1, codes, 0)
    b.PrependUOffsetTRelativeSlot(2, subgraphs, 0)
    b.Finish(b.EndObject(), file_identifier=b"TFL3")
    began = time.perf_counter()
    parsed = parse_model(bytes(b.Output()))
    assert time.perf_counter() - began < 2.0
    assert (parsed.subgraphs, dict(parsed.ops.builtin_ops)) == (n, {"ADD": (1,)})


def _repeat(b: flatbuffers.Builder, table: int, n: int) -> int:
    b.StartVector(4, n, 4)
    for _ in range(n):
        b.PrependUOffsetTRelative(table)
    return b.EndVector()


def test_read_model_turns_fuzzed_files_into_model_errors(tmp_path: Path) -> None:
    rng = random.Random(7)
    seed_bytes = _made_seeds()[0]
    path = tmp_path / "m.tflite"
    for _ in range(50):
        path.write_bytes(_mutate(seed_bytes, rng))
        try:
            read_model(str(path))
        except ModelError as e:
            assert e.path == str(path) and e.reason


# --- hostile models: linear time and memory ------------------------------------

#: Generous bounds for a ~1 MB file: the quadratic readers these catch took
#: tens of seconds and gigabytes; the linear one takes well under a second.
HOSTILE_SIZE = 1 << 20
HOSTILE_MAX_SECONDS = 5.0
HOSTILE_MAX_PEAK_MB = 200

_MEASURE = """
import json, resource, sys, time
from tflite_slim.errors import ModelError
from tflite_slim.analysis.reader import read_model
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))  # a regression fails, it does not swap
start = time.perf_counter()
try:
    m = read_model(sys.argv[1])
    outcome = {"subgraphs": m.subgraphs, "flex": len(m.ops.flex_ops), "custom": len(m.ops.custom_ops)}
except ModelError as e:
    outcome = {"error": str(e)}
seconds = time.perf_counter() - start
def peak_kb():
    # VmHWM is this process's own peak. ru_maxrss also counts the parent's peak at the fork/exec (Linux
    # folds the replaced mm's high-water mark in): 233 MB for any model once pytest had grown that big.
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
peak_mb = peak_kb() / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, **outcome}))
"""


@pytest.mark.parametrize("shape", sorted(hostile.SHAPES))
def test_hostile_model_is_analyzed_in_linear_time_and_memory(shape: str, tmp_path: Path) -> None:
    path = tmp_path / f"{shape}.tflite"
    path.write_bytes(hostile.SHAPES[shape](HOSTILE_SIZE))
    r = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path)], capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 0, r.stderr[-2000:]
    got = json.loads(r.stdout)
    assert got["seconds"] < HOSTILE_MAX_SECONDS, got
    assert got["peak_mb"] < HOSTILE_MAX_PEAK_MB, got
    if shape == "overlapping_custom_codes":
        # Decoding every string would cost gigabytes: refused, naming the file.
        assert got["error"].startswith(f"{path}: operator code ")
        # Overlapping strings contain each other's small length words (control bytes), so
        # the first one decoded is refused as unprintable; the byte budget is the backstop.
        assert "control or invisible characters" in got["error"] or "add up to more than" in got["error"]
        assert "\n" not in got["error"]
    else:
        assert "error" not in got, got


def test_shared_strings_are_decoded_once_and_kept_once() -> None:
    parsed = parse_model(hostile.shared_flex_code(1 << 16))
    (flex,) = parsed.ops.flex_ops
    assert flex == FlexOp("A" * (1 << 15))
    parsed = parse_model(hostile.shared_custom_code(1 << 16))
    assert list(parsed.ops.custom_ops) == ["X" * (1 << 15)]
    assert parsed.ops.custom_ops["X" * (1 << 15)] == tuple(range(1, 256))


def test_operators_sharing_flex_options_give_one_flex_op() -> None:
    parsed = parse_model(hostile.shared_flex_operator(1 << 16))
    assert parsed.ops.flex_ops == (FlexOp("AddV2", (("T", "DT_FLOAT"),)),)
    parsed = parse_model(hostile.shared_operator_vector(1 << 16))
    assert (parsed.subgraphs, parsed.ops.flex_ops) == ((1 << 16) // 16, (FlexOp("AddV2", (("T", "DT_FLOAT"),)),))
