// Stand-in for LiteRT tflite/version.h (v1.4.1): the runtime's version is TensorFlow's, from
// tensorflow/core/public/release_version.h in TENSORFLOW_SOURCE_DIR (TensorFlow 2.20 demands the
// TF_*_VERSION defines there).
#ifndef STANDIN_TFLITE_VERSION_H_
#define STANDIN_TFLITE_VERSION_H_
#include "tensorflow/core/public/release_version.h"
#define TFLITE_VERSION_STRING TF_VERSION_STRING
#endif
