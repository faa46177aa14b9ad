#include "order2.h"

#include <cstring>
#include <string>

#include "shz/shz.h"
#include "util/hash.h"

namespace shz {
namespace {

// Tuning constants. They define the model: changing one changes every pmf, so the
// revision string below (hashed into the archive's model identity) must change too.
constexpr uint32_t kPmfTotal = 1u << 16;
constexpr uint32_t kFloorBudget = kPmfTotal - 256;  // what is left after the +1 floor
// Per order, indexed as in slot_pmf: [0] order 2, [1] order 1, [2] order 0.
constexpr uint32_t kLimit[3] = {1000, 4000, 60000};  // halve a context's counts past this total
constexpr uint32_t kEscape[3] = {1, 1, 1};           // e in T / (T + e*d)
constexpr uint32_t kIncrement = 2;
const char* const kRevision =
    "order2 r1: PPM-C blend o2>o1>o0>uniform, inc 2, limits o2 1000/o1 4000/o0 60000, escape 1/1/1, 16-bit pmf";

}  // namespace

Order2Model::Order2Model() = default;

ModelIdentity Order2Model::identity() const {
  return ModelIdentity{"order2", hash_bytes(kRevision, std::strlen(kRevision))};
}

void Order2Model::context_clear(Context& c) {
  std::memset(c.cnt, 0, sizeof c.cnt);
  c.total = 0;
  c.distinct = 0;
}

void Order2Model::context_add(Context& c, uint8_t byte, uint32_t limit) {
  if (c.total + kIncrement > limit) {
    // Halve, rounding up so a byte once seen stays possible: distinct is unchanged.
    uint32_t total = 0;
    for (int s = 0; s < 256; ++s) {
      c.cnt[s] = uint16_t(c.cnt[s] - (c.cnt[s] >> 1));
      total += c.cnt[s];
    }
    c.total = total;
  }
  if (c.cnt[byte] == 0) ++c.distinct;
  c.cnt[byte] = uint16_t(c.cnt[byte] + kIncrement);
  c.total += kIncrement;
}

void Order2Model::begin(size_t streams) {
  slots_.clear();
  slots_.resize(streams);
  for (Slot& s : slots_) {
    s.o2.reset(new Context[65536]);
    s.stamp.assign(65536, 0);
    s.o1.resize(256);
    s.epoch = 0;
  }
  for (size_t i = 0; i < streams; ++i) reset(i);
}

void Order2Model::reset(size_t slot) {
  Slot& s = slots_[slot];
  if (++s.epoch == 0) {  // 2^32 resets: stamps could alias, start over
    s.stamp.assign(65536, 0);
    s.epoch = 1;
  }
  for (Context& c : s.o1) context_clear(c);
  context_clear(s.o0);
  s.c1 = s.c2 = 0;
}

Order2Model::Context& Order2Model::order2_context(Slot& s) {
  const uint32_t k = (uint32_t(s.c2) << 8) | s.c1;
  if (s.stamp[k] != s.epoch) {
    context_clear(s.o2[k]);
    s.stamp[k] = s.epoch;
  }
  return s.o2[k];
}

void Order2Model::slot_pmf(Slot& s, uint32_t* freq) {
  const Context* ctx[3] = {&order2_context(s), &s.o1[s.c1], &s.o0};
  // Budget for the blended part; each order takes its share, highest order first.
  uint32_t budget = kFloorBudget;
  uint64_t mult[3] = {0, 0, 0};  // weight/total in 40.24 fixed point, per order
  for (int k = 0; k < 3; ++k) {
    const Context& c = *ctx[k];
    if (c.total == 0) continue;
    const uint64_t w = uint64_t(budget) * c.total / (c.total + kEscape[k] * c.distinct);
    budget -= uint32_t(w);
    mult[k] = (w << 24) / c.total;
  }
  // Bounds: cnt <= 65535 (< 2^16) and mult <= 2^16 * 2^24, so cnt * mult < 2^56;
  // the three terms, each at most its order's weight, sum to at most kFloorBudget.
  const uint32_t uniform = budget / 256;
  uint32_t sum = 0, best = 0;
  int best_s = 0;
  for (int b = 0; b < 256; ++b) {
    const uint64_t blended = (ctx[0]->cnt[b] * mult[0] >> 24) + (ctx[1]->cnt[b] * mult[1] >> 24) +
                             (ctx[2]->cnt[b] * mult[2] >> 24);
    const uint32_t f = 1 + uniform + uint32_t(blended);
    freq[b] = f;
    sum += f;
    if (f > best) {
      best = f;
      best_s = b;
    }
  }
  // Rounding left sum <= kPmfTotal; the remainder goes to the most likely byte.
  freq[best_s] += kPmfTotal - sum;
}

void Order2Model::predict(const size_t* slots, size_t n, uint32_t* pmfs) {
  for (size_t i = 0; i < n; ++i) slot_pmf(slots_[slots[i]], pmfs + 256 * i);
}

void Order2Model::update(const size_t* slots, size_t n, const uint8_t* bytes) {
  for (size_t i = 0; i < n; ++i) {
    Slot& s = slots_[slots[i]];
    const uint8_t b = bytes[i];
    context_add(order2_context(s), b, kLimit[0]);
    context_add(s.o1[s.c1], b, kLimit[1]);
    context_add(s.o0, b, kLimit[2]);
    s.c2 = s.c1;
    s.c1 = b;
  }
}

}  // namespace shz
