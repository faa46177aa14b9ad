#include "cm_config.h"

#include <algorithm>

namespace shz::cm {
namespace {

// The least b >= lo with 2^b >= n, at most hi.
int bits_for(uint64_t n, int lo, int hi) {
  int b = lo;
  while (b < hi && (uint64_t(1) << b) < n) ++b;
  return b;
}

}  // namespace

CmConfig cm_config_for(int level, uint64_t size) {
  CmConfig c;
  level = std::clamp(level, 1, 9);
  c.contexts = kOrder0 | kOrder1 | kOrder2 | kOrder3 | kOrder4 | kOrder5 | kOrder6 | kOrder8 | kWord | kWordPair |
               kSparse | kColumn | kIndirect | kRecord | kWordText;
  const int cap = 22;
  c.table_bits = bits_for(size * 8, 12, cap);
  c.match_bits = bits_for(size, 12, 22);
  return c;
}

uint64_t cm_memory(int level, uint64_t size) {
  const CmConfig c = cm_config_for(level, size);
  return (uint64_t(16) << c.table_bits) + (uint64_t(8) << c.match_bits) + size + 2 * (uint64_t(100) << 16) * 2 +
         256 * 17 * 16;
}

}  // namespace shz::cm
