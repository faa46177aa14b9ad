// The bodies of the first layer's bank of mixers (mixer.h: mixer_dot_bank, mixer_train_bank),
// inline, so that mixer.cpp compiles them once per instruction set (target_clones) and the
// tests compile them for each set explicitly and compare what each computes.
//
// Written with 8-lane vectors: with six weight vectors that the compiler cannot prove apart,
// it would not vectorise the plain loops. The same integer operations as mixer_dot and
// mixer_train (>> on a signed vector is the floor shift), so the same values on every
// instruction set.
#pragma once

#include <cstdint>
#include <cstring>

#include "mixer.h"
#include "util/checked_once.h"

// SHZ_CHECKED_ONCE_ATTR: the sanitizer build inlines only into functions sanitized alike, and
// the callers are exempt (they check once a call, util/checked_once.h).
// Lanes8 never crosses a call (everything here is inlined into its caller), so the ABI note
// GCC gives for vector arguments and returns does not apply.
#if defined(__GNUC__)  // GCC and clang
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

namespace shz::cm::bank {

typedef int32_t Lanes8 __attribute__((vector_size(32)));

SHZ_CHECKED_ONCE_ATTR __attribute__((always_inline)) inline Lanes8 load8(const int32_t* p) {
  Lanes8 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
SHZ_CHECKED_ONCE_ATTR __attribute__((always_inline)) inline void store8(int32_t* p, Lanes8 v) { std::memcpy(p, &v, sizeof v); }

SHZ_CHECKED_ONCE_ATTR __attribute__((always_inline)) inline void dot(const int32_t* x, int32_t* const w[kBank], int n,
                                               int32_t sums[kBank]) {
  Lanes8 acc[kBank];  // (not `= {}`: GCC then clears a copy on the stack too, a slow rep stos)
  for (int k = 0; k < kBank; ++k) acc[k] = Lanes8{};
  for (int i = 0; i < n; i += 8) {
    const Lanes8 v = load8(x + i);
    for (int k = 0; k < kBank; ++k) acc[k] += (v * load8(w[k] + i)) >> 8;
  }
  for (int k = 0; k < kBank; ++k) {
    int32_t sum = 0;
    for (int j = 0; j < 8; ++j) sum += acc[k][j];
    sums[k] = sum;
  }
}

SHZ_CHECKED_ONCE_ATTR __attribute__((always_inline)) inline void train(const int32_t* x, int32_t* const w[kBank], int n,
                                                 const int32_t e[kBank], const int shift[kBank]) {
  const Lanes8 lo = Lanes8{} - Mixer::kMaxWeight, hi = Lanes8{} + Mixer::kMaxWeight;
  // Local copies: the loop's stores could otherwise alias the arguments' arrays, and the
  // compiler would reload each of them for every vector.
  int32_t* wk[kBank];
  Lanes8 ek[kBank];
  int sk[kBank];
  for (int k = 0; k < kBank; ++k) wk[k] = w[k], ek[k] = Lanes8{} + e[k], sk[k] = shift[k];
  for (int i = 0; i < n; i += 8) {
    const Lanes8 v = load8(x + i);
    for (int k = 0; k < kBank; ++k) {
      Lanes8 u = load8(wk[k] + i) + ((v * ek[k]) >> sk[k]);
      u = u < lo ? lo : u;
      u = u > hi ? hi : u;
      store8(wk[k] + i, u);
    }
  }
}

}  // namespace shz::cm::bank

#if defined(__GNUC__)  // GCC and clang
#pragma GCC diagnostic pop
#endif
