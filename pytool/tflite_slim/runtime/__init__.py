"""Stage 2, build: an op set and a TensorFlow/LiteRT source tree in; the build plan, the
generated Bazel package, and checked, byte-stable AARs plus ``ops.json`` out. Reads analysis only."""
