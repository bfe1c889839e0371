// Stand-in for LiteRT tflite/mutable_op_resolver.cc: every version in [min, max] maps to the registration.
#include "tflite/mutable_op_resolver.h"
namespace tflite {
void MutableOpResolver::AddBuiltin(BuiltinOperator op, const TfLiteRegistration* registration, int min_version,
                                   int max_version) {
  for (int v = min_version; v <= max_version; ++v) builtins_[{op, v}] = registration;
}
void MutableOpResolver::AddCustom(const char* name, const TfLiteRegistration* registration, int min_version,
                                  int max_version) {
  for (int v = min_version; v <= max_version; ++v) custom_ops_[{name, v}] = registration;
}
const TfLiteRegistration* MutableOpResolver::FindOp(BuiltinOperator op, int version) const {
  auto it = builtins_.find({op, version});
  return it == builtins_.end() ? nullptr : it->second;
}
const TfLiteRegistration* MutableOpResolver::FindOp(const char* op, int version) const {
  auto it = custom_ops_.find({op, version});
  return it == custom_ops_.end() ? nullptr : it->second;
}
}  // namespace tflite
