// Stand-in for LiteRT tflite/kernels/kernel_util.cc: shared kernel code, defining no Register_
// function, so every op set compiles it.
#include "tflite/kernels/kernel_util.h"
namespace tflite {
namespace ops {
namespace builtin {
float ClampBelow(float value, float low) { return value > low ? value : low; }

namespace {
struct HashTable {
  unsigned v[1024];
  constexpr HashTable() : v() {
    for (unsigned i = 0; i < 1024; ++i) v[i] = (i * 2654435761u) ^ (i << 7);
  }
};
constexpr HashTable kHashTable;
}  // namespace

unsigned MarkerHash(const char* marker) {
  unsigned h = 0;
  for (; *marker; ++marker) h = kHashTable.v[(h ^ static_cast<unsigned char>(*marker)) & 1023] ^ (h >> 10);
  return h;
}
}  // namespace builtin
}  // namespace ops
}  // namespace tflite
