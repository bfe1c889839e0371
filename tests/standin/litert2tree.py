"""A LiteRT tree shaped like one of the 2.x release lines (our own text, naming what it mirrors).

On top of :func:`standin.workspace.make_litert_workspace` (HEAD-shaped), :func:`make_litert2_tree` writes the
files that tell the 2.x lines apart, as google-ai-edge/LiteRT has them at the tag named per line:

* ``litert/version.bzl``: ``LITERT_EXPERIMENTAL_VERSION`` as that tag says it (``2.2.0`` at v2.1.6: the
  variable does not name the release);
* ``litert/kotlin/BUILD``: the targets' names (``tflite_jni_binary`` ``litert_jni``/``LiteRt``,
  ``aar_with_jni`` ``litert`` or ``litert-api-aar``/``litert-aar``), and at v2.1.6/v2.2.0 the ``LiteRt``
  target's text as the tag has it (name, linkopts, linkscript, deps), no build logic;
* ``litert/kotlin/litert_api_version_script.lds`` (v2.1.6, v2.2.0),
  ``litert/c/internal/litert_runtime_api_export.h`` (v2.2.0), and
  ``litert/kotlin/src/copied_from_tflite/java/org/tensorflow/lite/TensorFlowLite.java`` (v2.1.0 on) as
  one-line placeholders: only their presence is read;
* ``tflite/core/kernels/register.cc`` and ``tflite/kernels/register_ref.cc``: :data:`REGISTER_CC` and
  :data:`REGISTER_REF_CC`, which mirror the structure of v2.1.6's files (blobs ``2a256225e9`` and
  ``fc965ef849``): the includes and custom forward declarations, the constructor line, ``AddBuiltin`` in its
  three spellings (one line; wrapped with ``/* min_version = */`` comments; ``tflite::ops::builtin::``
  qualified), comment lines between statements, ``AddCustom`` (plain and wrapped), and register.cc's two
  statements besides registrations, byte for byte as LiteRT has them (the facts the rewrite checks), then
  the code after the constructor. A handful of ops instead of 172.
"""

from __future__ import annotations

from pathlib import Path
from typing import Union

from standin.workspace import make_litert_workspace

#: The tag each line's stand-in mirrors, and its LITERT_EXPERIMENTAL_VERSION there.
TAGS = {"2.0.x": ("v2.0.2", "2.0.2"), "2.1.0-2.1.5": ("v2.1.0", "2.1.0"), "2.1.6+": ("v2.1.6", "2.2.0"),
        "2.2.0": ("v2.2.0", "2.2.0")}

REGISTER_CC = """\
/* Stand-in for google-ai-edge/LiteRT tflite/core/kernels/register.cc at v2.1.6 (structure only). */

#include "tflite/core/kernels/register.h"

#include "tflite/core/kernels/builtin_op_kernels.h"
#include "tflite/tflite_with_xnnpack_optional.h"

namespace tflite {
namespace ops {
namespace custom {

TfLiteRegistration* Register_MFCC();
TfLiteRegistration* Register_DETECTION_POSTPROCESS();

}  // namespace custom

namespace builtin {

BuiltinOpResolver::BuiltinOpResolver() {
  AddBuiltin(BuiltinOperator_ABS, Register_ABS(), /* min_version = */ 1,
             /* max_version = */ 5);
  AddBuiltin(BuiltinOperator_ADD, Register_ADD(),
             /* min_version */ 1,
             /* max_version */ 6);
  // A comment that belongs to the statement after it.
  AddBuiltin(BuiltinOperator_CONV_2D, Register_CONV_2D(),
             /* min_version = */ 1,
             /* max_version = */ 8);
  AddBuiltin(BuiltinOperator_IF, tflite::ops::builtin::Register_IF());
  AddBuiltin(BuiltinOperator_CALL_ONCE,
             tflite::ops::builtin::Register_CALL_ONCE());
  AddBuiltin(BuiltinOperator_SOFTMAX, Register_SOFTMAX(),
             /* min_version = */ 1,
             /* max_version = */ 4);
  AddCustom("Mfcc", tflite::ops::custom::Register_MFCC());
  AddCustom("TFLite_Detection_PostProcess",
            tflite::ops::custom::Register_DETECTION_POSTPROCESS());
  // By definition, all of the ops added above are not user-defined ops.
  may_directly_contain_user_defined_ops_ = false;

  // The delegate creators.
  delegate_creators_.push_back([](TfLiteContext* context) {
    return tflite::MaybeCreateXNNPACKDelegate(context,
                                              XNNPackQS8Options::default_value);
  });
}

BuiltinOpResolverWithXNNPACK::BuiltinOpResolverWithXNNPACK(
    bool enable_xnnpack_unsigned_quantized) {
  delegate_creators_.clear();
}

}  // namespace builtin
}  // namespace ops
}  // namespace tflite
"""

REGISTER_REF_CC = """\
/* Stand-in for google-ai-edge/LiteRT tflite/kernels/register_ref.cc at v2.1.6 (structure only). */

#include "tflite/kernels/register_ref.h"

namespace tflite {
namespace ops {
namespace builtin {

TfLiteRegistration* Register_ADD_REF();
TfLiteRegistration* Register_CONVOLUTION_REF();

const TfLiteRegistration* BuiltinRefOpResolver::FindOp(tflite::BuiltinOperator op, int version) const {
  return MutableOpResolver::FindOp(op, version);
}

BuiltinRefOpResolver::BuiltinRefOpResolver() {
  AddBuiltin(BuiltinOperator_ABS, Register_ABS(), /* min_version = */ 1,
             /* max_version = */ 3);
  AddBuiltin(BuiltinOperator_ADD, Register_ADD_REF(),
             /* min_version = */ 1,
             /* max_version = */ 5);
  AddBuiltin(BuiltinOperator_CONV_2D, Register_CONVOLUTION_REF(),
             /* min_version = */ 1,
             /* max_version = */ 8);
  AddBuiltin(BuiltinOperator_CALL_ONCE,
             tflite::ops::builtin::Register_CALL_ONCE());
  // TODO: a comment before a custom op, as LiteRT's.
  AddCustom("Mfcc", tflite::ops::custom::Register_MFCC());
}

}  // namespace builtin
}  // namespace ops
}  // namespace tflite
"""

_KOTLIN_BUILD_ONE = """\
# Stand-in for litert/kotlin/BUILD at {tag}: target names only.
tflite_jni_binary(name = "{lib}")
aar_with_jni(name = "litert")
"""
_KOTLIN_BUILD_TWO = """\
# Stand-in for litert/kotlin/BUILD at {tag}: target names, and the LiteRt target as the tag has it.
tflite_jni_binary(name = "litert_jni")

tflite_jni_binary(
    name = "LiteRt",
    linkopts = tflite_jni_linkopts() + tflite_linkopts_no_undefined() + litert_android_linkopts(),
    linkscript = ":litert_version_script.lds",
    # Set stamp = 0 to avoid including internal info to the binary for the public release.
    stamp = 0,
    deps = [
        "//litert/c:litert_tflite_runtime_c_api_so_shim",  # runtime
        "//tflite/java/src/main/native",  # TFLite JNI
    ],
)

aar_with_jni(name = "litert-api-aar")
aar_with_jni(name = "litert-aar")
"""


def make_litert2_tree(directory: Union[str, Path], line: str) -> Path:
    """A LiteRT checkout shaped like release line ``line`` (a key of :data:`TAGS`) at its tag."""
    tag, experimental = TAGS[line]
    root = make_litert_workspace(directory)
    bzl = root / "litert/version.bzl"
    bzl.write_text(bzl.read_text().replace('LITERT_EXPERIMENTAL_VERSION = "2.3.0"',
                                           f'LITERT_EXPERIMENTAL_VERSION = "{experimental}"'))
    two = line in ("2.1.6+", "2.2.0")
    files = {
        "litert/kotlin/BUILD": (_KOTLIN_BUILD_TWO if two else _KOTLIN_BUILD_ONE).format(
            tag=tag, lib="litert_jni" if line == "2.0.x" else "LiteRt"),
        "tflite/core/kernels/register.cc": REGISTER_CC,
        "tflite/kernels/register_ref.cc": REGISTER_REF_CC,
    }
    placeholder = f"// stand-in ({tag}): only this file's presence is read\n"
    if two:
        files["litert/kotlin/litert_api_version_script.lds"] = placeholder
    if line == "2.2.0":
        files["litert/c/internal/litert_runtime_api_export.h"] = placeholder
    if line != "2.0.x":
        files["litert/kotlin/src/copied_from_tflite/java/org/tensorflow/lite/TensorFlowLite.java"] = placeholder
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root
