// Stand-in for LiteRT tflite/create_op_resolver_with_selected_ops.cc: same shape, not in the library.
#include <memory>
#include "tflite/core/create_op_resolver.h"
#include "tflite/mutable_op_resolver.h"
extern void RegisterSelectedOps(::tflite::MutableOpResolver* resolver);
namespace tflite {
std::unique_ptr<MutableOpResolver> CreateOpResolver() {
  std::unique_ptr<MutableOpResolver> resolver = std::make_unique<MutableOpResolver>();
  RegisterSelectedOps(resolver.get());
  return resolver;
}
}  // namespace tflite
