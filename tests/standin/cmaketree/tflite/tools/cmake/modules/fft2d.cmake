# Stand-in for LiteRT tflite/tools/cmake/modules/fft2d.cmake (v1.4.1): a URL dependency checked by its
# SHA-256 (the tests' copy replaces the hash with their archive's: the content is ours, not Ooura's).
if(TARGET fft2d OR fft2d_POPULATED)
  return()
endif()

include(OverridableFetchContent)

set(FFT2D_URL
  https://storage.googleapis.com/mirror.tensorflow.org/github.com/petewarden/OouraFFT/archive/v1.0.tar.gz
)
OverridableFetchContent_Declare(
  fft2d
  URL "${FFT2D_URL}"
  # Sync with tensorflow/workspace2.bzl
  URL_HASH SHA256=5f4dabc2ae21e1f537425d58a49cdca1c49ea11db0d6271e2a4b27e9697548eb
  SOURCE_DIR "${CMAKE_BINARY_DIR}/fft2d"
)
OverridableFetchContent_GetProperties(fft2d)
if(NOT fft2d_POPULATED)
  OverridableFetchContent_Populate(fft2d)
endif()
add_library(fft2d INTERFACE)
target_include_directories(fft2d INTERFACE "${fft2d_SOURCE_DIR}")
