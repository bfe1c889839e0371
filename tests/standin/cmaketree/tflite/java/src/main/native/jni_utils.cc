// Stand-in for LiteRT tflite/java/src/main/native/jni_utils.cc (the second jni_utils.cc).
#include "tflite/java/src/main/native/jni_utils.h"
#include <stdarg.h>
#include <stdio.h>
namespace tflite {
namespace jni {
void ThrowException(JNIEnv* env, const char* clazz, const char* fmt, ...) {
  char message[1024];
  va_list args;
  va_start(args, fmt);
  vsnprintf(message, sizeof message, fmt, args);
  va_end(args);
  env->ThrowNew(env->FindClass(clazz), message);
}
}  // namespace jni
}  // namespace tflite
