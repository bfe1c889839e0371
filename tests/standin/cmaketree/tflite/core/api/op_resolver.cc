// Stand-in for LiteRT tflite/core/api/op_resolver.cc: the operator names its error message uses.
#include "tflite/schema/schema_generated.h"
namespace tflite {
const char* EnumNameBuiltinOperator(BuiltinOperator op) {
  switch (op) {
    case BuiltinOperator_ADD: return "ADD";
    case BuiltinOperator_MUL: return "MUL";
    case BuiltinOperator_RELU: return "RELU";
    case BuiltinOperator_RELU6: return "RELU6";
    case BuiltinOperator_SUB: return "SUB";
    case BuiltinOperator_CUSTOM: return "CUSTOM";
    case BuiltinOperator_TRANSPOSE: return "TRANSPOSE";
  }
  return "";
}
}  // namespace tflite
