# Stand-in for LiteRT tflite/tools/cmake/modules/flatbuffers.cmake (see ../../../../README.md): the host-side
# flatc as an ExternalProject named flatbuffers-flatc under ${CMAKE_BINARY_DIR}/flatbuffers-flatc, installed
# into its own prefix (so bin/flatc), excluded from 'all'. Upstream builds flatc from the flatbuffers sources
# it fetches; the stand-in builds its own small flatc (../standin_flatc).
include(ExternalProject)
ExternalProject_Add(flatbuffers-flatc
  PREFIX ${CMAKE_BINARY_DIR}/flatbuffers-flatc
  SOURCE_DIR ${CMAKE_CURRENT_LIST_DIR}/../standin_flatc
  CMAKE_ARGS -DCMAKE_INSTALL_PREFIX=<INSTALL_DIR>
  EXCLUDE_FROM_ALL TRUE
)
