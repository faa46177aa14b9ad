// Fixed-point helpers shared by the adaptive stages.
#pragma once

#include <cstdint>

namespace shz {

// x / 2^s rounded down, for either sign (>> of a negative number is only defined from C++20).
constexpr int64_t floor_shift(int64_t x, int s) { return x >= 0 ? x >> s : ~((~x) >> s); }

}  // namespace shz
