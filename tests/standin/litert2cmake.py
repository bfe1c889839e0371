"""A LiteRT 2.x tree with a CMake build of the 2.x runtime's shape (our own small text, naming what it mirrors).

On top of :func:`standin.litert2tree.make_litert2_tree` (the files that tell the lines apart, and
``register.cc``/``register_ref.cc`` shaped as v2.1.6's), :func:`make_litert2_cmake_tree` writes a CMake
project shaped as google-ai-edge/LiteRT's at the line's tag (v2.1.6 or v2.2.0):

* ``litert/CMakeLists.txt`` (``project(LiteRT VERSION 1.4.0 LANGUAGES CXX C)``, C++20, ``TFLITE_SOURCE_DIR``
  defaulting to ``../tflite``, added with ``add_subdirectory(... tflite_build EXCLUDE_FROM_ALL)``, then
  ``add_subdirectory(c)``, ``cc``, ``runtime``, ``vendors``), as ``litert/CMakeLists.txt`` at v2.2.0;
* ``litert/vendors/CMakeLists.txt``: stops the configure where upstream's (v2.1.6, v2.2.0) downloads the NPU
  vendors' SDKs (NeuroPilot headers, the Qualcomm AI Runtime SDK, Samsung LiteCore) and then nlohmann_json,
  googletest and benchmark: the trimmed library must be configured without it; likewise
  ``tensor/examples/segmentation/CMakeLists.txt`` (``tensor/CMakeLists.txt`` adds it), where upstream clones stb;
* ``litert/c/CMakeLists.txt``: ``add_subdirectory(internal)``, whose ``CMakeLists.txt`` hands its sources back
  with ``set(LITERT_C_INTERNAL_SOURCES ... PARENT_SCOPE)`` (as ``litert/c/internal/CMakeLists.txt`` at v2.2.0),
  the static ``litert_c_api`` and the shared ``litert_runtime_c_api_shared_lib`` built from ``empty.cc`` with
  ``OUTPUT_NAME "LiteRt"``, linking ``litert_c_api litert_runtime litert_cc_internal tensorflow-lite
  Threads::Threads`` inside ``-Wl,--whole-archive`` /
  ``-Wl,--no-whole-archive`` with ``-Wl,--no-undefined``, and off Android ``OpenGL::GL`` when
  ``find_package(OpenGL)`` finds it, an imported target of that directory only (``litert/c/CMakeLists.txt`` at
  v2.1.6 and v2.2.0: ``_litert_runtime_c_api_private_archives``, "GPU/GL dependencies by platform"); at v2.2.0
  ``internal/litert_runtime_api_export.cc`` defines the exported table ``kLiteRtRuntimeBuiltin``;
* ``litert/runtime/compiled_model.cc``: CompiledModel's CPU path makes
  ``BuiltinOpResolverWithoutDefaultDelegates``, or ``BuiltinRefOpResolver`` when reference kernels are asked
  (``litert/runtime/compiled_model.cc`` from v2.1.4);
* ``tflite/CMakeLists.txt``: OpenCL's headers where ``opencl_headers.cmake``'s download puts them
  (``${CMAKE_BINARY_DIR}/opencl_headers``, which ``litert/c/CMakeLists.txt`` reads) unless given as a
  directory; ``project(tensorflow-lite C CXX)``, the static ``tensorflow-lite`` from every
  ``kernels/*.cc`` (``register_ref.cc`` among them) and ``core/kernels/*.cc`` (``register.cc``), as
  ``populate_tflite_source_vars`` gathers them, and ``xnnpack-delegate`` with ``TFLITE_ENABLE_XNNPACK`` (ON);
* ``tflite/java/src/main/native/*.cc``: the TFLite JNI (``Java_org_tensorflow_lite_*``) calling
  ``tflite::CreateOpResolver()`` (``create_op_resolver_with_builtin_ops.cc``), built by no CMake file, as
  upstream.

Each kernel holds a marker string (``tflite-slim-standin-kernel:<Register_ function>``), XNNPACK
``tflite-slim-standin:XNNPACK``, so a test can see what a library carries. The C API is a stand-in shape:
``LiteRtCreateCompiledModel(ops, n, reference)`` answers whether the runtime resolves every builtin code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Union

from standin.litert2tree import TAGS, make_litert2_tree

#: The kernels register.cc / register_ref.cc of the stand-in name (litert2tree's REGISTER_CC, REGISTER_REF_CC).
BUILTIN_KERNELS = ("ABS", "ADD", "CONV_2D", "IF", "CALL_ONCE", "SOFTMAX", "ADD_REF", "CONVOLUTION_REF")
CUSTOM_KERNELS = ("MFCC", "DETECTION_POSTPROCESS")
#: schema.fbs's BuiltinOperator numbers for the stand-in's ops.
OP_CODES = {"ADD": 0, "CONV_2D": 3, "SOFTMAX": 25, "ABS": 101, "IF": 118, "CALL_ONCE": 129}
XNNPACK_MARKER = "tflite-slim-standin:XNNPACK"


def kernel_marker(function: str) -> str:
    return f"tflite-slim-standin-kernel:{function}"


_LITERT_CMAKE = """\
# Stand-in for litert/CMakeLists.txt at {tag}: project, TFLite subdirectory, the runtime's subdirectories.
cmake_minimum_required(VERSION 3.20)
project(LiteRT VERSION 1.4.0 LANGUAGES CXX C)
set(CMAKE_CXX_STANDARD 20)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_POSITION_INDEPENDENT_CODE ON)
option(LITERT_BUILD_TESTS "Build LiteRT tests" OFF)
set(TFLITE_SOURCE_DIR "${{CMAKE_CURRENT_SOURCE_DIR}}/../tflite" CACHE PATH "Path to TFLite source directory")
set(TFLITE_BUILD_DIR "${{CMAKE_CURRENT_BINARY_DIR}}/tflite_build" CACHE PATH "Path to TFLite build directory")
set(TFLITE_ENABLE_XNNPACK ON CACHE BOOL "Enable XNNPACK in TFLite")
find_package(Threads REQUIRED)
add_subdirectory("${{TFLITE_SOURCE_DIR}}" "${{TFLITE_BUILD_DIR}}" EXCLUDE_FROM_ALL)
add_subdirectory(c)
add_subdirectory(cc)
add_subdirectory(runtime)
add_subdirectory(vendors)
if(EXISTS "${{CMAKE_CURRENT_SOURCE_DIR}}/../tensor/CMakeLists.txt")
  add_subdirectory("${{CMAKE_CURRENT_SOURCE_DIR}}/../tensor" "${{CMAKE_CURRENT_BINARY_DIR}}/tensor")
endif()
"""

_DOWNLOAD_PTHREADPOOL = """\
# Stand-in for tflite/cmake/DownloadPThreadPool.cmake at {tag}: what tflite/CMakeLists.txt downloads with XNNPACK
# unless PTHREADPOOL_SOURCE_DIR is defined (not FETCHCONTENT_SOURCE_DIR_PTHREADPOOL).
CMAKE_MINIMUM_REQUIRED(VERSION 3.5 FATAL_ERROR)
PROJECT(pthreadpool-download NONE)
INCLUDE(ExternalProject)
ExternalProject_Add(pthreadpool
  URL https://github.com/google/pthreadpool/archive/02460584c6092e527c8b89f7df4de143d70e801f.zip
  URL_HASH SHA256=5ab4e8f63e3dcf62048360c216532bdf62f00dc204883a52d91230402f0feb6a
  SOURCE_DIR "${{CMAKE_BINARY_DIR}}/pthreadpool-source"
  BINARY_DIR "${{CMAKE_BINARY_DIR}}/pthreadpool"
  CONFIGURE_COMMAND ""
  BUILD_COMMAND ""
  INSTALL_COMMAND ""
  TEST_COMMAND ""
)
"""

_TENSOR_CMAKE = """\
# Stand-in for tensor/CMakeLists.txt at {tag}: the tensor API's interface library, then its examples.
add_library(litert_tensor_api_utils INTERFACE)
add_subdirectory(examples/segmentation)
"""

_SEGMENTATION_CMAKE = """\
# Stand-in for tensor/examples/segmentation/CMakeLists.txt at {tag}: an example program; upstream's
# FetchContent clones stb from GitHub at configure time. The stand-in stops where upstream would download.
message(FATAL_ERROR "stand-in tensor/examples/segmentation: configuring it clones stb from GitHub")
"""

_VENDORS_CMAKE = """\
# Stand-in for litert/vendors/CMakeLists.txt at {tag}: the NPU vendors' dispatch libraries (separate shared
# libraries, libLiteRtDispatch_*.so). Upstream's configure downloads the vendors' SDKs unless their
# *_HEADERS_DIR are given (NEUROPILOT_HEADERS_URL, QAIRT_HEADERS_URL: the Qualcomm AI Runtime SDK zip,
# LITECORE_HEADERS_URL), and any QAIRT_HEADERS_DIR turns on litert/vendors/qualcomm, which fetches nlohmann_json,
# googletest and benchmark from GitHub. The stand-in stops the configure where upstream would download.
message(FATAL_ERROR "stand-in litert/vendors: configuring it downloads the NPU vendors' SDKs")
"""

_LITERT_C_INTERNAL_CMAKE = """\
# Stand-in for litert/c/internal/CMakeLists.txt at {tag}: its sources, handed to litert/c in the caller's scope.
set(LITERT_C_INTERNAL_SOURCES{export_cc}
    PARENT_SCOPE)
"""

_LITERT_C_CMAKE = """\
# Stand-in for litert/c/CMakeLists.txt at {tag}: litert_c_api (with the sources litert/c/internal/CMakeLists.txt
# hands back in LITERT_C_INTERNAL_SOURCES, PARENT_SCOPE), and the shared LiteRt linked --whole-archive.
add_subdirectory(internal)
add_library(litert_c_api STATIC litert_compiled_model.cc ${{LITERT_C_INTERNAL_SOURCES}})
target_include_directories(litert_c_api PUBLIC $<BUILD_INTERFACE:${{CMAKE_CURRENT_SOURCE_DIR}}/../..>
                                                $<BUILD_INTERFACE:${{CMAKE_BINARY_DIR}}/opencl_headers>)
target_link_libraries(litert_c_api PUBLIC litert_cc_internal litert_runtime tensorflow-lite)

add_library(litert_runtime_c_api_shared_lib SHARED empty.cc)
set_target_properties(litert_runtime_c_api_shared_lib PROPERTIES OUTPUT_NAME "LiteRt" POSITION_INDEPENDENT_CODE ON)
set(_litert_runtime_c_api_private_archives
    litert_c_api
    litert_runtime
    litert_cc_internal
    tensorflow-lite
    Threads::Threads
)
target_link_libraries(litert_runtime_c_api_shared_lib
    PRIVATE
      -Wl,--whole-archive
      ${{_litert_runtime_c_api_private_archives}}
      -Wl,--no-whole-archive)
target_link_options(litert_runtime_c_api_shared_lib PRIVATE -Wl,--no-undefined)
# GPU/GL dependencies by platform: an imported target this directory's find_package() makes.
if(NOT CMAKE_SYSTEM_NAME STREQUAL "Android")
  find_package(OpenGL)
  if (OpenGL_FOUND)
    target_link_libraries(litert_runtime_c_api_shared_lib PRIVATE OpenGL::GL)
  endif()
endif()
"""

_LITERT_CC_CMAKE = """\
# Stand-in for litert/cc/CMakeLists.txt at {tag}: litert_cc_internal.
add_library(litert_cc_internal STATIC internal/litert_cc_internal.cc)
target_include_directories(litert_cc_internal PUBLIC $<BUILD_INTERFACE:${{CMAKE_CURRENT_SOURCE_DIR}}/../..>)
"""

_LITERT_RUNTIME_CMAKE = """\
# Stand-in for litert/runtime/CMakeLists.txt at {tag}: litert_runtime.
add_library(litert_runtime STATIC compiled_model.cc)
target_link_libraries(litert_runtime PUBLIC tensorflow-lite litert_cc_internal)
"""

_TFLITE_CMAKE = """\
# Stand-in for tflite/CMakeLists.txt at {tag}: tensorflow-lite from kernels/*.cc and core/kernels/*.cc (as
# populate_tflite_source_vars gathers them, by absolute path), xnnpack-delegate with TFLITE_ENABLE_XNNPACK.
cmake_minimum_required(VERSION 3.16)
project(tensorflow-lite C CXX)
set(TFLITE_SOURCE_DIR "${{CMAKE_CURRENT_LIST_DIR}}")
option(TFLITE_ENABLE_XNNPACK "Enable XNNPACK backend" ON)
# As tflite/tools/cmake/modules/opencl_headers.cmake (TFLITE_ENABLE_GPU, which litert/CMakeLists.txt turns on):
# FetchContent puts OpenCL-Headers in ${{CMAKE_BINARY_DIR}}/opencl_headers unless FETCHCONTENT_SOURCE_DIR_OPENCL_HEADERS
# names a directory, where it then leaves them. The stand-in's "download" writes the one header used there.
if(NOT FETCHCONTENT_SOURCE_DIR_OPENCL_HEADERS)
  file(WRITE "${{CMAKE_BINARY_DIR}}/opencl_headers/CL/cl.h" "/* stand-in for OpenCL-Headers' CL/cl.h */\n")
endif()
file(GLOB TFLITE_KERNEL_SRCS "${{TFLITE_SOURCE_DIR}}/kernels/*.cc")
file(GLOB TFLITE_CORE_KERNELS_SRCS "${{TFLITE_SOURCE_DIR}}/core/kernels/*.cc")
file(GLOB TFLITE_CORE_C_SRCS "${{TFLITE_SOURCE_DIR}}/core/c/*.cc")
add_library(tensorflow-lite
  ${{TFLITE_CORE_KERNELS_SRCS}}
  ${{TFLITE_KERNEL_SRCS}}
  ${{TFLITE_CORE_C_SRCS}}
  create_op_resolver_with_builtin_ops.cc
  mutable_op_resolver.cc
  tflite_with_xnnpack_optional.cc
)
target_include_directories(tensorflow-lite PUBLIC $<BUILD_INTERFACE:${{TFLITE_SOURCE_DIR}}/..>)
if(TFLITE_ENABLE_XNNPACK)
  add_library(xnnpack-delegate STATIC delegates/xnnpack/xnnpack_delegate.cc)
  target_include_directories(xnnpack-delegate PUBLIC $<BUILD_INTERFACE:${{TFLITE_SOURCE_DIR}}/..>)
  target_compile_definitions(tensorflow-lite PRIVATE TFLITE_BUILD_WITH_XNNPACK_DELEGATE)
  target_link_libraries(tensorflow-lite PUBLIC xnnpack-delegate)
endif()
"""

_COMMON_H = """\
// Stand-in for tflite/core/c/common.h ({tag}): the two types the stand-in's resolvers use.
#ifndef TFLITE_CORE_C_COMMON_H_
#define TFLITE_CORE_C_COMMON_H_
#ifdef __cplusplus
extern "C" {{
#endif
typedef struct TfLiteContext TfLiteContext;
typedef struct TfLiteRegistration {{
  const char* name;
}} TfLiteRegistration;
const char* TfLiteVersion(void);
#ifdef __cplusplus
}}
#endif
#endif
"""

_SCHEMA_H = """\
// Stand-in for tflite/schema/schema_generated.h ({tag}): the stand-in's BuiltinOperator values (schema.fbs's).
#ifndef TFLITE_SCHEMA_SCHEMA_GENERATED_H_
#define TFLITE_SCHEMA_SCHEMA_GENERATED_H_
namespace tflite {{
enum BuiltinOperator {{
{values}
}};
}}  // namespace tflite
#endif
"""

_MUTABLE_H = """\
// Stand-in for tflite/mutable_op_resolver.h ({tag}): AddBuiltin/AddCustom/FindOp and the two members
// register.cc sets.
#ifndef TFLITE_MUTABLE_OP_RESOLVER_H_
#define TFLITE_MUTABLE_OP_RESOLVER_H_
#include <functional>
#include <map>
#include <string>
#include <vector>
#include "tflite/core/c/common.h"
#include "tflite/schema/schema_generated.h"
namespace tflite {{
class MutableOpResolver {{
 public:
  virtual ~MutableOpResolver() = default;
  void AddBuiltin(BuiltinOperator op, const TfLiteRegistration* registration, int min_version = 1,
                  int max_version = 1);
  void AddCustom(const char* name, const TfLiteRegistration* registration, int min_version = 1,
                 int max_version = 1);
  virtual const TfLiteRegistration* FindOp(BuiltinOperator op, int version) const;
  const TfLiteRegistration* FindOp(const char* op, int version) const;

 protected:
  bool may_directly_contain_user_defined_ops_ = true;
  std::vector<std::function<void*(TfLiteContext*)>> delegate_creators_;

 private:
  std::map<int, const TfLiteRegistration*> builtins_;
  std::map<std::string, const TfLiteRegistration*> customs_;
}};
}}  // namespace tflite
#endif
"""

_MUTABLE_CC = """\
// Stand-in for tflite/mutable_op_resolver.cc ({tag}).
#include "tflite/mutable_op_resolver.h"
namespace tflite {{
void MutableOpResolver::AddBuiltin(BuiltinOperator op, const TfLiteRegistration* r, int, int) {{
  builtins_[op] = r;
}}
void MutableOpResolver::AddCustom(const char* name, const TfLiteRegistration* r, int, int) {{
  customs_[name] = r;
}}
const TfLiteRegistration* MutableOpResolver::FindOp(BuiltinOperator op, int) const {{
  auto it = builtins_.find(op);
  return it == builtins_.end() ? nullptr : it->second;
}}
const TfLiteRegistration* MutableOpResolver::FindOp(const char* op, int) const {{
  auto it = customs_.find(op);
  return it == customs_.end() ? nullptr : it->second;
}}
}}  // namespace tflite
"""

_REGISTER_H = """\
// Stand-in for tflite/core/kernels/register.h ({tag}).
#ifndef TFLITE_CORE_KERNELS_REGISTER_H_
#define TFLITE_CORE_KERNELS_REGISTER_H_
#include "tflite/mutable_op_resolver.h"
namespace tflite {{
namespace ops {{
namespace builtin {{
class BuiltinOpResolver : public MutableOpResolver {{
 public:
  BuiltinOpResolver();
}};
class BuiltinOpResolverWithXNNPACK : public BuiltinOpResolver {{
 public:
  explicit BuiltinOpResolverWithXNNPACK(bool enable_xnnpack_unsigned_quantized = false);
}};
class BuiltinOpResolverWithoutDefaultDelegates : public BuiltinOpResolver {{
 public:
  BuiltinOpResolverWithoutDefaultDelegates() {{ delegate_creators_.clear(); }}
}};
}}  // namespace builtin
}}  // namespace ops
}}  // namespace tflite
#endif
"""

_REGISTER_REF_H = """\
// Stand-in for tflite/kernels/register_ref.h ({tag}).
#ifndef TFLITE_KERNELS_REGISTER_REF_H_
#define TFLITE_KERNELS_REGISTER_REF_H_
#include "tflite/core/kernels/builtin_op_kernels.h"
#include "tflite/mutable_op_resolver.h"
namespace tflite {{
namespace ops {{
namespace builtin {{
class BuiltinRefOpResolver : public MutableOpResolver {{
 public:
  BuiltinRefOpResolver();
  using MutableOpResolver::FindOp;
  const TfLiteRegistration* FindOp(tflite::BuiltinOperator op, int version) const override;
}};
}}  // namespace builtin
}}  // namespace ops
}}  // namespace tflite
#endif
"""

_XNNPACK_OPTIONAL_H = """\
// Stand-in for tflite/tflite_with_xnnpack_optional.h ({tag}).
#ifndef TFLITE_TFLITE_WITH_XNNPACK_OPTIONAL_H_
#define TFLITE_TFLITE_WITH_XNNPACK_OPTIONAL_H_
#include "tflite/core/c/common.h"
namespace tflite {{
enum class XNNPackQS8Options {{ default_value, enabled, disabled }};
void* MaybeCreateXNNPACKDelegate(TfLiteContext* context, XNNPackQS8Options options);
}}  // namespace tflite
#endif
"""

_XNNPACK_OPTIONAL_CC = """\
// Stand-in for tflite/tflite_with_xnnpack_optional.cc ({tag}): the XNNPACK delegate when built with it.
#include "tflite/tflite_with_xnnpack_optional.h"
extern "C" void* TfLiteXNNPackDelegateCreate(const void* options);
namespace tflite {{
void* MaybeCreateXNNPACKDelegate(TfLiteContext*, XNNPackQS8Options) {{
#ifdef TFLITE_BUILD_WITH_XNNPACK_DELEGATE
  return TfLiteXNNPackDelegateCreate(nullptr);
#else
  return nullptr;
#endif
}}
}}  // namespace tflite
"""

_XNNPACK_DELEGATE_CC = """\
// Stand-in for tflite/delegates/xnnpack/xnnpack_delegate.cc ({tag}): CompiledModel's CPU accelerator.
extern "C" void* TfLiteXNNPackDelegateCreate(const void*) {{
  static const char marker[] = "{marker}";
  return const_cast<char*>(marker);
}}
"""

_KERNELS_H = """\
// Stand-in for tflite/core/kernels/builtin_op_kernels.h ({tag}): the Register_ functions.
#ifndef TFLITE_CORE_KERNELS_BUILTIN_OP_KERNELS_H_
#define TFLITE_CORE_KERNELS_BUILTIN_OP_KERNELS_H_
#include "tflite/core/c/common.h"
namespace tflite {{
namespace ops {{
namespace builtin {{
{builtins}
}}  // namespace builtin
namespace custom {{
{customs}
}}  // namespace custom
}}  // namespace ops
}}  // namespace tflite
#endif
"""

_KERNEL_CC = """\
// Stand-in for a kernel of tflite/kernels/ ({tag}): a registration holding its marker.
#include "tflite/core/c/common.h"
namespace tflite {{
namespace ops {{
namespace {ns} {{
TfLiteRegistration* Register_{name}() {{
  static TfLiteRegistration r = {{"{marker}"}};
  return &r;
}}
}}  // namespace {ns}
}}  // namespace ops
}}  // namespace tflite
"""

_CREATE_RESOLVER_H = """\
// Stand-in for tflite/create_op_resolver.h ({tag}).
#ifndef TFLITE_CREATE_OP_RESOLVER_H_
#define TFLITE_CREATE_OP_RESOLVER_H_
#include <memory>
#include "tflite/mutable_op_resolver.h"
namespace tflite {{
std::unique_ptr<MutableOpResolver> CreateOpResolver();
}}  // namespace tflite
#endif
"""

_CREATE_RESOLVER_CC = """\
// Stand-in for tflite/create_op_resolver_with_builtin_ops.cc ({tag}): what the C++ API and the JNI call.
#include "tflite/create_op_resolver.h"
#include "tflite/core/kernels/register.h"
namespace tflite {{
std::unique_ptr<MutableOpResolver> CreateOpResolver() {{
  return std::unique_ptr<MutableOpResolver>(new ops::builtin::BuiltinOpResolver());
}}
}}  // namespace tflite
"""

_C_API_CC = """\
// Stand-in for tflite/core/c/c_api.cc ({tag}): one TfLite* C function.
#include "tflite/core/c/common.h"
extern "C" const char* TfLiteVersion(void) {{ return "2.x-standin"; }}
"""

_COMPILED_MODEL_H = """\
// Stand-in for litert/runtime/compiled_model.h ({tag}).
#ifndef LITERT_RUNTIME_COMPILED_MODEL_H_
#define LITERT_RUNTIME_COMPILED_MODEL_H_
namespace litert {{
namespace internal {{
// How many of the builtin codes the CPU path's resolver does not resolve.
int UnresolvedOps(const int* ops, int num_ops, bool reference_kernels);
}}  // namespace internal
}}  // namespace litert
#endif
"""

_COMPILED_MODEL_CC = """\
// Stand-in for litert/runtime/compiled_model.cc ({tag}): the CPU path's resolver, optimized or reference.
#include "litert/runtime/compiled_model.h"
#include "tflite/core/kernels/register.h"
#include "tflite/kernels/register_ref.h"
namespace litert {{
namespace internal {{
int UnresolvedOps(const int* ops, int num_ops, bool reference_kernels) {{
  tflite::ops::builtin::BuiltinOpResolverWithoutDefaultDelegates optimized;
  tflite::ops::builtin::BuiltinRefOpResolver reference;
  const tflite::MutableOpResolver& resolver =
      reference_kernels ? static_cast<const tflite::MutableOpResolver&>(reference) : optimized;
  int missing = 0;
  for (int i = 0; i < num_ops; ++i) {{
    if (resolver.FindOp(static_cast<tflite::BuiltinOperator>(ops[i]), 1) == nullptr) ++missing;
  }}
  return missing;
}}
}}  // namespace internal
}}  // namespace litert
"""

_C_API_H = """\
// Stand-in for litert/c/litert_compiled_model.h ({tag}): a stand-in shape of the CompiledModel C API.
#ifndef LITERT_C_LITERT_COMPILED_MODEL_H_
#define LITERT_C_LITERT_COMPILED_MODEL_H_
#ifdef __cplusplus
extern "C" {{
#endif
typedef enum {{ kLiteRtStatusOk = 0, kLiteRtStatusErrorNotFound = 7 }} LiteRtStatus;
// kLiteRtStatusOk when the runtime resolves every builtin code in ops (reference: the reference kernels).
LiteRtStatus LiteRtCreateCompiledModel(const int* ops, int num_ops, int reference);
#ifdef __cplusplus
}}
#endif
#endif
"""

_C_API_CC_LITERT = """\
// Stand-in for litert/c/litert_compiled_model.cc ({tag}): OpenCL's header, as litert/runtime/gpu_environment.h
// reaches it from litert_environment.cc, through ${{CMAKE_BINARY_DIR}}/opencl_headers.
#include <CL/cl.h>
#include "litert/c/litert_compiled_model.h"
#include "litert/runtime/compiled_model.h"
extern "C" LiteRtStatus LiteRtCreateCompiledModel(const int* ops, int num_ops, int reference) {{
  return litert::internal::UnresolvedOps(ops, num_ops, reference != 0) == 0 ? kLiteRtStatusOk
                                                                             : kLiteRtStatusErrorNotFound;
}}
"""

_EXPORT_CC = """\
// Stand-in for litert/c/internal/litert_runtime_api_export.cc (v2.2.0): the exported table liblitert_jni.so
// looks up with dlsym.
#include "litert/c/litert_compiled_model.h"
extern "C" {{
struct LiteRtRuntimeCApiStruct {{
  LiteRtStatus (*create_compiled_model)(const int*, int, int);
}};
__attribute__((visibility("default"))) extern const LiteRtRuntimeCApiStruct kLiteRtRuntimeBuiltin;
const LiteRtRuntimeCApiStruct kLiteRtRuntimeBuiltin = {{&LiteRtCreateCompiledModel}};
}}
"""

_CC_INTERNAL_CC = """\
// Stand-in for litert/cc/internal ({tag}): a C++ helper, not exported.
namespace litert {{
namespace internal {{
int CcInternalVersion() {{ return 2; }}
}}  // namespace internal
}}  // namespace litert
"""

_JNI_CC = """\
// Stand-in for tflite/java/src/main/native/nativeinterpreterwrapper_jni.cc ({tag}): the JNI makes its resolver
// with tflite::CreateOpResolver().
#include <jni.h>
#include "tflite/create_op_resolver.h"
#include "tflite/java/src/main/native/jni_utils.h"
extern "C" JNIEXPORT jlong JNICALL Java_org_tensorflow_lite_NativeInterpreterWrapper_createResolver(JNIEnv*, jclass) {{
  return reinterpret_cast<jlong>(tflite::CreateOpResolver().release());
}}
extern "C" JNIEXPORT jboolean JNICALL Java_org_tensorflow_lite_NativeInterpreterWrapper_hasOp(JNIEnv*, jclass,
                                                                                              jlong handle,
                                                                                              jint op) {{
  return tflite::jni::HasOp(handle, op);
}}
"""

_JNI_UTILS_H = """\
// Stand-in for tflite/java/src/main/native/jni_utils.h ({tag}).
#ifndef TFLITE_JAVA_SRC_MAIN_NATIVE_JNI_UTILS_H_
#define TFLITE_JAVA_SRC_MAIN_NATIVE_JNI_UTILS_H_
namespace tflite {{
namespace jni {{
bool HasOp(long long handle, int op);
}}  // namespace jni
}}  // namespace tflite
#endif
"""

_JNI_UTILS_CC = """\
// Stand-in for tflite/java/src/main/native/jni_utils.cc ({tag}).
#include "tflite/java/src/main/native/jni_utils.h"
#include "tflite/mutable_op_resolver.h"
namespace tflite {{
namespace jni {{
bool HasOp(long long handle, int op) {{
  auto* resolver = reinterpret_cast<MutableOpResolver*>(handle);
  return resolver->FindOp(static_cast<BuiltinOperator>(op), 1) != nullptr;
}}
}}  // namespace jni
}}  // namespace tflite
"""


def make_litert2_cmake_tree(directory: Union[str, Path], line: str = "2.2.0") -> Path:
    """A LiteRT checkout of ``line`` (``2.1.6+`` or ``2.2.0``) whose CMake build is shaped as at its tag."""
    if line not in ("2.1.6+", "2.2.0"):
        raise ValueError(f"the CMake stand-in mirrors v2.1.6 and v2.2.0, not {line}")
    root = make_litert2_tree(directory, line)
    tag = TAGS[line][0]
    v22 = line == "2.2.0"
    customs = "\n".join(f"TfLiteRegistration* Register_{k}();" for k in CUSTOM_KERNELS)
    builtins = "\n".join(f"TfLiteRegistration* Register_{k}();" for k in BUILTIN_KERNELS
                         if k not in ("ADD_REF", "CONVOLUTION_REF"))
    fmt = {"tag": tag}
    files = {
        "litert/CMakeLists.txt": _LITERT_CMAKE.format(**fmt),
        "litert/c/CMakeLists.txt": _LITERT_C_CMAKE.format(tag=tag),
        "litert/c/internal/CMakeLists.txt": _LITERT_C_INTERNAL_CMAKE.format(
            tag=tag, export_cc="\n    internal/litert_runtime_api_export.cc" if v22 else ""),
        "litert/c/empty.cc": f"// Stand-in for litert/c/empty.cc ({tag}).\n",
        "litert/cc/CMakeLists.txt": _LITERT_CC_CMAKE.format(**fmt),
        "litert/runtime/CMakeLists.txt": _LITERT_RUNTIME_CMAKE.format(**fmt),
        "litert/vendors/CMakeLists.txt": _VENDORS_CMAKE.format(**fmt),
        "tensor/CMakeLists.txt": _TENSOR_CMAKE.format(**fmt),
        "tensor/examples/segmentation/CMakeLists.txt": _SEGMENTATION_CMAKE.format(**fmt),
        "tflite/CMakeLists.txt": _TFLITE_CMAKE.format(**fmt),
        "tflite/schema/schema_generated.h": _SCHEMA_H.format(tag=tag, values=",\n".join(
            f"  BuiltinOperator_{op} = {code}" for op, code in sorted(OP_CODES.items()))),
        "tflite/core/kernels/builtin_op_kernels.h": _KERNELS_H.format(tag=tag, builtins=builtins, customs=customs),
        "tflite/delegates/xnnpack/xnnpack_delegate.cc": _XNNPACK_DELEGATE_CC.format(tag=tag, marker=XNNPACK_MARKER),
        "tflite/cmake/DownloadPThreadPool.cmake": _DOWNLOAD_PTHREADPOOL.format(**fmt),
    }
    plain = {
        "litert/c/litert_compiled_model.h": _C_API_H,
        "litert/c/litert_compiled_model.cc": _C_API_CC_LITERT,
        "litert/cc/internal/litert_cc_internal.cc": _CC_INTERNAL_CC,
        "litert/runtime/compiled_model.h": _COMPILED_MODEL_H,
        "litert/runtime/compiled_model.cc": _COMPILED_MODEL_CC,
        "tflite/core/c/common.h": _COMMON_H,
        "tflite/core/c/c_api.cc": _C_API_CC,
        "tflite/mutable_op_resolver.h": _MUTABLE_H,
        "tflite/mutable_op_resolver.cc": _MUTABLE_CC,
        "tflite/core/kernels/register.h": _REGISTER_H,
        "tflite/kernels/register_ref.h": _REGISTER_REF_H,
        "tflite/tflite_with_xnnpack_optional.h": _XNNPACK_OPTIONAL_H,
        "tflite/tflite_with_xnnpack_optional.cc": _XNNPACK_OPTIONAL_CC,
        "tflite/create_op_resolver.h": _CREATE_RESOLVER_H,
        "tflite/create_op_resolver_with_builtin_ops.cc": _CREATE_RESOLVER_CC,
        "tflite/java/src/main/native/nativeinterpreterwrapper_jni.cc": _JNI_CC,
        "tflite/java/src/main/native/jni_utils.h": _JNI_UTILS_H,
        "tflite/java/src/main/native/jni_utils.cc": _JNI_UTILS_CC,
    }
    if v22:
        plain["litert/c/internal/litert_runtime_api_export.cc"] = _EXPORT_CC
    files.update({name: text.format(**fmt) for name, text in plain.items()})
    for names, ns in ((BUILTIN_KERNELS, "builtin"), (CUSTOM_KERNELS, "custom")):
        for name in names:
            files[f"tflite/kernels/{name.lower()}.cc"] = _KERNEL_CC.format(tag=tag, ns=ns, name=name,
                                                                           marker=kernel_marker(name))
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root
