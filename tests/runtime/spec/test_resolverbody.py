"""The all-ops resolvers rewritten to register only the selected ops: kept byte for byte, or refused."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import Optional

import pytest

from standin.litert2tree import REGISTER_CC, REGISTER_REF_CC, make_litert2_tree
from tflite_slim.analysis.opset import FlexOp, OpSet
from tflite_slim.errors import UsageError
from tflite_slim.runtime.spec.resolverbody import (
    REGISTER_CC as REGISTER,
    REGISTER_REF_CC as REGISTER_REF,
    ResolverMismatch,
    parse,
    select_in_tree,
    select_opset,
    select_ops,
)

CTOR = "BuiltinOpResolver::BuiltinOpResolver() {\n"
XNNPACK = ("  delegate_creators_.push_back([](TfLiteContext* context) {\n"
           "    return tflite::MaybeCreateXNNPACKDelegate(context,\n"
           "                                              XNNPackQS8Options::default_value);\n"
           "  });\n")


def _split(text: str, ctor: str = CTOR) -> tuple[str, str, str]:
    head, rest = text.split(ctor, 1)
    body, tail = rest.split("\n}\n", 1)
    return head + ctor, body + "\n", "}\n" + tail


def test_the_standin_parses_as_the_real_files_do() -> None:
    parsed = parse(REGISTER_CC, REGISTER)
    assert parsed.registered("builtin") == ("ABS", "ADD", "CONV_2D", "IF", "CALL_ONCE", "SOFTMAX")
    assert parsed.registered("custom") == ("Mfcc", "TFLite_Detection_PostProcess")
    assert parse(REGISTER_REF_CC, REGISTER_REF).registered("builtin") == ("ABS", "ADD", "CONV_2D", "CALL_ONCE")


def test_only_the_selected_registrations_are_kept() -> None:
    out = select_ops(REGISTER_CC, REGISTER, ["CONV_2D", "CALL_ONCE"], ["Mfcc"])
    head, body, tail = _split(out.text)
    assert (head, tail) == _split(REGISTER_CC)[::2]
    assert body == (
        "  // A comment that belongs to the statement after it.\n"
        "  AddBuiltin(BuiltinOperator_CONV_2D, Register_CONV_2D(),\n"
        "             /* min_version = */ 1,\n"
        "             /* max_version = */ 8);\n"
        "  AddBuiltin(BuiltinOperator_CALL_ONCE,\n"
        "             tflite::ops::builtin::Register_CALL_ONCE());\n"
        '  AddCustom("Mfcc", tflite::ops::custom::Register_MFCC());\n'
        "  // By definition, all of the ops added above are not user-defined ops.\n"
        "  may_directly_contain_user_defined_ops_ = false;\n"
        "\n"
        "  // The delegate creators.\n" + XNNPACK)
    assert (out.kept_builtins, out.kept_customs) == (("CALL_ONCE", "CONV_2D"), ("Mfcc",))
    assert (out.absent_builtins, out.absent_customs) == ((), ())


@pytest.mark.parametrize("source, spec", [(REGISTER_CC, REGISTER), (REGISTER_REF_CC, REGISTER_REF)])
def test_everything_selected_is_the_file_itself(source: str, spec) -> None:
    parsed = parse(source, spec)
    assert select_ops(source, spec, parsed.registered("builtin"), parsed.registered("custom")).text == source


def test_nothing_selected_keeps_the_xnnpack_creator() -> None:
    out = select_ops(REGISTER_CC, REGISTER, [], [])
    assert "AddBuiltin" not in _split(out.text)[1] and "AddCustom" not in _split(out.text)[1]
    assert XNNPACK in out.text and "  may_directly_contain_user_defined_ops_ = false;\n" in out.text
    # The code after the constructor (another constructor with its own delegate creators) is untouched.
    assert out.text.endswith(_split(REGISTER_CC)[2])


def test_ops_the_file_does_not_register_are_reported() -> None:
    ops = OpSet(builtin_ops={"ADD": (1, 2), "CUMSUM": (1,), "BUILTIN_250": (1,)},
                custom_ops={"MyOp": (1,), "TFLite_Detection_PostProcess": (1,)})
    out = select_opset(REGISTER_REF_CC, REGISTER_REF, ops)
    assert out.kept_builtins == ("ADD",) and out.kept_customs == ()
    assert out.absent_builtins == ("BUILTIN_250", "CUMSUM")
    assert out.absent_customs == ("MyOp", "TFLite_Detection_PostProcess")
    # The tree's own version range stays: the kernel's, not the model's.
    assert "BuiltinOperator_ADD, Register_ADD_REF(),\n             /* min_version = */ 1,\n" \
           "             /* max_version = */ 5);" in out.text


def test_byte_stable_whatever_the_order_asked() -> None:
    a = select_ops(REGISTER_CC, REGISTER, ["SOFTMAX", "ABS", "ADD"], ["Mfcc"])
    b = select_ops(REGISTER_CC, REGISTER, ("ADD", "SOFTMAX", "ABS", "ADD"), {"Mfcc"})
    assert a == b


@pytest.mark.parametrize(
    "change, says",
    [
        (lambda t: t.replace(CTOR, "BuiltinOpResolver::BuiltinOpResolver()\n{\n"), "found it 0 times"),
        (lambda t: t + "\n" + CTOR + "}\n", "found it 2 times"),
        (lambda t: t.replace("\n}\n", "\n  }\n"), "has no closing '}' line"),
        (lambda t: t.replace(XNNPACK, ""), "does not hold 'delegate_creators_.push_back"),
        (lambda t: t.replace("XNNPackQS8Options::default_value", "XNNPackQS8Options::disabled"),
         "holds a statement tflite-slim does not know ('delegate_creators_.push_back"),
        (lambda t: t.replace(XNNPACK, XNNPACK + XNNPACK), "does not hold the statements LiteRT's does"),
        (lambda t: t.replace("  may_directly_contain_user_defined_ops_ = false;\n", ""),
         "does not hold 'may_directly_contain_user_defined_ops_ = false;'"),
        (lambda t: t.replace("  AddBuiltin(BuiltinOperator_IF,", "  if (on) AddBuiltin(BuiltinOperator_IF,"),
         "holds a statement tflite-slim does not know ('if (on) AddBuiltin"),
        (lambda t: t.replace("Register_SOFTMAX(),", "MakeSoftmax(),"), "does not know ('AddBuiltin(BuiltinOperator_SOFTMAX"),
        (lambda t: t.replace("Register_IF());", "Register_IF()); AddBuiltin(BuiltinOperator_WHILE, Register_WHILE());"),
         "followed by more on its line"),
        (lambda t: t.replace('AddCustom("Mfcc"', 'AddCustom("Mfcc'), "unterminated statement"),
        # A lost ';' joins two statements into one nobody knows.
        (lambda t: t.replace("/* max_version = */ 4);", "/* max_version = */ 4)"),
         "does not know ('AddBuiltin(BuiltinOperator_SOFTMAX"),
        (lambda t: t.replace("  });\n}\n", "  })\n}\n", 1), "register.cc: unterminated statement"),
    ],
)
def test_a_file_not_as_read_is_refused(change, says: str) -> None:
    with pytest.raises(ResolverMismatch) as e:
        select_ops(change(REGISTER_CC), REGISTER, ["ADD"], [])
    message = str(e.value)
    assert says in message and "\n" not in message and message.startswith("tflite/core/kernels/register.cc: ")


def test_the_reference_resolver_has_no_delegate_creator() -> None:
    bad = REGISTER_REF_CC.replace('  AddCustom("Mfcc"', XNNPACK + '  AddCustom("Mfcc"')
    with pytest.raises(ResolverMismatch, match="register_ref.cc: BuiltinRefOpResolver::BuiltinRefOpResolver"):
        select_ops(bad, REGISTER_REF, ["ADD"], [])


def test_crafted_input_costs_linear_time() -> None:
    many = "".join(f"  AddBuiltin(BuiltinOperator_OP{i}, Register_OP{i}());\n" for i in range(100_000))
    big = REGISTER_CC.replace("  AddCustom(\"Mfcc\"", many + "  AddCustom(\"Mfcc\"")
    start = time.perf_counter()
    out = select_ops(big, REGISTER, ["OP99999"], [])
    assert out.kept_builtins == ("OP99999",) and time.perf_counter() - start < 10
    comments = REGISTER_CC.replace("  AddCustom(\"Mfcc\"", "  // x\n" * 300_000 + "  AddCustom(\"Mfcc\"")
    start = time.perf_counter()
    assert select_ops(comments, REGISTER, [], ["Mfcc"]).text.count("  // x\n") == 300_000
    assert time.perf_counter() - start < 10
    unclosed = REGISTER_CC.replace("  AddCustom(\"Mfcc\"", "  AddBuiltin(" + "(" * 200_000 + "\n" * 1000
                                   + "  AddCustom(\"Mfcc\"")
    start = time.perf_counter()
    with pytest.raises(ResolverMismatch):
        select_ops(unclosed, REGISTER, [], [])
    assert time.perf_counter() - start < 10


def test_both_resolvers_of_a_tree(tmp_path: Path) -> None:
    root = make_litert2_tree(tmp_path / "t", "2.1.6+")
    before = {p: (root / p).read_bytes() for p in (REGISTER.path, REGISTER_REF.path)}
    selected, reference = select_in_tree(root, OpSet(builtin_ops={"IF": (1,), "ADD": (1,)},
                                                     custom_ops={"Mfcc": (1,)}))
    assert (selected.path, selected.kept_builtins, selected.kept_customs) == (REGISTER.path, ("ADD", "IF"), ("Mfcc",))
    # The reference resolver has no IF (nor has the stock one): said, not refused.
    assert (reference.kept_builtins, reference.absent_builtins) == (("ADD",), ("IF",))
    # Reading never changes the tree.
    assert before == {p: (root / p).read_bytes() for p in before}


@pytest.mark.parametrize(
    "ops, change, says",
    [
        (OpSet(builtin_ops={"CUMSUM": (1,)}), None,
         "tflite/core/kernels/register.cc: registers no CUMSUM, which the models use: this LiteRT is older"),
        (OpSet(builtin_ops={"ADD": (1,)}, custom_ops={"MyOp": (1,)}), None,
         "register.cc: registers no custom op MyOp; custom ops of your own are not built"),
        (OpSet(builtin_ops={"ADD": (1,)}), lambda root: (root / REGISTER_REF.path).unlink(),
         "tflite/kernels/register_ref.cc: missing, unreadable or over 1 MiB"),
        (OpSet(builtin_ops={"ADD": (1,)}), lambda root: (root / REGISTER.path).write_text("x" * (1 << 20) + "x"),
         "tflite/core/kernels/register.cc: missing, unreadable or over 1 MiB"),
        (OpSet(builtin_ops={"ADD": (1,)}),
         lambda root: (root / REGISTER.path).write_text(REGISTER_CC.replace("XNNPackQS8Options::default_value",
                                                                            "XNNPackQS8Options::disabled")),
         "tflite/core/kernels/register.cc: BuiltinOpResolver::BuiltinOpResolver() holds a statement"),
    ],
)
def test_a_tree_that_cannot_be_trimmed_is_refused(tmp_path: Path, ops: OpSet, change, says: str) -> None:
    root = make_litert2_tree(tmp_path / "t", "2.1.0-2.1.5")
    if change:
        change(root)
    with pytest.raises(ResolverMismatch) as e:
        select_in_tree(root, ops)
    assert str(e.value).startswith(str(root)) and says in str(e.value) and "\n" not in str(e.value)


def test_flex_ops_are_refused_first(tmp_path: Path) -> None:
    ops = OpSet(builtin_ops={"ADD": (1,)}, flex_ops=(FlexOp("Erf"),))
    with pytest.raises(UsageError, match="use Flex ops \\(Erf\\); a trimmed LiteRT 2.x runtime"):
        select_in_tree(tmp_path / "nothing-here", ops)


REAL = os.environ.get("TFLITE_SLIM_REAL_LITERT")
TAGS = ("v2.0.2", "v2.0.3", "v2.1.0", "v2.1.1", "v2.1.2", "v2.1.3", "v2.1.4", "v2.1.5", "v2.1.6", "v2.2.0")


def _real(tag: Optional[str], path: str) -> str:
    """``path`` at ``tag`` of the real repository (a git dir), or in the checkout when ``tag`` is None."""
    if tag is None:
        return (Path(str(REAL)) / path).read_text()
    shown = subprocess.run(["git", "-C", str(REAL), "show", f"{tag}:{path}"], capture_output=True, text=True,
                           timeout=60)
    if shown.returncode != 0:
        pytest.skip(f"{REAL} has no tag {tag} ({shown.stderr.strip()})")
    return shown.stdout


def _real_tags() -> list[Optional[str]]:
    if REAL and (Path(REAL) / "tflite/core/kernels/register.cc").is_file():
        return [None]  # a checkout: its own files
    return list(TAGS)


@pytest.mark.skipif(not REAL, reason="TFLITE_SLIM_REAL_LITERT is unset: set it to a LiteRT checkout or git dir to "
                                     "rewrite its real register.cc and register_ref.cc")
@pytest.mark.parametrize("tag", _real_tags())
@pytest.mark.parametrize("spec", [REGISTER, REGISTER_REF], ids=["register.cc", "register_ref.cc"])
def test_the_real_files(tag: Optional[str], spec) -> None:
    text = _real(tag, spec.path)
    parsed = parse(text, spec)
    builtins, customs = parsed.registered("builtin"), parsed.registered("custom")
    assert len(builtins) == len(set(builtins)) > 150 and "TFLite_Detection_PostProcess" in customs
    assert select_ops(text, spec, builtins, customs).text == text
    out = select_ops(text, spec, ["ADD", "CONV_2D"], ["Mfcc"])
    assert out.kept_builtins == ("ADD", "CONV_2D") and out.kept_customs == ("Mfcc",)
    ctor = spec.constructor + "\n"
    body = out.text.split(ctor, 1)[1].split("\n}\n", 1)[0]
    assert body.count("AddBuiltin(") == 2 and body.count("AddCustom(") == 1
    assert (XNNPACK.rstrip("\n") in body) is (spec is REGISTER)
    # Before and after the constructor, the file is the tree's, byte for byte.
    assert out.text.split(ctor, 1)[0] == text.split(ctor, 1)[0]
    assert out.text.split(ctor, 1)[1].split("\n}\n", 1)[1] == text.split(ctor, 1)[1].split("\n}\n", 1)[1]
