"""The code->name and DataType tables, checked against TensorFlow's numbering."""

from __future__ import annotations

import pytest

from tflite_slim.analysis import schema


@pytest.mark.parametrize(
    "code, name",
    [
        (0, "ADD"),
        (3, "CONV_2D"),
        (20, "RELU_N1_TO_1"),
        (32, "CUSTOM"),
        (51, "DELEGATE"),
        (118, "IF"),
        (119, "WHILE"),
        (127, "PLACEHOLDER_FOR_GREATER_OP_CODES"),
        (128, "CUMSUM"),
        (129, "CALL_ONCE"),
        (150, "GELU"),
        (162, "STABLEHLO_LOGISTIC"),
        (205, "REDUCE_WINDOW"),
        (206, "STABLEHLO_COMPOSITE"),
        (207, "STABLEHLO_SHIFT_LEFT"),
        (208, "STABLEHLO_CBRT"),
        (209, "STABLEHLO_CASE"),
        (210, "BUILTIN_210"),
        (4096, "BUILTIN_4096"),
    ],
)
def test_builtin_name(code: int, name: str) -> None:
    assert schema.builtin_name(code) == name


def test_table_is_complete_and_unique() -> None:
    names = schema.BUILTIN_OPERATOR_NAMES
    assert len(names) == 210
    assert len(set(names)) == len(names)
    assert all(n and n == n.upper() and " " not in n for n in names)


def test_table_agrees_with_tflite_package_where_it_knows() -> None:
    # The tflite 2.18.0 package knows codes up to 208; ours must agree there.
    tflite_ops = pytest.importorskip("tflite.BuiltinOperator")
    theirs = {v: k for k, v in vars(tflite_ops.BuiltinOperator).items() if not k.startswith("_")}
    for code, name in theirs.items():
        assert schema.builtin_name(code) == name


@pytest.mark.parametrize(
    "value, name",
    [
        (0, "DT_INVALID"),
        (1, "DT_FLOAT"),
        (3, "DT_INT32"),
        (7, "DT_STRING"),
        (9, "DT_INT64"),
        (10, "DT_BOOL"),
        (19, "DT_HALF"),
        (20, "DT_RESOURCE"),
        (21, "DT_VARIANT"),
        (29, "DT_INT4"),
        (101, "DT_FLOAT_REF"),
        (119, "DT_HALF_REF"),
        (100, "DT_100"),
        (77, "DT_77"),
    ],
)
def test_data_type_name(value: int, name: str) -> None:
    assert schema.data_type_name(value) == name
