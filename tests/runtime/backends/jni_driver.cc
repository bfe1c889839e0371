// Runs a model through a tflite-slim JNI library without a JVM (for a cross-built library under qemu-user,
// where no JVM of the target machine is at hand): dlopen()s the library and calls the stand-in glue's
// natives (org.tensorflow.lite.NativeInterpreterWrapper) with a JNIEnv whose function table has exactly the
// functions the glue calls (GetArrayLength, GetByteArrayRegion, FindClass, ThrowNew); any other call would
// jump through a null pointer and crash the run, which the test would see.
//
//   jni_driver LIBRARY MODEL INPUT   prints "ok <output>" or "thrown <class>: <message>"
#include <jni.h>
#include <dlfcn.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {
struct ByteArray { std::vector<char> bytes; };
std::string thrown;

jsize GetArrayLength(JNIEnv*, jarray array) { return static_cast<jsize>(reinterpret_cast<ByteArray*>(array)->bytes.size()); }
void GetByteArrayRegion(JNIEnv*, jbyteArray array, jsize start, jsize len, jbyte* buf) {
  std::memcpy(buf, reinterpret_cast<ByteArray*>(array)->bytes.data() + start, static_cast<size_t>(len));
}
jclass FindClass(JNIEnv*, const char* name) { return reinterpret_cast<jclass>(const_cast<char*>(name)); }
jint ThrowNew(JNIEnv*, jclass clazz, const char* message) {
  thrown = std::string(reinterpret_cast<const char*>(clazz)) + ": " + message;
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) { std::fprintf(stderr, "usage: %s LIBRARY MODEL INPUT\n", argv[0]); return 2; }
  void* lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) { std::fprintf(stderr, "dlopen: %s\n", dlerror()); return 2; }
  using Create = jlong (*)(JNIEnv*, jclass, jbyteArray);
  using Run = jfloat (*)(JNIEnv*, jclass, jlong, jfloat);
  using Delete = void (*)(JNIEnv*, jclass, jlong);
  auto create = reinterpret_cast<Create>(dlsym(lib, "Java_org_tensorflow_lite_NativeInterpreterWrapper_createInterpreter"));
  auto run = reinterpret_cast<Run>(dlsym(lib, "Java_org_tensorflow_lite_NativeInterpreterWrapper_run"));
  auto destroy = reinterpret_cast<Delete>(dlsym(lib, "Java_org_tensorflow_lite_NativeInterpreterWrapper_delete"));
  if (!create || !run || !destroy) { std::fprintf(stderr, "dlsym: %s\n", dlerror()); return 2; }

  JNINativeInterface_ functions;
  std::memset(&functions, 0, sizeof functions);
  functions.GetArrayLength = GetArrayLength;
  functions.GetByteArrayRegion = GetByteArrayRegion;
  functions.FindClass = FindClass;
  functions.ThrowNew = ThrowNew;
  JNIEnv env;
  env.functions = &functions;

  std::ifstream in(argv[2], std::ios::binary);
  ByteArray model{std::vector<char>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>())};
  jlong handle = create(&env, nullptr, reinterpret_cast<jbyteArray>(&model));
  if (!thrown.empty()) { std::printf("thrown %s\n", thrown.c_str()); return 0; }
  std::printf("ok %g\n", static_cast<double>(run(&env, nullptr, handle, static_cast<jfloat>(std::atof(argv[3])))));
  destroy(&env, nullptr, handle);
  return 0;
}
