// Stand-in for LiteRT tflite/kernels/kernel_util.cc: shared kernel code, defining no Register_
// function, so every op set compiles it.
#include "tflite/kernels/kernel_util.h"
namespace tflite {
namespace ops {
namespace builtin {
float ClampBelow(float value, float low) { return value > low ? value : low; }
}  // namespace builtin
}  // namespace ops
}  // namespace tflite
