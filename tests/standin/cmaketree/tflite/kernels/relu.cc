// Stand-in kernels RELU and RELU6 (see ../../README.md): two ops in one file, as LiteRT's
// tflite/kernels/activations.cc defines RELU, RELU6, TANH ...; the shared helper comes from
// kernel_util.cc, a file without a Register_ function (as tflite/kernels/kernel_util.cc).
// The file's own shared part (ActivationHash and its 2 KB table) is kept once for both ops, as
// activations.cc's common code is. The marker strings show whether the linker kept them.
#include "tflite/kernels/builtin_op_kernels.h"
#include "tflite/kernels/kernel_util.h"
namespace tflite {
namespace ops {
namespace builtin {
namespace {
struct ActivationTable {
  unsigned short v[1024];
  constexpr ActivationTable() : v() {
    for (unsigned i = 0; i < 1024; ++i) v[i] = static_cast<unsigned short>((i * 40503u) ^ (i >> 3));
  }
};
constexpr ActivationTable kActivationTable;
__attribute__((noinline)) unsigned ActivationHash(const char* marker) {
  unsigned h = 7;
  for (; *marker; ++marker) h = kActivationTable.v[(h + static_cast<unsigned char>(*marker)) & 1023] ^ (h << 3);
  return h;
}
}  // namespace
static float Eval(float a, float b) { return ClampBelow(a, 0); }
static float Eval6(float a, float b) { return ClampBelow(a, 0) > 6 ? 6 : ClampBelow(a, 0); }
volatile unsigned relu_activation_hash;
TfLiteRegistration* Register_RELU() {
  static TfLiteRegistration r = {"tflite-slim-standin-kernel:RELU", Eval};
  relu_activation_hash = ActivationHash(r.marker);
  return &r;
}
TfLiteRegistration* Register_RELU6() {
  static TfLiteRegistration r = {"tflite-slim-standin-kernel:RELU6", Eval6};
  relu_activation_hash = ActivationHash(r.marker);
  return &r;
}
}  // namespace builtin
}  // namespace ops
}  // namespace tflite
