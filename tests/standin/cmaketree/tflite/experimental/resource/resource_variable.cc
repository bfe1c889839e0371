// Stand-in for LiteRT tflite/experimental/resource/resource_variable.cc (see the header).
#include "tflite/experimental/resource/resource_variable.h"
namespace tflite {
namespace resource {
int GetResourceVariable(int id) { return id; }
}  // namespace resource
}  // namespace tflite
