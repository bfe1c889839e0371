// Stand-in for the part of LiteRT's interpreter builder that resolves a model's operator codes.
#ifndef STANDIN_TFLITE_CORE_INTERPRETER_H_
#define STANDIN_TFLITE_CORE_INTERPRETER_H_
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>
#include "tflite/mutable_op_resolver.h"
namespace tflite {
struct StandinInterpreter {
  std::vector<const TfLiteRegistration*> ops;
};
// Empty on success; otherwise the text LiteRT reports (core/api/op_resolver.cc, core/subgraph.cc).
std::string BuildInterpreter(const uint8_t* data, size_t size, const MutableOpResolver& resolver,
                             StandinInterpreter* out);
float Run(const StandinInterpreter& interpreter, float input);
}  // namespace tflite
#endif
