// Stand-in for LiteRT tflite/c/common.h: only TfLiteRegistration, reduced to what the stand-in kernels need.
#ifndef STANDIN_TFLITE_C_COMMON_H_
#define STANDIN_TFLITE_C_COMMON_H_
typedef struct TfLiteRegistration {
  const char* marker;
  float (*invoke)(float a, float b);
} TfLiteRegistration;
#endif
