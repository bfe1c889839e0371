"""LiteRT 2.x's runtime built from the tree's own CMake project: ``cmake_project`` (pure text: the include
that swaps the resolvers and links ``libLiteRt.so``, the version script, which release lines build) and
``cmake`` (one ABI's configure and build); ``bazel_spec``: the Bazel path as a checked spec (the
``LiteRt`` target, the two files replaced, the commands; not run yet). The phases are :mod:`tflite_slim.runtime.litert2build`'s."""
