// Stand-in for LiteRT tflite/delegates/xnnpack/xnnpack_delegate.h (v1.4.1): the three entry points the JNI
// glue looks up with dlsym (java/src/main/native/op_resolver_lazy_delegate_proxy.cc).
#ifndef STANDIN_TFLITE_DELEGATES_XNNPACK_XNNPACK_DELEGATE_H_
#define STANDIN_TFLITE_DELEGATES_XNNPACK_XNNPACK_DELEGATE_H_
#include <stdint.h>
extern "C" {
typedef struct TfLiteDelegate {
  void* data_;
} TfLiteDelegate;
typedef struct {
  int32_t num_threads;
  uint32_t flags;
} TfLiteXNNPackDelegateOptions;
TfLiteXNNPackDelegateOptions TfLiteXNNPackDelegateOptionsDefault();
TfLiteDelegate* TfLiteXNNPackDelegateCreate(const TfLiteXNNPackDelegateOptions* options);
void TfLiteXNNPackDelegateDelete(TfLiteDelegate* delegate);
}
#endif
