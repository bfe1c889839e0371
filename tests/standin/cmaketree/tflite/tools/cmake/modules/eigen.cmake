# Stand-in for LiteRT tflite/tools/cmake/modules/eigen.cmake (v1.4.1): the same declaration (a gitlab.com
# repository pinned to a commit) and the same header-only use; tflite-slim reads the pin from here.
if(TARGET eigen OR eigen_POPULATED)
  return()
endif()

include(OverridableFetchContent)

OverridableFetchContent_Declare(
  eigen
  GIT_REPOSITORY https://gitlab.com/libeigen/eigen.git
  # Sync with third_party/xla/third_party/eigen3/workspace.bzl
  GIT_TAG 4c38131a16803130b66266a912029504f2cf23cd
  GIT_PROGRESS TRUE
  PREFIX "${CMAKE_BINARY_DIR}"
  SOURCE_DIR "${CMAKE_BINARY_DIR}/eigen"
)
OverridableFetchContent_GetProperties(eigen)
if(NOT eigen_POPULATED)
  OverridableFetchContent_Populate(eigen)
endif()
add_library(eigen INTERFACE)
target_include_directories(eigen INTERFACE "${eigen_SOURCE_DIR}")
