# Stand-in for LiteRT litert/version.bzl (the version tflite-slim reads).
LITERT_FULL_VERSION = "1.5.0"
LITERT_EXPERIMENTAL_VERSION = "2.3.0"
