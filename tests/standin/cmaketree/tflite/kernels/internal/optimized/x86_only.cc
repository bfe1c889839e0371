// Stand-in for the x86-only sources the real tree picks by CMAKE_SYSTEM_PROCESSOR (NEON_2_SSE, and ruy's
// and cpuinfo's x86 paths, compiled with x86 flags): see ../../../CMakeLists.txt.
#include <immintrin.h>
namespace tflite {
int StandinX86Only() { return _mm_extract_epi32(_mm_set1_epi32(7), 0); }
}  // namespace tflite
