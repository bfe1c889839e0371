// Stand-in for LiteRT tflite/java/src/main/native/jni_utils.h.
#ifndef STANDIN_TFLITE_JAVA_JNI_UTILS_H_
#define STANDIN_TFLITE_JAVA_JNI_UTILS_H_
#include <jni.h>
#include "tflite/c/jni/jni_utils.h"
namespace tflite {
namespace jni {
void ThrowException(JNIEnv* env, const char* clazz, const char* fmt, ...);
}  // namespace jni
}  // namespace tflite
#endif
