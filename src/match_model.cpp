#include "match_model.h"

#include <algorithm>

namespace shz {
namespace {

// stretch for 16-bit probabilities by their top 12 bits: the least x in [-2048, 2047] with
// squash(x) >= the bucket's middle (2047 when none is). Coarser than logistic::stretch, and
// part of format 4's arithmetic.
struct StretchTable {
  int16_t v[4096];
  StretchTable() {
    int x = -2048;
    for (int i = 0; i < 4096; ++i) {
      while (x < 2047 && logistic::squash(x) < uint32_t(i * 16 + 8)) ++x;
      v[i] = int16_t(x);
    }
  }
};
const StretchTable& stretch_table() {
  static const StretchTable t;
  return t;
}

}  // namespace

void Matcher::reset(uint64_t size) {
  hash_bits_ = 10;
  while (hash_bits_ < 16 && (uint64_t(1) << hash_bits_) < size) ++hash_bits_;
  table_.assign(size_t(1) << hash_bits_, 0);
  ptr_ = len_ = 0;
  recovering_ = false;
  apm_.reset(kLenContexts);
  active_ = false;
}

void Matcher::refine(const uint8_t* hist, uint32_t* pmf, int bits) {
  active_ = false;
  if (len_ == 0 && !recovering_) return;
  const uint32_t total = uint32_t(1) << bits;
  expected_ = hist[ptr_];
  const uint32_t fe = pmf[expected_];
  uint32_t p16 = bits >= 16 ? fe >> (bits - 16) : fe << (16 - bits);
  p16 = std::clamp<uint32_t>(p16, 1, 65535);
  const int ctx = recovering_ ? 1 : int(std::min<uint64_t>(len_, kLenContexts - 1));
  const uint32_t ph = std::clamp<uint32_t>(apm_.map(ctx, stretch_table().v[p16 >> 4]), 32, 65504);
  uint32_t target = bits >= 16 ? ph << (bits - 16) : ph >> (16 - bits);
  target = std::clamp<uint32_t>(target, 256, total - 256);
  // Scale the other 255 entries from total - fe to total - target (each kept >= 1); the
  // expected byte takes what remains, within 255 of target.
  const uint64_t scale = (uint64_t(total - target) << 32) / (total - fe);
  uint32_t rest = 0;
  for (int s = 0; s < 256; ++s) {
    if (s == expected_) continue;
    const uint32_t f = std::max<uint32_t>(1, uint32_t((uint64_t(pmf[s]) * scale) >> 32));
    pmf[s] = f;
    rest += f;
  }
  pmf[expected_] = total - rest;
  active_ = true;
}

void Matcher::update(const uint8_t* hist, size_t t) {
  const uint8_t b = hist[t];
  if (active_) {
    apm_.update(b == expected_);
    active_ = false;
  }
  if (len_ > 0 || recovering_) {
    if (hist[ptr_] == b) {
      len_ = recovering_ ? 1 : len_ + 1;
      recovering_ = false;
      ++ptr_;
    } else if (!recovering_ && len_ >= kRecoverAfter) {
      // One wrong byte in a long match (a changed word, a number): try the byte after it.
      recovering_ = true;
      len_ = 0;
      ++ptr_;
    } else {
      len_ = 0;
      recovering_ = false;
    }
  }
  if (t + 1 < size_t(min_len_)) return;
  uint32_t h = 0;
  for (int j = 0; j < min_len_; ++j) h = (h ^ hist[t - size_t(j)]) * 0x9E3779B1u;
  h >>= 32 - hash_bits_;
  const uint32_t cand = table_[h];
  if (len_ == 0 && cand != 0) {
    uint64_t l = 0;
    while (l < uint64_t(kMaxVerify) && l < cand && hist[cand - 1 - l] == hist[t - l]) ++l;
    if (l >= uint64_t(min_len_)) {
      len_ = l;
      ptr_ = cand;
      recovering_ = false;
    }
  }
  table_[h] = uint32_t(t + 1);
}

void MatchModel::reset(uint64_t size) {
  short_.reset(size);
  long_.reset(size);
}

void MatchModel::refine(const uint8_t* hist, uint32_t* pmf, int bits) {
  if (bits < kMinPmfBits) return;
  short_.refine(hist, pmf, bits);
  long_.refine(hist, pmf, bits);
}

void MatchModel::update(const uint8_t* hist, size_t t) {
  short_.update(hist, t);
  long_.update(hist, t);
}

}  // namespace shz
