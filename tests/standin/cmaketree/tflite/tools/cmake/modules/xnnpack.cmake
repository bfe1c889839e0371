# Stand-in for LiteRT tflite/tools/cmake/modules/xnnpack.cmake (v1.4.1): the same declaration, including
# upstream's GIT_TAG dc69e899, which is KleidiAI's commit, not XNNPACK's (tflite-slim corrects it:
# cmakedeps.CORRECTED_PINS), and the same intermediate subdirectory that adds XNNPACK's own project.
if(TARGET xnnpack OR xnnpack_POPULATED)
  return()
endif()

include(OverridableFetchContent)

OverridableFetchContent_Declare(
  xnnpack
  GIT_REPOSITORY https://github.com/google/XNNPACK
  # Sync with tensorflow/workspace2.bzl
  GIT_TAG dc69e899945c412a8ce39ccafd25139f743c60b1
  GIT_PROGRESS TRUE
  PREFIX "${CMAKE_BINARY_DIR}"
  SOURCE_DIR "${CMAKE_BINARY_DIR}/xnnpack"
)
OverridableFetchContent_GetProperties(xnnpack)
if(NOT xnnpack_POPULATED)
  OverridableFetchContent_Populate(xnnpack)
endif()

set(XNNPACK_BUILD_TESTS OFF CACHE BOOL "Disable XNNPACK test.")
set(XNNPACK_BUILD_BENCHMARKS OFF CACHE BOOL "Disable XNNPACK benchmarks.")

add_subdirectory(${TFLITE_SOURCE_DIR}/tools/cmake/modules/xnnpack)

include_directories(
  AFTER
   "${PTHREADPOOL_SOURCE_DIR}/include"
   "${FP16_SOURCE_DIR}/include"
   "${XNNPACK_SOURCE_DIR}/include"
)
