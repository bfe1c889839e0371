/* Runs a model through LiteRT 2.x's CompiledModel C API in a libLiteRt.so given at run time (dlopen), and
 * writes each output's bytes to OUT_DIR/out<i>.bin. Our own test helper, no LiteRT header included: the
 * declarations below restate litert/c/litert_{environment,model,options,compiled_model,tensor_buffer}.h
 * at v2.2.0 (every handle an opaque pointer, LiteRtStatus an int, 0 = kLiteRtStatusOk).
 *
 *   compiled_model_runner LIB MODEL OUT_DIR
 *
 * Inputs are filled deterministically from their element type (litert_model_types.h's LiteRtElementType):
 * float32 with i % 255 / 127.5 - 1, int32/int64 with i % 4, anything else byte by byte with i * 31 + 7.
 * Exit 0 when the model ran; otherwise a line on stderr naming the call that failed and its status.
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int Status;
typedef void* Handle;
enum { kFloat32 = 1, kInt32 = 2, kInt64 = 4 };        /* LiteRtElementType */
enum { kHwCpu = 1 };                                 /* LiteRtHwAccelerator */
enum { kLockRead = 0, kLockWrite = 1 };              /* LiteRtTensorBufferLockMode */
/* LiteRtRankedTensorType: element_type first, then LiteRtLayout; storage only, never read past the type. */
typedef struct { int32_t element_type; unsigned char layout[512]; } RankedType;

#define FN(name, ...) typedef Status (*name##_t)(__VA_ARGS__); static name##_t name
FN(LiteRtCreateEnvironment, int, const void*, Handle*);
FN(LiteRtCreateModelFromFile, Handle, const char*, Handle*);
FN(LiteRtCreateOptions, Handle*);
FN(LiteRtSetOptionsHardwareAccelerators, Handle, int);
FN(LiteRtCreateCompiledModel, Handle, Handle, Handle, Handle*);
FN(LiteRtGetModelSignature, Handle, size_t, Handle*);
FN(LiteRtGetNumSignatureInputs, Handle, size_t*);
FN(LiteRtGetNumSignatureOutputs, Handle, size_t*);
FN(LiteRtGetSignatureInputTensorByIndex, Handle, size_t, Handle*);
FN(LiteRtGetSignatureOutputTensorByIndex, Handle, size_t, Handle*);
FN(LiteRtGetRankedTensorType, Handle, RankedType*);
FN(LiteRtGetCompiledModelInputBufferRequirements, Handle, size_t, size_t, Handle*);
FN(LiteRtGetCompiledModelOutputBufferRequirements, Handle, size_t, size_t, Handle*);
FN(LiteRtCreateManagedTensorBufferFromRequirements, Handle, const RankedType*, Handle, Handle*);
FN(LiteRtGetTensorBufferPackedSize, Handle, size_t*);
FN(LiteRtLockTensorBuffer, Handle, void**, int);
FN(LiteRtUnlockTensorBuffer, Handle);
FN(LiteRtRunCompiledModel, Handle, size_t, size_t, Handle*, size_t, Handle*);

#define MAX_TENSORS 64
#define CHECK(call)                                                       \
  do {                                                                    \
    Status s_ = (call);                                                   \
    if (s_ != 0) {                                                        \
      fprintf(stderr, "%s: status %d\n", #call, s_);                      \
      return 1;                                                           \
    }                                                                     \
  } while (0)
#define LOAD(lib, name)                                                   \
  do {                                                                    \
    name = (name##_t)dlsym(lib, #name);                                   \
    if (!name) {                                                          \
      fprintf(stderr, "dlsym %s: %s\n", #name, dlerror());                \
      return 1;                                                           \
    }                                                                     \
  } while (0)

static void fill(unsigned char* data, size_t size, int element_type) {
  if (element_type == kFloat32) {
    for (size_t i = 0; i < size / 4; ++i) {
      float v = (float)(i % 255) / 127.5f - 1.0f;
      memcpy(data + 4 * i, &v, 4);
    }
  } else if (element_type == kInt32 || element_type == kInt64) {
    size_t width = element_type == kInt32 ? 4 : 8;
    memset(data, 0, size);
    for (size_t i = 0; i < size / width; ++i) data[width * i] = (unsigned char)(i % 4);
  } else {
    for (size_t i = 0; i < size; ++i) data[i] = (unsigned char)(i * 31 + 7);
  }
}

static int load_all(void* lib) {
  LOAD(lib, LiteRtCreateEnvironment);
  LOAD(lib, LiteRtCreateModelFromFile);
  LOAD(lib, LiteRtCreateOptions);
  LOAD(lib, LiteRtSetOptionsHardwareAccelerators);
  LOAD(lib, LiteRtCreateCompiledModel);
  LOAD(lib, LiteRtGetModelSignature);
  LOAD(lib, LiteRtGetNumSignatureInputs);
  LOAD(lib, LiteRtGetNumSignatureOutputs);
  LOAD(lib, LiteRtGetSignatureInputTensorByIndex);
  LOAD(lib, LiteRtGetSignatureOutputTensorByIndex);
  LOAD(lib, LiteRtGetRankedTensorType);
  LOAD(lib, LiteRtGetCompiledModelInputBufferRequirements);
  LOAD(lib, LiteRtGetCompiledModelOutputBufferRequirements);
  LOAD(lib, LiteRtCreateManagedTensorBufferFromRequirements);
  LOAD(lib, LiteRtGetTensorBufferPackedSize);
  LOAD(lib, LiteRtLockTensorBuffer);
  LOAD(lib, LiteRtUnlockTensorBuffer);
  LOAD(lib, LiteRtRunCompiledModel);
  return 0;
}

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s LIB MODEL OUT_DIR\n", argv[0]);
    return 2;
  }
  void* lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    fprintf(stderr, "dlopen: %s\n", dlerror());
    return 1;
  }
  if (load_all(lib)) return 1;
  Handle env, model, options, compiled, signature;
  CHECK(LiteRtCreateEnvironment(0, NULL, &env));
  CHECK(LiteRtCreateModelFromFile(env, argv[2], &model));
  CHECK(LiteRtCreateOptions(&options));
  CHECK(LiteRtSetOptionsHardwareAccelerators(options, kHwCpu));
  CHECK(LiteRtCreateCompiledModel(env, model, options, &compiled));
  CHECK(LiteRtGetModelSignature(model, 0, &signature));
  size_t n_in, n_out;
  CHECK(LiteRtGetNumSignatureInputs(signature, &n_in));
  CHECK(LiteRtGetNumSignatureOutputs(signature, &n_out));
  if (n_in > MAX_TENSORS || n_out > MAX_TENSORS) {
    fprintf(stderr, "more than %d inputs or outputs\n", MAX_TENSORS);
    return 1;
  }
  Handle inputs[MAX_TENSORS], outputs[MAX_TENSORS];
  for (size_t i = 0; i < n_in + n_out; ++i) {
    int is_input = i < n_in;
    size_t k = is_input ? i : i - n_in;
    Handle tensor, requirements, buffer;
    RankedType type;
    memset(&type, 0, sizeof type);
    if (is_input) {
      CHECK(LiteRtGetSignatureInputTensorByIndex(signature, k, &tensor));
      CHECK(LiteRtGetCompiledModelInputBufferRequirements(compiled, 0, k, &requirements));
    } else {
      CHECK(LiteRtGetSignatureOutputTensorByIndex(signature, k, &tensor));
      CHECK(LiteRtGetCompiledModelOutputBufferRequirements(compiled, 0, k, &requirements));
    }
    CHECK(LiteRtGetRankedTensorType(tensor, &type));
    CHECK(LiteRtCreateManagedTensorBufferFromRequirements(env, &type, requirements, &buffer));
    if (is_input) {
      void* data;
      size_t size;
      CHECK(LiteRtGetTensorBufferPackedSize(buffer, &size));
      CHECK(LiteRtLockTensorBuffer(buffer, &data, kLockWrite));
      fill((unsigned char*)data, size, type.element_type);
      CHECK(LiteRtUnlockTensorBuffer(buffer));
      inputs[k] = buffer;
    } else {
      outputs[k] = buffer;
    }
  }
  CHECK(LiteRtRunCompiledModel(compiled, 0, n_in, inputs, n_out, outputs));
  for (size_t k = 0; k < n_out; ++k) {
    void* data;
    size_t size;
    char path[4096];
    CHECK(LiteRtGetTensorBufferPackedSize(outputs[k], &size));
    CHECK(LiteRtLockTensorBuffer(outputs[k], &data, kLockRead));
    snprintf(path, sizeof path, "%s/out%zu.bin", argv[3], k);
    FILE* f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
      fprintf(stderr, "cannot write %s\n", path);
      return 1;
    }
    CHECK(LiteRtUnlockTensorBuffer(outputs[k]));
  }
  printf("ran: %zu inputs, %zu outputs\n", n_in, n_out);
  return 0;
}
