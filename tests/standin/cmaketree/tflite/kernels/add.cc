// Stand-in kernel ADD (see ../../README.md); the marker string shows whether the linker kept it.
#include "tflite/kernels/builtin_op_kernels.h"
// From the fetched dependencies (the tests' archives): compiling needs both in place.
#include "standin_eigen.h"
#include "standin_fft2d.h"
static_assert(STANDIN_EIGEN + STANDIN_FFT2D == 3, "the stand-in dependencies' headers");
namespace tflite {
namespace ops {
namespace builtin {
static float Eval(float a, float b) { return a + b; }
TfLiteRegistration* Register_ADD() {
  static TfLiteRegistration r = {"tflite-slim-standin-kernel:ADD", Eval};
  return &r;
}
}  // namespace builtin
}  // namespace ops
}  // namespace tflite
