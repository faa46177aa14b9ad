// StateMap: for each context (here: a bit-history state, or a small number such as a match
// length), an adaptive probability of a 1 that learns what that context has actually been
// followed by. Each entry moves toward the bit seen at rate 1/(n + 1.5) after n updates,
// down to 1/(limit + 1.5): fast at first, then an average over the recent past.
//
// Entries: the probability in the top 22 bits, the update count (at most `limit` <= 1023)
// in the low 10. Integers only: encoder and decoder learn identically.
#pragma once

#include <cstdint>
#include <vector>

#include "util/fixed_point.h"

namespace shz::cm {

// 1/(n + 1.5) in Q16 for n = 0..1023, a table: no division per bit.
struct StateMapRates {
  int32_t r[1024];
  constexpr StateMapRates() : r() {
    for (int n = 0; n < 1024; ++n) r[n] = 131072 / (2 * n + 3);
  }
};
inline constexpr StateMapRates kStateMapRates{};

class StateMap {
 public:
  // `contexts` entries, each starting at probability p0[i] (Q16) when given, else 1/2.
  void reset(int contexts, int limit, const uint16_t* p0 = nullptr) {
    limit_ = limit;
    t_.resize(size_t(contexts));
    for (int i = 0; i < contexts; ++i) t_[size_t(i)] = uint32_t(p0 ? p0[i] : 32768) << 16;
  }
  // The probability of a 1 in context cx (Q16, 0..65535); remembers cx for update().
  uint32_t p(uint32_t cx) {
    cx_ = cx;
    return t_[cx] >> 16;
  }
  // Moves the entry p() last read toward bit y.
  void update(int y) {
    uint32_t& e = t_[cx_];
    const uint32_t n = e & 1023;
    const int64_t p22 = e >> 10;
    const int64_t target = y ? (int64_t(1) << 22) - 1 : 0;
    const int64_t moved = p22 + floor_shift((target - p22) * kStateMapRates.r[n], 16);
    e = uint32_t(moved) << 10 | (n < uint32_t(limit_) ? n + 1 : n);
  }

 private:
  std::vector<uint32_t> t_;
  int limit_ = 127;
  uint32_t cx_ = 0;
};

}  // namespace shz::cm
