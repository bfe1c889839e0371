// Stand-in for LiteRT tflite/core/create_op_resolver.h.
#ifndef STANDIN_TFLITE_CORE_CREATE_OP_RESOLVER_H_
#define STANDIN_TFLITE_CORE_CREATE_OP_RESOLVER_H_
#include <memory>
#include "tflite/mutable_op_resolver.h"
namespace tflite {
std::unique_ptr<MutableOpResolver> CreateOpResolver();
}
#endif
