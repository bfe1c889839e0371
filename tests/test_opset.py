"""The op-set data model and its JSON contract (pure)."""

from __future__ import annotations

import json

import pytest

from tflite_slim.opset import (
    FlexOp,
    ModelFailure,
    ModelOps,
    OpSet,
    analysis_to_json,
    digest,
    dumps,
    opset_from_json,
    opset_to_json,
)

BASE = OpSet({"CONV_2D": (1, 3), "ADD": (1,)}, ("MyOp",), (FlexOp("AddV2", (("T", "DT_FLOAT"),)),))


def test_fingerprint_ignores_order_of_entries():
    reordered = OpSet({"ADD": (1,), "CONV_2D": (1, 3)}, ("MyOp", "MyOp"), (FlexOp("AddV2", (("T", "DT_FLOAT"),)),))
    assert reordered.fingerprint() == BASE.fingerprint()


@pytest.mark.parametrize(
    "changed",
    [
        pytest.param(OpSet({"CONV_2D": (1, 3), "ADD": (1, 2)}, ("MyOp",), BASE.flex_ops), id="new-version"),
        pytest.param(OpSet({"CONV_2D": (1, 3), "ADD": (1,), "MUL": (1,)}, ("MyOp",), BASE.flex_ops), id="new-op"),
        pytest.param(OpSet(dict(BASE.builtin_ops), ("MyOp", "Other"), BASE.flex_ops), id="new-custom"),
        pytest.param(OpSet(dict(BASE.builtin_ops), {"MyOp": (1, 2)}, BASE.flex_ops), id="custom-version"),
        pytest.param(OpSet(dict(BASE.builtin_ops), ("MyOp",), (FlexOp("AddV2", (("T", "DT_INT32"),)),)), id="flex-attr"),
        pytest.param(OpSet(dict(BASE.builtin_ops), ("MyOp",), ()), id="no-flex"),
    ],
)
def test_fingerprint_changes_with_what_the_runtime_must_carry(changed):
    assert changed.fingerprint() != BASE.fingerprint()


def test_union_merges_versions_and_dedupes():
    a = OpSet({"ADD": (1,)}, ("X",), (FlexOp("Erf"),))
    b = OpSet({"ADD": (2,), "MUL": (1,)}, ("X", "Y"), (FlexOp("Erf"),))
    u = OpSet.union([a, b])
    assert dict(u.builtin_ops) == {"ADD": (1, 2), "MUL": (1,)}
    assert u.custom_ops == {"X": (1,), "Y": (1,)}
    assert u.flex_op_names == ("Erf",)
    assert OpSet.union([]).fingerprint() == OpSet().fingerprint()


@pytest.mark.parametrize(
    "needed, expected",
    [
        (OpSet({"ADD": (1,)}), []),
        (OpSet({"ADD": (2,)}), ["ADD version 2"]),
        (OpSet({"SUB": (1, 2)}), ["SUB version 1", "SUB version 2"]),
        (OpSet(custom_ops=("Other",)), ["custom op Other"]),
        (OpSet(custom_ops={"MyOp": (1, 2, 3)}), ["custom op MyOp version 2", "custom op MyOp version 3"]),
        (OpSet(flex_ops=(FlexOp("Erf"),)), ["flex op Erf"]),
        # Flex coverage is by op name: kernels for other type attrs are the flex AAR's business.
        (OpSet(flex_ops=(FlexOp("AddV2", (("T", "DT_INT64"),)),)), []),
    ],
)
def test_missing_from(needed, expected):
    assert needed.missing_from(BASE) == expected


def test_json_round_trip_keeps_fingerprint():
    doc = json.loads(dumps(opset_to_json(BASE)))
    assert doc["flex_ops"] == ["AddV2"]
    assert doc["fingerprint"] == BASE.fingerprint()
    back = opset_from_json(doc)
    assert back == OpSet({"ADD": (1,), "CONV_2D": (1, 3)}, ("MyOp",), BASE.flex_ops)
    # A build record nests the op set under "op_set".
    assert opset_from_json({"op_set": doc}).fingerprint() == BASE.fingerprint()


def test_from_json_without_flex_details_uses_names():
    assert opset_from_json({"flex_ops": ["Erf"]}).flex_op_names == ("Erf",)


def test_analysis_document_is_sorted_and_stable():
    m1 = ModelOps("b.tflite", "00", 10, 1, OpSet({"ADD": (1,)}))
    m2 = ModelOps("a.tflite", "11", 20, 2, OpSet({"MUL": (2,)}), unreferenced=("MUL",))
    doc = analysis_to_json([m1, m2], [ModelFailure("z.bin", "not a model")])
    assert [m["path"] for m in doc["models"]] == ["a.tflite", "b.tflite"]
    assert doc["models"][0]["unreferenced"] == ["MUL"]
    assert doc["errors"] == [{"path": "z.bin", "error": "not a model"}]
    assert doc["union"]["builtin_ops"] == {"ADD": [1], "MUL": [2]}
    assert dumps(doc) == dumps(analysis_to_json([m2, m1], [ModelFailure("z.bin", "not a model")]))


def test_custom_names_mean_version_one():
    assert OpSet(custom_ops=("B", "A", "A")).custom_ops == {"A": (1,), "B": (1,)}
    assert OpSet(custom_ops=("A",)) == OpSet(custom_ops={"A": (1,)})


def test_custom_versions_round_trip_and_old_documents_read_as_version_one():
    ops = OpSet(custom_ops={"Foo": (1, 2), "Bar": (1,)})
    doc = json.loads(dumps(opset_to_json(ops)))
    assert doc["custom_ops"] == ["Bar", "Foo"]
    assert doc["custom_op_versions"] == {"Bar": [1], "Foo": [1, 2]}
    assert opset_from_json(doc) == ops
    # A record written before custom versions were recorded.
    assert opset_from_json({"custom_ops": ["Foo"]}).custom_ops == {"Foo": (1,)}


def test_union_merges_custom_versions():
    u = OpSet.union([OpSet(custom_ops={"Foo": (1,)}), OpSet(custom_ops={"Foo": (2,), "Bar": (1,)})])
    assert u.custom_ops == {"Bar": (1,), "Foo": (1, 2)}


def test_digest_depends_on_content_not_key_order():
    assert digest({"a": 1, "b": [1, 2]}) == digest({"b": [1, 2], "a": 1})
    assert digest({"a": 1, "b": [1, 2]}) != digest({"a": 1, "b": [2, 1]})
    assert BASE.fingerprint() == digest(BASE.canonical())
