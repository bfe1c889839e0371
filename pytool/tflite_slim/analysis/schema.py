"""Facts about the TensorFlow Lite and TensorFlow formats that the reader needs.

Names, numbers and field slots come from TensorFlow's own definitions:
``tensorflow/compiler/mlir/lite/schema/schema.fbs`` (the ``BuiltinOperator``
enum and the tables' field order) and ``tensorflow/core/framework/types.proto``
(``DataType``), ``register.cc`` (the custom ops TensorFlow Lite implements) and
the naming rule of custom-op registration functions. Only data and lookups.
"""

from __future__ import annotations

import re

#: The flatbuffer file identifier every TFLite model carries at bytes 4..8.
FILE_IDENTIFIER = b"TFL3"

#: ``BuiltinOperator`` names indexed by code (schema.fbs, TensorFlow 2.21).
# fmt: off
BUILTIN_OPERATOR_NAMES: tuple[str, ...] = (
    "ADD", "AVERAGE_POOL_2D", "CONCATENATION", "CONV_2D", "DEPTHWISE_CONV_2D",  # 0
    "DEPTH_TO_SPACE", "DEQUANTIZE", "EMBEDDING_LOOKUP", "FLOOR", "FULLY_CONNECTED",  # 5
    "HASHTABLE_LOOKUP", "L2_NORMALIZATION", "L2_POOL_2D", "LOCAL_RESPONSE_NORMALIZATION", "LOGISTIC",  # 10
    "LSH_PROJECTION", "LSTM", "MAX_POOL_2D", "MUL", "RELU",  # 15
    "RELU_N1_TO_1", "RELU6", "RESHAPE", "RESIZE_BILINEAR", "RNN",  # 20
    "SOFTMAX", "SPACE_TO_DEPTH", "SVDF", "TANH", "CONCAT_EMBEDDINGS",  # 25
    "SKIP_GRAM", "CALL", "CUSTOM", "EMBEDDING_LOOKUP_SPARSE", "PAD",  # 30
    "UNIDIRECTIONAL_SEQUENCE_RNN", "GATHER", "BATCH_TO_SPACE_ND", "SPACE_TO_BATCH_ND", "TRANSPOSE",  # 35
    "MEAN", "SUB", "DIV", "SQUEEZE", "UNIDIRECTIONAL_SEQUENCE_LSTM",  # 40
    "STRIDED_SLICE", "BIDIRECTIONAL_SEQUENCE_RNN", "EXP", "TOPK_V2", "SPLIT",  # 45
    "LOG_SOFTMAX", "DELEGATE", "BIDIRECTIONAL_SEQUENCE_LSTM", "CAST", "PRELU",  # 50
    "MAXIMUM", "ARG_MAX", "MINIMUM", "LESS", "NEG",  # 55
    "PADV2", "GREATER", "GREATER_EQUAL", "LESS_EQUAL", "SELECT",  # 60
    "SLICE", "SIN", "TRANSPOSE_CONV", "SPARSE_TO_DENSE", "TILE",  # 65
    "EXPAND_DIMS", "EQUAL", "NOT_EQUAL", "LOG", "SUM",  # 70
    "SQRT", "RSQRT", "SHAPE", "POW", "ARG_MIN",  # 75
    "FAKE_QUANT", "REDUCE_PROD", "REDUCE_MAX", "PACK", "LOGICAL_OR",  # 80
    "ONE_HOT", "LOGICAL_AND", "LOGICAL_NOT", "UNPACK", "REDUCE_MIN",  # 85
    "FLOOR_DIV", "REDUCE_ANY", "SQUARE", "ZEROS_LIKE", "FILL",  # 90
    "FLOOR_MOD", "RANGE", "RESIZE_NEAREST_NEIGHBOR", "LEAKY_RELU", "SQUARED_DIFFERENCE",  # 95
    "MIRROR_PAD", "ABS", "SPLIT_V", "UNIQUE", "CEIL",  # 100
    "REVERSE_V2", "ADD_N", "GATHER_ND", "COS", "WHERE",  # 105
    "RANK", "ELU", "REVERSE_SEQUENCE", "MATRIX_DIAG", "QUANTIZE",  # 110
    "MATRIX_SET_DIAG", "ROUND", "HARD_SWISH", "IF", "WHILE",  # 115
    "NON_MAX_SUPPRESSION_V4", "NON_MAX_SUPPRESSION_V5", "SCATTER_ND", "SELECT_V2", "DENSIFY",  # 120
    "SEGMENT_SUM", "BATCH_MATMUL", "PLACEHOLDER_FOR_GREATER_OP_CODES", "CUMSUM", "CALL_ONCE",  # 125
    "BROADCAST_TO", "RFFT2D", "CONV_3D", "IMAG", "REAL",  # 130
    "COMPLEX_ABS", "HASHTABLE", "HASHTABLE_FIND", "HASHTABLE_IMPORT", "HASHTABLE_SIZE",  # 135
    "REDUCE_ALL", "CONV_3D_TRANSPOSE", "VAR_HANDLE", "READ_VARIABLE", "ASSIGN_VARIABLE",  # 140
    "BROADCAST_ARGS", "RANDOM_STANDARD_NORMAL", "BUCKETIZE", "RANDOM_UNIFORM", "MULTINOMIAL",  # 145
    "GELU", "DYNAMIC_UPDATE_SLICE", "RELU_0_TO_1", "UNSORTED_SEGMENT_PROD", "UNSORTED_SEGMENT_MAX",  # 150
    "UNSORTED_SEGMENT_SUM", "ATAN2", "UNSORTED_SEGMENT_MIN", "SIGN", "BITCAST",  # 155
    "BITWISE_XOR", "RIGHT_SHIFT", "STABLEHLO_LOGISTIC", "STABLEHLO_ADD", "STABLEHLO_DIVIDE",  # 160
    "STABLEHLO_MULTIPLY", "STABLEHLO_MAXIMUM", "STABLEHLO_RESHAPE", "STABLEHLO_CLAMP", "STABLEHLO_CONCATENATE",  # 165
    "STABLEHLO_BROADCAST_IN_DIM", "STABLEHLO_CONVOLUTION", "STABLEHLO_SLICE",  # 170
    "STABLEHLO_CUSTOM_CALL", "STABLEHLO_REDUCE",  # 173
    "STABLEHLO_ABS", "STABLEHLO_AND", "STABLEHLO_COSINE", "STABLEHLO_EXPONENTIAL", "STABLEHLO_FLOOR",  # 175
    "STABLEHLO_LOG", "STABLEHLO_MINIMUM", "STABLEHLO_NEGATE", "STABLEHLO_OR", "STABLEHLO_POWER",  # 180
    "STABLEHLO_REMAINDER", "STABLEHLO_RSQRT", "STABLEHLO_SELECT", "STABLEHLO_SUBTRACT", "STABLEHLO_TANH",  # 185
    "STABLEHLO_SCATTER", "STABLEHLO_COMPARE", "STABLEHLO_CONVERT",  # 190
    "STABLEHLO_DYNAMIC_SLICE", "STABLEHLO_DYNAMIC_UPDATE_SLICE",  # 193
    "STABLEHLO_PAD", "STABLEHLO_IOTA", "STABLEHLO_DOT_GENERAL", "STABLEHLO_REDUCE_WINDOW", "STABLEHLO_SORT",  # 195
    "STABLEHLO_WHILE", "STABLEHLO_GATHER", "STABLEHLO_TRANSPOSE", "DILATE", "STABLEHLO_RNG_BIT_GENERATOR",  # 200
    "REDUCE_WINDOW", "STABLEHLO_COMPOSITE", "STABLEHLO_SHIFT_LEFT", "STABLEHLO_CBRT", "STABLEHLO_CASE",  # 205
)
# fmt: on

CUSTOM = 32

#: Op versions a kernel can declare: TFLite's registration loops ``for (int version = min_version;
#: version <= max_version; ++version)`` (mutable_op_resolver.cc), one resolver entry per version, so
#: 2147483647 never ends on the device. The newest kernels declare at most 14 (register.cc); the rule
#: for a model's operator codes and an ops.json alike is 1 to this.
MAX_OP_VERSION = 255


def version_problem(version: int) -> "str | None":
    """Why ``version`` cannot be an op version a runtime registers (``None`` when it can)."""
    if version < 1:
        return f"version {version} (versions start at 1; no runtime registers or loads version {version})"
    if version > MAX_OP_VERSION:
        return (f"version {version} (no TFLite kernel declares versions above {MAX_OP_VERSION}; "
                "registering it would make the runtime loop on every version up to it)")
    return None
#: Written into the byte-wide deprecated field when the code does not fit.
PLACEHOLDER_FOR_GREATER_OP_CODES = 127

#: Custom codes of Select TF ops start with this (TensorFlow's kFlexCustomCodePrefix).
FLEX_PREFIX = "Flex"

#: Custom ops whose kernels ship inside TensorFlow Lite (``tensorflow/lite/kernels/register.cc``):
#: every other custom op needs the app's own kernel.
TFLITE_PROVIDED_CUSTOM_OPS = frozenset(
    {"AudioSpectrogram", "Mfcc", "NumericVerify", "TFLite_Detection_PostProcess"}
)

_LOWER_UPPER = re.compile(r"([a-z])([A-Z])")


def normalize_custom_op_name(name: str) -> str:
    """``Register_<this>`` is the function the generated code calls for custom op ``name``."""
    return _LOWER_UPPER.sub(r"\1_\2", name).upper()


def registration_function(name: str) -> str:
    """The C++ function name the selective build expects a custom op's sources to define."""
    return "Register_" + normalize_custom_op_name(name)


_CPP_IDENTIFIER_TAIL = re.compile(r"[A-Za-z0-9_]+\Z")


def can_be_registered(name: str) -> bool:
    """Whether ``Register_<NAME>`` for custom op ``name`` is a C++ identifier (and ``"name"`` a plain literal).

    Only ASCII letters, digits and ``_`` survive both the function name and the
    ``AddCustom("<name>", ...)`` literal unescaped.
    """
    return name.isascii() and bool(_CPP_IDENTIFIER_TAIL.match(name))


# Field slots (index in the table's vtable; a union field takes two slots:
# its type, then its value). Order as declared in schema.fbs.
MODEL_OPERATOR_CODES = 1
MODEL_SUBGRAPHS = 2

OPCODE_DEPRECATED_BUILTIN_CODE = 0  # byte, default 0
OPCODE_CUSTOM_CODE = 1  # string
OPCODE_VERSION = 2  # int, default 1
OPCODE_BUILTIN_CODE = 3  # int (BuiltinOperator), default 0

SUBGRAPH_OPERATORS = 3

OPERATOR_OPCODE_INDEX = 0  # uint
OPERATOR_CUSTOM_OPTIONS = 5  # [ubyte]
OPERATOR_LARGE_CUSTOM_OPTIONS_OFFSET = 9  # ulong, from file start, valid when > 1
OPERATOR_LARGE_CUSTOM_OPTIONS_SIZE = 10  # ulong

#: ``tensorflow.DataType`` names by value (types.proto); ``_REF`` types are value + 100.
# fmt: off
DATA_TYPE_NAMES: dict[int, str] = {
    0: "DT_INVALID", 1: "DT_FLOAT", 2: "DT_DOUBLE", 3: "DT_INT32", 4: "DT_UINT8",
    5: "DT_INT16", 6: "DT_INT8", 7: "DT_STRING", 8: "DT_COMPLEX64", 9: "DT_INT64",
    10: "DT_BOOL", 11: "DT_QINT8", 12: "DT_QUINT8", 13: "DT_QINT32", 14: "DT_BFLOAT16",
    15: "DT_QINT16", 16: "DT_QUINT16", 17: "DT_UINT16", 18: "DT_COMPLEX128", 19: "DT_HALF",
    20: "DT_RESOURCE", 21: "DT_VARIANT", 22: "DT_UINT32", 23: "DT_UINT64",
    24: "DT_FLOAT8_E5M2", 25: "DT_FLOAT8_E4M3FN", 26: "DT_FLOAT8_E4M3FNUZ",
    27: "DT_FLOAT8_E4M3B11FNUZ", 28: "DT_FLOAT8_E5M2FNUZ", 29: "DT_INT4", 30: "DT_UINT4",
    31: "DT_INT2", 32: "DT_UINT2",
}
# fmt: on


def builtin_name(code: int) -> str:
    """The op name for a builtin code; ``BUILTIN_<n>`` for codes newer than our table."""
    if 0 <= code < len(BUILTIN_OPERATOR_NAMES):
        return BUILTIN_OPERATOR_NAMES[code]
    return f"BUILTIN_{code}"


def data_type_name(value: int) -> str:
    """``DT_FLOAT`` for 1, ``DT_FLOAT_REF`` for 101, ``DT_<n>`` when unknown."""
    if value in DATA_TYPE_NAMES:
        return DATA_TYPE_NAMES[value]
    if value - 100 in DATA_TYPE_NAMES and value > 100:
        return DATA_TYPE_NAMES[value - 100] + "_REF"
    return f"DT_{value}"
