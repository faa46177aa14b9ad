#include "mixer.h"

namespace shz::cm {
namespace {

// floor(v / 2^s) for either sign, written so that it vectorises (an arithmetic shift).
inline int32_t floor_shift32(int32_t v, int s) { return v >= 0 ? v >> s : ~(~v >> s); }

}  // namespace

// Integer loops: every instruction set computes the same values; the clones only pick the
// widest vectors the CPU has (resolved once, when the program loads).
__attribute__((target_clones("avx512f", "avx2", "default")))
int32_t mixer_dot(const int32_t* x, const int32_t* w, int n) {
  int32_t sum = 0;
  for (int i = 0; i < n; ++i) sum += floor_shift32(x[i] * w[i], 8);
  return sum;
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void mixer_train(const int32_t* x, int32_t* w, int n, int32_t e, int shift) {
  for (int i = 0; i < n; ++i) {
    const int32_t v = w[i] + floor_shift32(x[i] * e, shift);
    w[i] = v < -Mixer::kMaxWeight ? -Mixer::kMaxWeight : v > Mixer::kMaxWeight ? Mixer::kMaxWeight : v;
  }
}

}  // namespace shz::cm
