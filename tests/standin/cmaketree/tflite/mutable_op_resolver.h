// Stand-in for LiteRT tflite/mutable_op_resolver.h: AddBuiltin/AddCustom/FindOp with version ranges.
#ifndef STANDIN_TFLITE_MUTABLE_OP_RESOLVER_H_
#define STANDIN_TFLITE_MUTABLE_OP_RESOLVER_H_
#include <map>
#include <string>
#include <utility>
#include "tflite/c/common.h"
#include "tflite/schema/schema_generated.h"
namespace tflite {
class MutableOpResolver {
 public:
  void AddBuiltin(BuiltinOperator op, const TfLiteRegistration* registration, int min_version = 1,
                  int max_version = 1);
  void AddCustom(const char* name, const TfLiteRegistration* registration, int min_version = 1,
                 int max_version = 1);
  const TfLiteRegistration* FindOp(BuiltinOperator op, int version) const;
  const TfLiteRegistration* FindOp(const char* op, int version) const;

 private:
  std::map<std::pair<int, int>, const TfLiteRegistration*> builtins_;
  std::map<std::pair<std::string, int>, const TfLiteRegistration*> custom_ops_;
};
}  // namespace tflite
#endif
