// Stand-in kernel SUB (see ../../README.md); the marker string shows whether the linker kept it.
// It calls MarkerHash, the code it shares with MUL (kernel_util.h).
#include "tflite/kernels/builtin_op_kernels.h"
#include "tflite/kernels/kernel_util.h"
namespace tflite {
namespace ops {
namespace builtin {
static float Eval(float a, float b) { return a - b; }
TfLiteRegistration* Register_SUB() {
  static TfLiteRegistration r = {"tflite-slim-standin-kernel:SUB", Eval};
  static const unsigned shared = MarkerHash(r.marker);  // the code MUL and SUB share (kernel_util.h)
  (void)shared;
  return &r;
}
}  // namespace builtin
}  // namespace ops
}  // namespace tflite
