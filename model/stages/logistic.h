// The logistic pair both adaptive stages work in (the match model and the mixing stage):
// squash(x) = 1 / (1 + e^-x) and its inverse stretch, in integers. x is in Q8 nats (256 =
// one nat) over [-12, 12) nats, probabilities are Q16. The points are data, so no libm call
// ever decides a probability and every machine computes the same values.
#pragma once

#include <cstdint>

namespace shz::logistic {

constexpr int kStep = 128;          // Q8 nats between two points: half a nat
constexpr int kLimit = 12 * 256;    // x in [-kLimit, kLimit)
constexpr int kPoints = 49;         // points at -12, -11.5, ..., 12 nats
// 65536 / (1 + e^-(j-24)/2) rounded to the nearest integer, for j = 0..48.
constexpr uint32_t kSquash[kPoints] = {
    0,     1,     1,     2,     3,     5,     8,     13,    22,    36,    60,    98,    162,
    267,   439,   720,   1179,  1921,  3108,  4971,  7812,  11955, 17625, 24743, 32768, 40793,
    47911, 53581, 57724, 60565, 62428, 63615, 64357, 64816, 65097, 65269, 65374, 65438, 65476,
    65500, 65514, 65523, 65528, 65531, 65533, 65534, 65535, 65535, 65536};

// squash(x) in Q16 for x in [-kLimit, kLimit): the points, linearly interpolated.
inline uint32_t squash(int x) {
  const int u = x + kLimit, j = u >> 7, w = u & (kStep - 1);
  return (kSquash[j] * uint32_t(kStep - w) + kSquash[j + 1] * uint32_t(w)) >> 7;
}

// stretch(p) for a Q16 probability p in [0, 65535]: the least x in [-kLimit, kLimit - 1]
// with squash(x) >= p (kLimit - 1 when none is). A table, built once.
int stretch(uint32_t p);
// The same as a table of 65536 entries, for loops that look it up often.
const int16_t* stretch_table();

}  // namespace shz::logistic
