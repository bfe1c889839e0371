// Stand-in for LiteRT tflite/c/jni/jni_utils.cc (same file name as java/src/main/native/jni_utils.cc).
#include "tflite/c/jni/jni_utils.h"
namespace tflite {
namespace jni {
const char kIllegalArgumentException[] = "java/lang/IllegalArgumentException";
}  // namespace jni
}  // namespace tflite
