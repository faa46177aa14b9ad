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

// What each level adds: contexts and the cap on the bucket table (2^cap buckets of 16 bytes;
// from revision 4, 2^cap4: at levels 4-7 the cap of 2^22 or 2^23 overflowed on inputs of a
// few megabytes, docs/RESULTS.md "The bucket table on long inputs").
struct LevelSpec {
  uint32_t contexts;
  int table_cap;
  int table_cap4;
  bool second_finder;
  bool apm_order2;
};

constexpr uint32_t kL1 = kOrder0 | kOrder1 | kOrder2 | kOrder3 | kOrder4 | kWord;
constexpr uint32_t kL2 = kL1 | kOrder6 | kSparse | kIndirect;
constexpr uint32_t kL3 = kL2 | kWordPair | kColumn | kSparse2;
constexpr uint32_t kL4 = kL3 | kOrder5 | kOrder8 | kRecord | kWordText;
constexpr uint32_t kL8 = kL4 | kWordSkip;

constexpr LevelSpec kLevels[10] = {
    {kL1, 18, 18, false, false},  // (0: unused)
    {kL1, 20, 20, false, false}, {kL2, 21, 21, true, true}, {kL3, 21, 21, true, true},
    {kL4, 22, 24, true, true},   {kL4, 22, 24, true, true}, {kL4, 22, 24, true, true},
    {kL4, 23, 24, true, true},   {kL8, 24, 24, true, true}, {kL8, 24, 24, true, true},
};

}  // namespace

CmConfig cm_config_for(int level, uint64_t size, int revision) {
  const LevelSpec& spec = kLevels[std::clamp(level, 1, 9)];
  CmConfig c;
  c.revision = revision;
  c.contexts = spec.contexts;
  if (revision >= 2 && (c.contexts & kRecord)) c.contexts |= kRecord2D;
  if (revision >= 3 && (c.contexts & kWordPair)) c.contexts |= kMarkup;
  // Buckets: about two per context and byte at most (each byte touches two per context, and
  // most repeat); within the level's cap.
  c.table_bits = bits_for(size * 8, 12, revision >= 4 ? spec.table_cap4 : spec.table_cap);
  c.match_bits = bits_for(size, 12, 22);
  c.match_min[1] = spec.second_finder ? 16 : 0;
  c.apm_order2 = spec.apm_order2;
  c.apm_bits = bits_for(size * 2, 10, 16);
  return c;
}

uint64_t cm_memory(int level, uint64_t size) {
  const CmConfig c = cm_config_for(level, size);
  const uint64_t apms = 3 * (uint64_t(50) << 16) * 2;
  const uint64_t finders = (c.match_min[1] ? 2 : 1) * (uint64_t(4) << c.match_bits);
  // Revision 5's bitmap tables (allocated only where a lane finds a row length).
  uint64_t image = 0;
  if (c.contexts & kRecord)
    for (int bits : kImageBits) image += uint64_t(4) << bits;
  return (uint64_t(16) << c.table_bits) + finders + 2 * size + apms + 256 * 17 * 16 + 65536 * 2 + image;
}

}  // namespace shz::cm
