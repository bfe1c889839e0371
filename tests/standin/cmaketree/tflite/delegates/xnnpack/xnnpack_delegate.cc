// Stand-in for LiteRT tflite/delegates/xnnpack/xnnpack_delegate.cc: creating the delegate initializes XNNPACK
// (the stand-in XNNPACK the tests serve) and logs upstream's line, so a run shows whether it was applied.
#include "tflite/delegates/xnnpack/xnnpack_delegate.h"
#include <cstdio>
#include <fp16.h>
#include <xnnpack.h>
#include "tflite/experimental/resource/resource_variable.h"
static_assert(STANDIN_FP16 == 16, "FP16_SOURCE_DIR's header");
extern "C" {
TfLiteXNNPackDelegateOptions TfLiteXNNPackDelegateOptionsDefault() { return {0, 0}; }
TfLiteDelegate* TfLiteXNNPackDelegateCreate(const TfLiteXNNPackDelegateOptions*) {
  const char* xnnpack = xnn_initialize();
  if (xnnpack == nullptr || tflite::resource::GetResourceVariable(1) != 1) return nullptr;
  std::fprintf(stderr, "INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\n");
  return new TfLiteDelegate{const_cast<char*>(xnnpack)};
}
void TfLiteXNNPackDelegateDelete(TfLiteDelegate* delegate) { delete delegate; }
}
