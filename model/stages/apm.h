// An adaptive probability map: for each context, points over stretch(p) at half-nat steps
// that learn what a prediction p has been worth in that context, interpolated between the
// two nearest points. The match model maps its expected byte's probability through one
// (|stretch| <= 8 nats), the mixing stage its mixed bit probability (|stretch| <= 12).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "model/stages/logistic.h"

namespace shz {

// The learning rate after n updates, 1/(n + 1.5) in Q16: a fresh context learns fast. The
// APM's points and the mixing stage's counters both move at it (each from a table).
constexpr uint32_t adaptive_rate(uint32_t n) { return 131072 / (2 * n + 3); }

template <int kNats, uint32_t kMinRate = 4096>
class Apm {
 public:
  static constexpr int kPoints = 4 * kNats + 1;
  static_assert(kNats >= 1 && kNats <= logistic::kLimit / 256, "points must lie within squash's table");

  // `contexts` fresh rows, each starting as squash itself (so p maps to p).
  void reset(int contexts) {
    rows_.resize(size_t(contexts) * kStride);
    for (int c = 0; c < contexts; ++c) {
      for (int j = 0; j < kPoints; ++j)
        rows_[size_t(c) * kStride + j] = uint16_t(std::min<uint32_t>(logistic::kSquash[j + 2 * (12 - kNats)], 65535));
      rows_[size_t(c) * kStride + kPoints] = 0;
    }
  }

  // The map of x (Q8 nats, clamped to [-kNats, kNats) nats) in context ctx, in Q16.
  // Remembers where it looked for update().
  uint32_t map(int ctx, int x) {
    const int u = std::clamp(x, -256 * kNats, 256 * kNats - 1) + 256 * kNats;
    ctx_ = ctx;
    bin_ = u >> 7;
    weight_ = u & 127;
    const uint16_t* a = &rows_[size_t(ctx) * kStride];
    return (uint32_t(a[bin_]) * uint32_t(128 - weight_) + uint32_t(a[bin_ + 1]) * uint32_t(weight_)) >> 7;
  }

  // A hint that map() will soon read row ctx (no effect on any value): every cache line of
  // it (a row of 12 nats is 100 bytes, up to three lines).
  void prefetch(int ctx) const {
    const char* row = reinterpret_cast<const char*>(&rows_[size_t(ctx) * kStride]);
    for (size_t at = 0; at < sizeof(uint16_t) * kStride; at += 64) __builtin_prefetch(row + at);
    __builtin_prefetch(row + sizeof(uint16_t) * kStride - 1);
  }

  // Moves the two points map() used toward the outcome y, each by its interpolation weight,
  // at rate 1/(n + 1.5) after n updates of the context, never under kMinRate / 2^16 (1/16 by
  // default).
  void update(bool y) {
    uint16_t* a = &rows_[size_t(ctx_) * kStride];
    uint16_t& seen = a[kPoints];
    const uint32_t r = kRates.r[seen];
    learn(a[bin_], y, uint32_t(128 - weight_), r);
    learn(a[bin_ + 1], y, uint32_t(weight_), r);
    if (seen < 255) ++seen;
  }

 private:
  // Moves a Q16 point toward y by weight w/128 at rate r (Q16).
  static void learn(uint16_t& a, bool y, uint32_t w, uint32_t r) {
    if (y)
      a = uint16_t(a + ((uint64_t(65535 - a) * w * r) >> 23));
    else
      a = uint16_t(a - ((uint64_t(a) * w * r) >> 23));
  }

  // The rates by updates so far, max(1/16, 1/(n + 1.5)) in Q16: a table, no division.
  static constexpr struct Rates {
    uint32_t r[256];
    constexpr Rates() : r() {
      for (uint32_t n = 0; n < 256; ++n) r[n] = std::max<uint32_t>(kMinRate, adaptive_rate(n));
    }
  } kRates{};

  // Each row: its kPoints points, then its updates so far (up to 255; they set the rate),
  // so that one prefetch brings all an update touches.
  static constexpr int kStride = kPoints + 1;
  std::vector<uint16_t> rows_;
  int ctx_ = 0, bin_ = 0, weight_ = 0;
};

}  // namespace shz
