// Stand-in for LiteRT tflite/kernels/builtin_op_kernels.h.
#ifndef STANDIN_TFLITE_KERNELS_BUILTIN_OP_KERNELS_H_
#define STANDIN_TFLITE_KERNELS_BUILTIN_OP_KERNELS_H_
#include "tflite/c/common.h"
namespace tflite {
namespace ops {
namespace builtin {
TfLiteRegistration* Register_ADD();
TfLiteRegistration* Register_EMBEDDING_LOOKUP();
TfLiteRegistration* Register_MUL();
TfLiteRegistration* Register_RELU();
TfLiteRegistration* Register_RELU6();
TfLiteRegistration* Register_SUB();
}  // namespace builtin
}  // namespace ops
}  // namespace tflite
#endif
