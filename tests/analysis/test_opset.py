"""The op-set data model and its JSON contract (pure)."""

from __future__ import annotations

import json

import pytest

from tflite_slim.analysis.opset import (
    FlexOp,
    ModelFailure,
    ModelOps,
    OpSet,
    analysis_to_json,
    digest,
    flex_details_recorded,
    loads,
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
        # Select TF ops register one kernel per type: another T is another kernel.
        (OpSet(flex_ops=(FlexOp("AddV2", (("T", "DT_INT64"),)),)), ["flex op AddV2 (T=DT_INT64)"]),
        (OpSet(flex_ops=(FlexOp("AddV2", (("T", "DT_FLOAT"),)),)), []),
        (
            OpSet(flex_ops=(FlexOp("AddV2", (("T", "DT_FLOAT"), ("Tidx", "DT_INT32"))),)),
            ["flex op AddV2 (T=DT_FLOAT, Tidx=DT_INT32)"],
        ),
        # No type attributes (an entry no operator uses): any kernel of the op will do.
        (OpSet(flex_ops=(FlexOp("AddV2"),)), []),
    ],
)
def test_missing_from(needed, expected):
    assert needed.missing_from(BASE) == expected


def test_missing_from_by_name_only_for_old_records():
    needed = OpSet(flex_ops=(FlexOp("AddV2", (("T", "DT_INT64"),)), FlexOp("Erf", (("T", "DT_FLOAT"),))))
    assert needed.missing_from(BASE, flex_by_name=True) == ["flex op Erf"]


def test_runtime_without_attrs_does_not_cover_an_op_with_them():
    runtime = OpSet(flex_ops=(FlexOp("AddV2"),))
    assert OpSet(flex_ops=(FlexOp("AddV2", (("T", "DT_FLOAT"),)),)).missing_from(runtime) == [
        "flex op AddV2 (T=DT_FLOAT)"
    ]


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


# --- reading op-set JSON strictly -------------------------------------------------


@pytest.mark.parametrize(
    "text, reason",
    [
        ('{"builtin_ops": {"ADD": [NaN]}}', "NaN is not a JSON number"),
        ('{"builtin_ops": {"ADD": [Infinity]}}', "Infinity is not a JSON number"),
        ('{"builtin_ops": {"ADD": [-Infinity]}}', "-Infinity is not a JSON number"),
        ('{"builtin_ops": {"ADD": [1e400]}}', "out of range"),
        ("[" * 100000 + "]" * 100000, "nested too deeply"),
        ('{"a": ' + "[" * 40 + "]" * 40 + "}", "nested more than"),
    ],
)
def test_loads_refuses_what_no_writer_of_ours_produces(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        loads(text)


def test_loads_reads_our_own_documents() -> None:
    text = dumps({"op_set": opset_to_json(BASE)})
    assert opset_from_json(loads(text)) == BASE


@pytest.mark.parametrize(
    "doc, reason",
    [
        ({"flex_ops": ["Add\nV2"]}, "not a TensorFlow op name"),
        ({"flex_ops": ["addV2"]}, "not a TensorFlow op name"),
        ({"flex_details": [{"op": "AddV2\x00", "attrs": {}}]}, "not a TensorFlow op name"),
        ({"flex_details": [{"op": "AddV2", "attrs": {"T\x07": "DT_FLOAT"}}]}, "not a TensorFlow attribute name"),
        ({"flex_details": [{"op": "AddV2", "attrs": {"T": "DT_FLOAT\n"}}]}, "is not a DataType"),
        ({"flex_details": [{"op": "AddV2", "attrs": {"T": 1}}]}, "must be strings"),
        ({"flex_details": [{"op": 5}]}, "is not {op: name"),
        ({"builtin_ops": {"ADD": [1.5]}}, "version 1.5 is not an integer"),
        ({"builtin_ops": {"ADD": [True]}}, "version True is not an integer"),
        ({"builtin_ops": {"ADD": [0]}}, "version 0 is not an integer"),
        ({"builtin_ops": {"ADD\x1b[31m": [1]}}, "not an op name"),
        ({"custom_ops": ["My\x00Op"]}, "control characters"),
    ],
)
def test_opset_from_json_refuses_names_and_values_no_model_has(doc: dict, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        opset_from_json(doc)


@pytest.mark.parametrize("name", ["AddV2", "Foo>Bar", "_Internal", "A", "StatefulPartitionedCall"])
def test_tensorflow_op_names_are_accepted(name: str) -> None:
    assert opset_from_json({"flex_ops": [name]}).flex_op_names == (name,)


def test_flex_details_recorded() -> None:
    assert flex_details_recorded(opset_to_json(BASE))
    assert flex_details_recorded({"op_set": opset_to_json(BASE)})
    assert not flex_details_recorded({"flex_ops": ["AddV2"]})
    assert flex_details_recorded({"builtin_ops": {"ADD": [1]}})  # nothing to compare by name
