// Stand-in for LiteRT tflite/kernels/kernel_util.h: helpers the kernels share.
#ifndef STANDIN_TFLITE_KERNELS_KERNEL_UTIL_H_
#define STANDIN_TFLITE_KERNELS_KERNEL_UTIL_H_
namespace tflite {
namespace ops {
namespace builtin {
float ClampBelow(float value, float low);
}  // namespace builtin
}  // namespace ops
}  // namespace tflite
#endif
