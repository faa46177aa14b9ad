// The hashed contexts' memory: 16-byte buckets, one per context and nibble, each holding an
// 8-bit check of the hash and the bit histories (bit_history.h) of the nibble's 15 binary
// decisions (entry 1 for its first bit, then 2 + b, 4 + bb, 8 + bbb). Four buckets share a
// 64-byte cache line, and a hash may use three of them (i, i^1, i^2): one memory fetch per
// context and nibble. A hash that finds none of the three with its check takes over the one
// whose first decision has been seen least (lpaq1's layout and replacement rule).
#pragma once

#include <cstdint>
#include <cstring>

#include "bit_history.h"
#include "util/table_buffer.h"

namespace shz::cm {

class BucketTable {
 public:
  static constexpr int kBucket = 16;

  // 2^bits empty buckets (bits in 2..28).
  void reset(int bits) {
    bits_ = bits;
    t_.assign(size_t(kBucket) << bits, 0);
  }
  // The bucket for the 32-bit hash h: its top bits choose the line and place, its low 8
  // bits are the check.
  uint8_t* find(uint32_t h) {
    const uint8_t check = uint8_t(h);
    const size_t i = index(h);
    uint8_t* b[3] = {at(i), at(i ^ 1), at(i ^ 2)};
    for (uint8_t* q : b)
      if (q[0] == check) return q;
    const BitHistoryTable& bh = bit_history();
    uint8_t* victim = b[0];
    for (int k = 1; k < 3; ++k)
      if (bh.total[b[k][1]] < bh.total[victim[1]]) victim = b[k];
    std::memset(victim, 0, kBucket);
    victim[0] = check;
    return victim;
  }
  void prefetch(uint32_t h) const { __builtin_prefetch(&t_[index(h) * kBucket]); }

 private:
  size_t index(uint32_t h) const { return size_t(h >> 8) & ((size_t(1) << bits_) - 1); }
  uint8_t* at(size_t i) { return &t_[i * kBucket]; }

  TableBuffer<uint8_t> t_;
  int bits_ = 2;
};

}  // namespace shz::cm
