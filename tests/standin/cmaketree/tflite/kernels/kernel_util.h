// Stand-in for LiteRT tflite/kernels/kernel_util.h: helpers the kernels share.
#ifndef STANDIN_TFLITE_KERNELS_KERNEL_UTIL_H_
#define STANDIN_TFLITE_KERNELS_KERNEL_UTIL_H_
namespace tflite {
namespace ops {
namespace builtin {
float ClampBelow(float value, float low);
// Code only some kernels call, in a file of its own: MUL and SUB (as LiteRT's convolution, fully
// connected and matmul kernels all call the GEMM code of cpu_backend_gemm.h, ruy and gemmlowp); the
// linker keeps it, with its 4 KB table, once for both. The size estimator's tests need that effect.
unsigned MarkerHash(const char* marker);
}  // namespace builtin
}  // namespace ops
}  // namespace tflite
#endif
