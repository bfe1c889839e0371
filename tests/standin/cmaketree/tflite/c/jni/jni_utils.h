// Stand-in for LiteRT tflite/c/jni/jni_utils.h (the first of the two jni_utils.cc).
#ifndef STANDIN_TFLITE_C_JNI_JNI_UTILS_H_
#define STANDIN_TFLITE_C_JNI_JNI_UTILS_H_
namespace tflite {
namespace jni {
extern const char kIllegalArgumentException[];
}  // namespace jni
}  // namespace tflite
#endif
