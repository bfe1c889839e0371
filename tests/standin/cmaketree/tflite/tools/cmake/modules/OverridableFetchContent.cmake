# Stand-in for LiteRT tflite/tools/cmake/modules/OverridableFetchContent.cmake (v1.4.1): the same three
# entry points the dependency modules call, passed straight to CMake's FetchContent (the real one also maps
# repositories to archive URLs and records licenses). FETCHCONTENT_SOURCE_DIR_<NAME> is honoured by
# FetchContent itself, as in the real build.
include(FetchContent)
macro(OverridableFetchContent_Declare)
  FetchContent_Declare(${ARGV})
endmacro()
macro(OverridableFetchContent_GetProperties)
  FetchContent_GetProperties(${ARGV})
endmacro()
macro(OverridableFetchContent_Populate)
  FetchContent_Populate(${ARGV})
endmacro()
