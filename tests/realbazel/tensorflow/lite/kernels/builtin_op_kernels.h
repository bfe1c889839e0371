/* The builtin kernels this test workspace "has": the ops the real-Bazel test models use.
   Same shape as TensorFlow's tensorflow/lite/kernels/builtin_op_kernels.h. */
#ifndef TENSORFLOW_LITE_KERNELS_BUILTIN_OP_KERNELS_H_
#define TENSORFLOW_LITE_KERNELS_BUILTIN_OP_KERNELS_H_

#include "tensorflow/lite/core/c/common.h"

namespace tflite {
namespace ops {
namespace builtin {

TfLiteRegistration* Register_ADD();
TfLiteRegistration* Register_CONV_2D();

}  // namespace builtin
}  // namespace ops
}  // namespace tflite

#endif  // TENSORFLOW_LITE_KERNELS_BUILTIN_OP_KERNELS_H_
