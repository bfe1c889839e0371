// Stand-in for LiteRT tflite/schema/schema_generated.h: the builtin operators the stand-in knows, real numbers.
#ifndef STANDIN_TFLITE_SCHEMA_H_
#define STANDIN_TFLITE_SCHEMA_H_
#include <cstdint>
namespace tflite {
enum BuiltinOperator : int32_t {
  BuiltinOperator_ADD = 0,
  BuiltinOperator_EMBEDDING_LOOKUP = 7,
  BuiltinOperator_MUL = 18,
  BuiltinOperator_RELU = 19,
  BuiltinOperator_RELU6 = 21,
  BuiltinOperator_CUSTOM = 32,
  BuiltinOperator_TRANSPOSE = 39,
  BuiltinOperator_SUB = 41,
};
const char* EnumNameBuiltinOperator(BuiltinOperator op);
}  // namespace tflite
#endif
