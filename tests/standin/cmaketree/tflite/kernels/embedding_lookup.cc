// Stand-in kernel EMBEDDING_LOOKUP (see ../../README.md). As LiteRT v1.4.1's kernels/embedding_lookup.cc, it
// includes FP16's header on every platform, while the tree's CMakeLists.txt puts FP16 on the include path only
// for NNAPI (Android), XNNPACK or the GPU delegate.
#include "tflite/kernels/builtin_op_kernels.h"
#include "fp16/fp16.h"
#ifndef STANDIN_FP16
#error "not the stand-in FP16 header"
#endif
namespace tflite {
namespace ops {
namespace builtin {
static float Eval(float a, float b) { return a + b * 0; }
TfLiteRegistration* Register_EMBEDDING_LOOKUP() {
  static TfLiteRegistration r = {"tflite-slim-standin-kernel:EMBEDDING_LOOKUP", Eval};
  return &r;
}
}  // namespace builtin
}  // namespace ops
}  // namespace tflite
