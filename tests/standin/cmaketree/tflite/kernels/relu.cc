// Stand-in kernels RELU and RELU6 (see ../../README.md): two ops in one file, as LiteRT's
// tflite/kernels/activations.cc defines RELU, RELU6, TANH ...; the shared helper comes from
// kernel_util.cc, a file without a Register_ function (as tflite/kernels/kernel_util.cc).
// The marker strings show whether the linker kept them.
#include "tflite/kernels/builtin_op_kernels.h"
#include "tflite/kernels/kernel_util.h"
namespace tflite {
namespace ops {
namespace builtin {
static float Eval(float a, float b) { return ClampBelow(a, 0); }
static float Eval6(float a, float b) { return ClampBelow(a, 0) > 6 ? 6 : ClampBelow(a, 0); }
TfLiteRegistration* Register_RELU() {
  static TfLiteRegistration r = {"tflite-slim-standin-kernel:RELU", Eval};
  return &r;
}
TfLiteRegistration* Register_RELU6() {
  static TfLiteRegistration r = {"tflite-slim-standin-kernel:RELU6", Eval6};
  return &r;
}
}  // namespace builtin
}  // namespace ops
}  // namespace tflite
