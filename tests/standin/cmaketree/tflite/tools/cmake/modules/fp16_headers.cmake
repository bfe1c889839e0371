# Stand-in for LiteRT tflite/tools/cmake/modules/fp16_headers.cmake (v1.4.1): the same declaration (a
# github.com repository pinned to a commit) and the same use: the headers go on the include path of the
# directory that find_package()s it, which v1.4.1 does only with NNAPI, XNNPACK or the GPU delegate.
if(TARGET fp16_headers OR fp16_headers_POPULATED OR TFLITE_ENABLE_XNNPACK)
  return()
endif()

include(OverridableFetchContent)

OverridableFetchContent_Declare(
  fp16_headers
  GIT_REPOSITORY https://github.com/Maratyszcza/FP16
  # Sync with https://github.com/google/XNNPACK/blob/master/cmake/DownloadFP16.cmake
  GIT_TAG 0a92994d729ff76a58f692d3028ca1b64b145d91
  GIT_PROGRESS TRUE
  PREFIX "${CMAKE_BINARY_DIR}"
  SOURCE_DIR "${CMAKE_BINARY_DIR}/fp16_headers"
)
OverridableFetchContent_GetProperties(fp16_headers)
if(NOT fp16_headers)
  OverridableFetchContent_Populate(fp16_headers)
endif()
include_directories(AFTER "${fp16_headers_SOURCE_DIR}/include")
