// Stand-in for LiteRT tflite/op_resolver.h (the generated registration includes it).
#include "tflite/mutable_op_resolver.h"
