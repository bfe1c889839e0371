// Stand-in for LiteRT tflite/java/src/main/native/nativeinterpreterwrapper_jni.cc: builds the interpreter
// with CreateOpResolver() and throws what the real one throws when that fails; applies the XNNPACK delegate
// by default, found as op_resolver_lazy_delegate_proxy.cc (v1.4.1) finds it: dlsym(RTLD_DEFAULT, ...).
#include <dlfcn.h>
#include <jni.h>
#include <cstdint>
#include <vector>
#include "tflite/core/create_op_resolver.h"
#include "tflite/core/interpreter.h"
#include "tflite/delegates/xnnpack/xnnpack_delegate.h"
#include "tflite/java/src/main/native/jni_utils.h"
namespace {
void ApplyXNNPackByDefault() {
  auto defaults = reinterpret_cast<decltype(TfLiteXNNPackDelegateOptionsDefault)*>(
      dlsym(RTLD_DEFAULT, "TfLiteXNNPackDelegateOptionsDefault"));
  auto create = reinterpret_cast<decltype(TfLiteXNNPackDelegateCreate)*>(
      dlsym(RTLD_DEFAULT, "TfLiteXNNPackDelegateCreate"));
  auto destroy = reinterpret_cast<decltype(TfLiteXNNPackDelegateDelete)*>(
      dlsym(RTLD_DEFAULT, "TfLiteXNNPackDelegateDelete"));
  if (defaults && create && destroy) {
    TfLiteXNNPackDelegateOptions options = defaults();
    destroy(create(&options));  // the stand-in delegates no op: created, logged, deleted
  }
}
}  // namespace
extern "C" {
JNIEXPORT jlong JNICALL Java_org_tensorflow_lite_NativeInterpreterWrapper_createInterpreter(JNIEnv* env, jclass,
                                                                                        jbyteArray model) {
  jsize n = env->GetArrayLength(model);
  std::vector<uint8_t> buffer(static_cast<size_t>(n));
  env->GetByteArrayRegion(model, 0, n, reinterpret_cast<jbyte*>(buffer.data()));
  std::unique_ptr<tflite::MutableOpResolver> resolver = tflite::CreateOpResolver();
  auto* interpreter = new tflite::StandinInterpreter();
  std::string error = tflite::BuildInterpreter(buffer.data(), buffer.size(), *resolver, interpreter);
  if (!error.empty()) {
    delete interpreter;
    tflite::jni::ThrowException(env, tflite::jni::kIllegalArgumentException,
                                "Internal error: Cannot create interpreter: %s", error.c_str());
    return 0;
  }
  ApplyXNNPackByDefault();
  return reinterpret_cast<jlong>(interpreter);
}
JNIEXPORT jfloat JNICALL Java_org_tensorflow_lite_NativeInterpreterWrapper_run(JNIEnv*, jclass, jlong handle,
                                                                            jfloat input) {
  return tflite::Run(*reinterpret_cast<tflite::StandinInterpreter*>(handle), input);
}
JNIEXPORT void JNICALL Java_org_tensorflow_lite_NativeInterpreterWrapper_delete(JNIEnv*, jclass, jlong handle) {
  delete reinterpret_cast<tflite::StandinInterpreter*>(handle);
}
}  // extern "C"
