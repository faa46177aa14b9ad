#include "mixer.h"

#include "mixer_bank.h"
#include "util/checked_once.h"

// The sanitizer build checks these two loops once a call (util/checked_once.h): UBSan's check
// of every product kept them from vectorising, and with ASan's check of every read they were
// half of that pass's context-mixing time. What it checks instead is what the bound proof in
// mixer.h rests on (|x| < 2^12, |w| <= 2^19, |e| <= 2^12: then no product or sum overflows)
// and that both vectors are readable over all n entries (the only memory the loops touch).

namespace shz::cm {
namespace {

// floor(v / 2^s) for either sign, written so that it vectorises (an arithmetic shift).
// (The attribute: GCC inlines a function only into one sanitized alike.)
SHZ_CHECKED_ONCE_ATTR inline int32_t floor_shift32(int32_t v, int s) { return v >= 0 ? v >> s : ~(~v >> s); }

#if SHZ_CHECKED_ONCE
[[noreturn]] void broken(const char* what, int n) { checked_once_fail("mixer: %s (n = %d)", what, n); }

SHZ_CHECKED_ONCE_ATTR void check(const int32_t* x, const int32_t* w, int n, int32_t e) {
  if (n < 0 || n % 8) broken("length not a multiple of 8", n);
  // Each vector lies in one allocation (a std::vector or an array: no redzone inside), so
  // its first and last entries being readable is all of it being readable (the whole range
  // checked was two thirds of the time again).
  const char* end_x = reinterpret_cast<const char*>(x + n) - 1;
  const char* end_w = reinterpret_cast<const char*>(w + n) - 1;
  if (n > 0 && (__asan_address_is_poisoned(x) || __asan_address_is_poisoned(end_x) || __asan_address_is_poisoned(w) ||
                __asan_address_is_poisoned(end_w)))
    broken("reads outside its vectors", n);
  // |v| <= b as one unsigned compare (v + b in [0, 2b]), which vectorises.
  constexpr uint32_t kX = (1u << 12) - 1, kW = uint32_t(Mixer::kMaxWeight);
  uint32_t bad_x = 0, bad_w = 0;
  for (int i = 0; i < n; ++i) {
    bad_x |= uint32_t(x[i]) + kX > 2 * kX;
    bad_w |= uint32_t(w[i]) + kW > 2 * kW;
  }
  if (bad_x) broken("an input of 2^12 or more", n);
  if (bad_w) broken("a weight over 2^19", n);
  if (uint32_t(e) + (1u << 12) > (2u << 12)) broken("an error over 2^12", n);
}
#endif

}  // namespace

// Integer loops: every instruction set computes the same values; the clones only pick the
// widest vectors the CPU has (resolved once, when the program loads).
__attribute__((target_clones("avx512f", "avx2", "default"))) SHZ_CHECKED_ONCE_ATTR
int32_t mixer_dot(const int32_t* x, const int32_t* w, int n) {
#if SHZ_CHECKED_ONCE
  check(x, w, n, 0);
#endif
  int32_t sum = 0;
  for (int i = 0; i < n; ++i) sum += floor_shift32(x[i] * w[i], 8);
  return sum;
}

__attribute__((target_clones("avx512f", "avx2", "default"))) SHZ_CHECKED_ONCE_ATTR
void mixer_train(const int32_t* x, int32_t* w, int n, int32_t e, int shift) {
#if SHZ_CHECKED_ONCE
  check(x, w, n, e);
#endif
  for (int i = 0; i < n; ++i) {
    const int32_t v = w[i] + floor_shift32(x[i] * e, shift);
    w[i] = v < -Mixer::kMaxWeight ? -Mixer::kMaxWeight : v > Mixer::kMaxWeight ? Mixer::kMaxWeight : v;
  }
}

// The bank: its bodies are in mixer_bank.h, which the tests also compile per instruction set.
__attribute__((target_clones("avx512f", "avx2", "default"))) SHZ_CHECKED_ONCE_ATTR
void mixer_dot_bank(const int32_t* x, int32_t* const w[kBank], int n, int32_t sums[kBank]) {
#if SHZ_CHECKED_ONCE
  for (int k = 0; k < kBank; ++k) check(x, w[k], n, 0);
#endif
  bank::dot(x, w, n, sums);
}

__attribute__((target_clones("avx512f", "avx2", "default"))) SHZ_CHECKED_ONCE_ATTR
void mixer_train_bank(const int32_t* x, int32_t* const w[kBank], int n, const int32_t e[kBank],
                      const int shift[kBank]) {
#if SHZ_CHECKED_ONCE
  for (int k = 0; k < kBank; ++k) check(x, w[k], n, e[k]);
#endif
  bank::train(x, w, n, e, shift);
}

}  // namespace shz::cm
