// The attention score q . m_j (int16 query, int8 memory row) as byte products, so the GPU can
// take it four bytes at a time with dp4a and a warp can read a memory row coalesced. Plain
// C++ with SHZ_HD: the kernel and a CPU test (tests/test_score_split.cpp) run the same code.
//
// q in [-32767, 32767] is 256 h + l + 128 with h = q >> 8 in [-128, 127] and
// l = (q & 255) - 128 in [-128, 127], both signed bytes, so
//   sum q_i m_i = 256 sum h_i m_i + sum l_i m_i + 128 sum m_i.
// Each of the three sums is an int32 dp4a chain: |term| <= 128 * 128, so a chain of up to
// 2^17 bytes (far above any d) cannot overflow; they meet in int64, exactly the CPU's sum.
#pragma once

#include <cstdint>

#include "model/sharnn/sharnn_ops.h"

namespace shz::cuda {

// Four signed byte products added to c: __dp4a on the GPU, the same sum on the host.
SHZ_HD inline int32_t dp4a_s8(int32_t a, int32_t b, int32_t c) {
#if defined(__CUDA_ARCH__)
  return __dp4a(a, b, c);
#else
  for (int k = 0; k < 4; ++k)
    c += int32_t(int8_t(uint32_t(a) >> (8 * k))) * int32_t(int8_t(uint32_t(b) >> (8 * k)));
  return c;
#endif
}

// Bytes b0..b3 (each in [-128, 127]) packed as dp4a reads them, b0 lowest.
SHZ_HD inline int32_t pack_s8(int32_t b0, int32_t b1, int32_t b2, int32_t b3) {
  return int32_t((uint32_t(b0) & 255u) | (uint32_t(b1) & 255u) << 8 | (uint32_t(b2) & 255u) << 16 |
                 (uint32_t(b3) & 255u) << 24);
}

SHZ_HD inline int32_t q16_high(int32_t q) { return q >> 8; }
SHZ_HD inline int32_t q16_low(int32_t q) { return (q & 255) - 128; }

// Four query values (already sat_i16) as their packed high and low bytes.
struct QuadSplit {
  int32_t high, low;
};
SHZ_HD inline QuadSplit q16_split4(const int32_t* q) {
  return {pack_s8(q16_high(q[0]), q16_high(q[1]), q16_high(q[2]), q16_high(q[3])),
          pack_s8(q16_low(q[0]), q16_low(q[1]), q16_low(q[2]), q16_low(q[3]))};
}

// Running sums over memory words: sum h m, sum l m, sum m.
struct SplitSums {
  int32_t high = 0, low = 0, mem = 0;
};
SHZ_HD inline void split_add(SplitSums& s, QuadSplit q, int32_t m) {
  s.high = dp4a_s8(q.high, m, s.high);
  s.low = dp4a_s8(q.low, m, s.low);
  s.mem = dp4a_s8(0x01010101, m, s.mem);
}
SHZ_HD inline int64_t split_total(const SplitSums& s) {
  return 256 * int64_t(s.high) + int64_t(s.low) + 128 * int64_t(s.mem);
}

}  // namespace shz::cuda
