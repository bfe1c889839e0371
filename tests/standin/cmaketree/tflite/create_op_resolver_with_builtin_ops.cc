// Stand-in for LiteRT tflite/create_op_resolver_with_builtin_ops.cc: every kernel, part of the library.
#include "tflite/core/create_op_resolver.h"
#include "tflite/kernels/builtin_op_kernels.h"
namespace tflite {
std::unique_ptr<MutableOpResolver> CreateOpResolver() {
  auto resolver = std::make_unique<MutableOpResolver>();
  resolver->AddBuiltin(BuiltinOperator_ADD, ops::builtin::Register_ADD(), 1, 2);
  resolver->AddBuiltin(BuiltinOperator_EMBEDDING_LOOKUP, ops::builtin::Register_EMBEDDING_LOOKUP(), 1, 4);
  resolver->AddBuiltin(BuiltinOperator_MUL, ops::builtin::Register_MUL());
  resolver->AddBuiltin(BuiltinOperator_RELU, ops::builtin::Register_RELU());
  resolver->AddBuiltin(BuiltinOperator_RELU6, ops::builtin::Register_RELU6());
  resolver->AddBuiltin(BuiltinOperator_SUB, ops::builtin::Register_SUB(), 1, 3);
  return resolver;
}
}  // namespace tflite
