// Stand-in for LiteRT tflite/model.h (the generated registration includes it).
#include "tflite/schema/schema_generated.h"
