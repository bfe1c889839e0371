// Stand-in kernel RELU (see ../../README.md); the marker string shows whether the linker kept it.
#include "tflite/kernels/builtin_op_kernels.h"
namespace tflite {
namespace ops {
namespace builtin {
static float Eval(float a, float b) { return a > 0 ? a : 0; }
TfLiteRegistration* Register_RELU() {
  static TfLiteRegistration r = {"tflite-slim-standin-kernel:RELU", Eval};
  return &r;
}
}  // namespace builtin
}  // namespace ops
}  // namespace tflite
