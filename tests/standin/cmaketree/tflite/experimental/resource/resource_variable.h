// Stand-in for LiteRT tflite/experimental/resource/resource_variable.h: part of tensorflow-lite, which the
// XNNPACK delegate calls back into (v1.4.1's xnnpack_delegate.cc uses GetResourceVariable) while no kernel of a
// small op set does.
#ifndef STANDIN_TFLITE_EXPERIMENTAL_RESOURCE_RESOURCE_VARIABLE_H_
#define STANDIN_TFLITE_EXPERIMENTAL_RESOURCE_RESOURCE_VARIABLE_H_
namespace tflite {
namespace resource {
int GetResourceVariable(int id);
}  // namespace resource
}  // namespace tflite
#endif
