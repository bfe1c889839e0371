// Stand-in kernel SUB (see ../../README.md); the marker string shows whether the linker kept it.
#include "tflite/kernels/builtin_op_kernels.h"
namespace tflite {
namespace ops {
namespace builtin {
static float Eval(float a, float b) { return a - b; }
TfLiteRegistration* Register_SUB() {
  static TfLiteRegistration r = {"tflite-slim-standin-kernel:SUB", Eval};
  return &r;
}
}  // namespace builtin
}  // namespace ops
}  // namespace tflite
